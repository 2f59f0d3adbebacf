import { useState, type FormEvent } from "react";
import type { Schemas } from "../api/client";
import { useAddPoints } from "../api/vectors";
import { ErrorMessage } from "./ErrorMessage";

/** One point per non-blank line: keyed `prefix-N` (or by its text when there is no prefix), the line kept in
 * the payload as `text` so hits show what matched. */
export function linesToPoints(lines: string, keyPrefix: string): Schemas["Point"][] {
  const prefix = keyPrefix.trim();
  return lines
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((text, index) => ({ text, payload: { text }, ...(prefix ? { key: `${prefix}-${index + 1}` } : {}) }));
}

/** Paste lines of text; each becomes a document embedded with the collection's embedder. */
export function AddDocumentsForm({ collection }: { collection: string }) {
  const [lines, setLines] = useState("");
  const [keyPrefix, setKeyPrefix] = useState("doc");
  const [problem, setProblem] = useState<string | null>(null);
  const add = useAddPoints(collection);

  function submit(event: FormEvent) {
    event.preventDefault();
    const points = linesToPoints(lines, keyPrefix);
    if (points.length === 0) {
      setProblem("Paste at least one line of text.");
      return;
    }
    setProblem(null);
    add.mutate(points, { onSuccess: () => setLines("") });
  }

  return (
    <form onSubmit={submit} aria-label="Add documents" noValidate>
      <div className="field">
        <label htmlFor="documents-lines">Documents (one per line)</label>
        <textarea id="documents-lines" rows={5} value={lines} onChange={(e) => setLines(e.target.value)} />
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor="documents-prefix">
            Key prefix <span className="hint">(keys are prefix-1, prefix-2…; empty: the text is the key)</span>
          </label>
          <input id="documents-prefix" value={keyPrefix} onChange={(e) => setKeyPrefix(e.target.value)} />
        </div>
        <div className="field" style={{ justifyContent: "flex-end" }}>
          <button type="submit" disabled={add.isPending}>
            Add documents
          </button>
        </div>
      </div>
      {problem && (
        <div className="error-box" role="alert">
          {problem}
        </div>
      )}
      <ErrorMessage error={add.error} title="Could not add the documents" />
      {add.data && <p className="notice">Stored {add.data.upserted} documents.</p>}
    </form>
  );
}
