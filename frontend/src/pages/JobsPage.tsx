import { useSearchParams } from "react-router-dom";
import { LiveIndicator } from "../api/live";
import { useJobKinds, usePipelines, useJobs } from "../api/queries";
import { ErrorMessage } from "../components/ErrorMessage";
import { JobFilters } from "../components/JobFilters";
import { JobsTable } from "../components/JobsTable";
import { Pagination } from "../components/Pagination";

const PAGE_SIZE = 25;

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
  const kinds = useJobKinds();
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
        <JobFilters
          values={filters}
          pipelines={(pipelines.data?.items ?? []).map((p) => ({ id: p.id ?? "", name: p.name ?? "" }))}
          kinds={kinds.data ?? []}
          onChange={setFilter}
        />
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
