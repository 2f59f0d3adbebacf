import { useState } from "react";
import type { TwinEntity } from "../api/twins";
import { StatusBadge } from "../components/StatusBadge";
import { entityCondition } from "./TwinGraph";

const PAGE = 50;

/** The entities' current state, a page at a time, filterable by type. */
export function EntityStateTable({ entities }: { entities: TwinEntity[] }) {
  const [type, setType] = useState("");
  const [page, setPage] = useState(0);
  const types = [...new Set(entities.map((e) => e.type ?? ""))].sort();
  const shown = entities.filter((e) => !type || e.type === type);
  const slice = shown.slice(page * PAGE, (page + 1) * PAGE);
  return (
    <>
      <div className="filters">
        <div className="field">
          <label htmlFor="state-type">Type</label>
          <select
            id="state-type"
            value={type}
            onChange={(e) => {
              setType(e.target.value);
              setPage(0);
            }}
          >
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
      </div>
      <div className="table-wrap">
        <table aria-label="Entity state">
          <thead>
            <tr>
              <th>Entity</th>
              <th>Type</th>
              <th>Status</th>
              <th>Capacity</th>
              <th>Utilization</th>
              <th>Available</th>
            </tr>
          </thead>
          <tbody>
            {slice.map((e) => (
              <tr key={e.uri} className={`twin-row-${entityCondition(e)}`}>
                <td title={e.uri}>{e.label || e.uri}</td>
                <td>{e.type}</td>
                <td>
                  <StatusBadge status={e.state?.status ?? "unknown"} />
                </td>
                <td>{e.state?.capacity ?? "—"}</td>
                <td>{Math.round((e.state?.utilization ?? 0) * 100)}%</td>
                <td>{e.state?.available === false ? "no" : "yes"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown.length > PAGE && (
        <div className="pagination">
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>
            {page * PAGE + 1}–{Math.min(shown.length, (page + 1) * PAGE)} of {shown.length}
          </span>
          <button type="button" disabled={(page + 1) * PAGE >= shown.length} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </div>
      )}
    </>
  );
}
