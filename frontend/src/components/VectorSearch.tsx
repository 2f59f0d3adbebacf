import { useState, type FormEvent } from "react";
import { useSearch } from "../api/vectors";
import { ErrorMessage } from "./ErrorMessage";
import { HitsList } from "./HitsList";

/** The filter typed as JSON: an object, nothing when blank, or the reason it cannot be used. */
export function parseFilter(text: string): { filter?: Record<string, unknown>; problem?: string } {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value))
      return { filter: value as Record<string, unknown> };
    return { problem: 'The filter must be a JSON object, e.g. {"lang": "en"}.' };
  } catch (error) {
    return { problem: `The filter is not JSON: ${(error as Error).message}` };
  }
}

/** A text query against one collection, with a limit and an optional filter; shows the scored hits. */
export function VectorSearch({ collection, distance }: { collection: string; distance?: string }) {
  const [query, setQuery] = useState("");
  const [limit, setLimit] = useState(10);
  const [filterText, setFilterText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const search = useSearch(collection);

  function submit(event: FormEvent) {
    event.preventDefault();
    const { filter, problem: filterProblem } = parseFilter(filterText);
    const found = !query.trim() ? "Type some text to search for." : filterProblem;
    setProblem(found ?? null);
    if (found) return;
    search.mutate({ query: query.trim(), limit, ...(filter ? { filter } : {}) });
  }

  return (
    <>
      <form onSubmit={submit} role="search" aria-label={`Search ${collection}`} noValidate>
        <div className="filters">
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor="vector-query">Query</label>
            <input
              id="vector-query"
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="Text to find similar documents"
            />
          </div>
          <div className="field">
            <label htmlFor="vector-limit">Limit</label>
            <input
              id="vector-limit"
              type="number"
              min={1}
              max={1000}
              value={limit}
              onChange={(e) => setLimit(Math.min(1000, Math.max(1, Number(e.target.value) || 1)))}
              style={{ width: 90 }}
            />
          </div>
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor="vector-filter">
              Filter <span className="hint">(optional JSON)</span>
            </label>
            <input
              id="vector-filter"
              className="mono"
              value={filterText}
              onChange={(e) => setFilterText(e.target.value)}
              placeholder='{"lang": "en"}'
            />
          </div>
          <div className="field" style={{ justifyContent: "flex-end" }}>
            <button type="submit" className="primary" disabled={search.isPending}>
              Search
            </button>
          </div>
        </div>
      </form>
      {problem && (
        <div className="error-box" role="alert">
          {problem}
        </div>
      )}
      <ErrorMessage error={search.error} title="Search failed" />
      {search.data && <HitsList hits={search.data.hits ?? []} distance={distance} />}
    </>
  );
}
