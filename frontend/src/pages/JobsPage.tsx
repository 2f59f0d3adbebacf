import { useSearchParams } from "react-router-dom";
import { LiveIndicator } from "../api/live";
import { usePipelines, useJobs } from "../api/queries";
import { ErrorMessage } from "../components/ErrorMessage";
import { JobsTable } from "../components/JobsTable";
import { Pagination } from "../components/Pagination";

const PAGE_SIZE = 25;
const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"];
const TRIGGERS = ["api", "scheduler", "manual"];

export function JobsPage() {
  // Filters live in the URL, so a filtered list can be shared and survives a reload.
  const [params, setParams] = useSearchParams();
  const filters = {
    status: params.get("status") ?? undefined,
    pipeline_id: params.get("pipeline_id") ?? undefined,
    triggered_by: params.get("triggered_by") ?? undefined,
    kind: params.get("kind") ?? undefined,
    page: Number(params.get("page") ?? "1"),
    page_size: PAGE_SIZE,
  };
  const jobs = useJobs(filters);
  // No endpoint lists the installed kinds: offer pipeline, the chosen one, and those on this page.
  const kinds = [
    ...new Set([
      "pipeline",
      ...(filters.kind ? [filters.kind] : []),
      ...(jobs.data?.items ?? []).map((j) => j.kind ?? ""),
    ]),
  ].filter(Boolean);
  const pipelines = usePipelines();

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== "page") next.delete("page");
    setParams(next);
  }

  return (
    <>
      <div className="page-head">
        <h1>Jobs</h1>
        <LiveIndicator />
      </div>
      <div className="card">
        <div className="filters" role="search">
          <div className="field">
            <label htmlFor="filter-status">Status</label>
            <select
              id="filter-status"
              value={filters.status ?? ""}
              onChange={(e) => setFilter("status", e.target.value)}
            >
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-pipeline">Pipeline</label>
            <select
              id="filter-pipeline"
              value={filters.pipeline_id ?? ""}
              onChange={(e) => setFilter("pipeline_id", e.target.value)}
            >
              <option value="">Any</option>
              {(pipelines.data?.items ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-trigger">Trigger</label>
            <select
              id="filter-trigger"
              value={filters.triggered_by ?? ""}
              onChange={(e) => setFilter("triggered_by", e.target.value)}
            >
              <option value="">Any</option>
              {TRIGGERS.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-kind">Kind</label>
            <select id="filter-kind" value={filters.kind ?? ""} onChange={(e) => setFilter("kind", e.target.value)}>
              <option value="">Any</option>
              {kinds.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </div>
        </div>
        <ErrorMessage error={jobs.error} />
        {jobs.data && (
          <>
            <JobsTable jobs={jobs.data.items ?? []} />
            <Pagination
              page={filters.page}
              pageSize={PAGE_SIZE}
              total={jobs.data.total ?? 0}
              onPage={(page) => setFilter("page", String(page))}
            />
          </>
        )}
      </div>
    </>
  );
}
