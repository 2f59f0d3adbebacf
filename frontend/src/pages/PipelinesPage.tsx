import { useState } from "react";
import { Link } from "react-router-dom";
import { usePipelines } from "../api/queries";
import { Can } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { StatusBadge } from "../components/StatusBadge";
import { formatTime } from "../lib/format";

export function PipelinesPage() {
  const pipelines = usePipelines();
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const shown = (pipelines.data?.items ?? []).filter(
    (p) => !needle || p.name?.toLowerCase().includes(needle) || p.description?.toLowerCase().includes(needle),
  );
  return (
    <>
      <div className="page-head">
        <h1>Pipelines</h1>
        <Can permission="pipelines:write">
          <Link className="button primary" to="/pipelines/new">
            New pipeline
          </Link>
        </Can>
      </div>
      <div className="card">
        <div className="filters" role="search">
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor="pipeline-search">Search</label>
            <input
              id="pipeline-search"
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Name or description"
            />
          </div>
        </div>
        <ErrorMessage error={pipelines.error} />
        {pipelines.data && shown.length === 0 && <p className="muted">No pipelines{needle && " match"}.</p>}
        {shown.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Description</th>
                  <th>Steps</th>
                  <th>Revision</th>
                  <th>State</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/pipelines/${p.id}`}>{p.name}</Link>
                    </td>
                    <td>{p.description}</td>
                    <td>{((p.definition as { steps?: unknown[] } | undefined)?.steps ?? []).length}</td>
                    <td>{p.revision}</td>
                    <td>
                      <StatusBadge status={p.enabled ? "enabled" : "disabled"} />
                    </td>
                    <td>{formatTime(p.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {(pipelines.data?.total ?? 0) > (pipelines.data?.items?.length ?? 0) && (
          <p className="muted">
            Showing the first {pipelines.data?.items?.length} of {pipelines.data?.total} pipelines.
          </p>
        )}
      </div>
    </>
  );
}
