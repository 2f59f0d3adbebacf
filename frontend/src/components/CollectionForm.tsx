import { useState, type FormEvent } from "react";
import type { Schemas } from "../api/client";
import { useCreateCollection } from "../api/vectors";
import { ErrorMessage } from "./ErrorMessage";

export interface CollectionDraft {
  name: string;
  embedder: "hashing" | "none";
  dimension: string;
  distance: "cosine" | "dot" | "euclid";
}

/** The problems of a draft, by field; empty when it may be sent. */
export function collectionProblems(draft: CollectionDraft): Partial<Record<keyof CollectionDraft, string>> {
  const problems: Partial<Record<keyof CollectionDraft, string>> = {};
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(draft.name.trim()))
    problems.name = "Up to 63 letters, digits, '_' or '-', starting with a letter or digit.";
  const dimension = Number(draft.dimension);
  if (draft.dimension.trim() === "" && draft.embedder === "none")
    problems.dimension = "A collection without an embedder needs a dimension.";
  else if (draft.dimension.trim() !== "" && (!Number.isInteger(dimension) || dimension < 1 || dimension > 65536))
    problems.dimension = "A whole number from 1 to 65536.";
  return problems;
}

/** The request body for a valid draft. */
export function collectionBody(draft: CollectionDraft): Schemas["CollectionCreate"] {
  const embedder: Schemas["Embedder"] = { kind: draft.embedder };
  if (draft.dimension.trim() !== "") embedder.dimension = Number(draft.dimension);
  return { name: draft.name.trim(), distance: draft.distance, embedder };
}

const EMPTY: CollectionDraft = { name: "", embedder: "hashing", dimension: "384", distance: "cosine" };

/** Create a collection: name, embedder (hashing or none) with its dimension, distance. */
export function CollectionForm({ onCreated }: { onCreated?: (name: string) => void }) {
  const [draft, setDraft] = useState<CollectionDraft>(EMPTY);
  const [isSubmitted, setSubmitted] = useState(false);
  const create = useCreateCollection();
  const problems = collectionProblems(draft);
  const shown = isSubmitted ? problems : {};
  const set = (change: Partial<CollectionDraft>) => setDraft((d) => ({ ...d, ...change }));

  function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0) return;
    create.mutate(collectionBody(draft), {
      onSuccess: () => {
        onCreated?.(draft.name.trim());
        setDraft(EMPTY);
        setSubmitted(false);
      },
    });
  }

  return (
    <form onSubmit={submit} aria-label="New collection" noValidate>
      <div className="filters">
        <div className="field">
          <label htmlFor="collection-name">Name</label>
          <input
            id="collection-name"
            value={draft.name}
            onChange={(e) => set({ name: e.target.value })}
            aria-invalid={Boolean(shown.name)}
            aria-describedby={shown.name ? "collection-name-problem" : undefined}
          />
          {shown.name && (
            <small id="collection-name-problem" className="error-text" role="alert">
              {shown.name}
            </small>
          )}
        </div>
        <div className="field">
          <label htmlFor="collection-embedder">Embedder</label>
          <select
            id="collection-embedder"
            value={draft.embedder}
            onChange={(e) => set({ embedder: e.target.value as CollectionDraft["embedder"] })}
          >
            <option value="hashing">hashing (text is embedded for you)</option>
            <option value="none">none (you supply vectors)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="collection-dimension">Dimension</label>
          <input
            id="collection-dimension"
            inputMode="numeric"
            value={draft.dimension}
            onChange={(e) => set({ dimension: e.target.value })}
            aria-invalid={Boolean(shown.dimension)}
            aria-describedby={shown.dimension ? "collection-dimension-problem" : undefined}
          />
          {shown.dimension && (
            <small id="collection-dimension-problem" className="error-text" role="alert">
              {shown.dimension}
            </small>
          )}
        </div>
        <div className="field">
          <label htmlFor="collection-distance">Distance</label>
          <select
            id="collection-distance"
            value={draft.distance}
            onChange={(e) => set({ distance: e.target.value as CollectionDraft["distance"] })}
          >
            <option value="cosine">cosine</option>
            <option value="dot">dot</option>
            <option value="euclid">euclid</option>
          </select>
        </div>
        <div className="field" style={{ justifyContent: "flex-end" }}>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create collection
          </button>
        </div>
      </div>
      <ErrorMessage error={create.error} title="Could not create the collection" />
    </form>
  );
}
