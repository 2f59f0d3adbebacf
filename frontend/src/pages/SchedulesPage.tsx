import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { Can } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { Pagination } from "../components/Pagination";
import { StatusBadge } from "../components/StatusBadge";
import { formatTime } from "../lib/format";

export function SchedulesPage() {
  const [page, setPage] = useState(1);
  const schedules = useQuery({
    queryKey: ["schedules", page],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/scheduler/jobs", { params: { query: { page, page_size: 50 } } })),
    refetchInterval: 15000,
  });
  return (
    <>
      <div className="page-head">
        <h1>Schedules</h1>
        <Can permission="scheduler:write">
          <Link className="button primary" to="/schedules/new">
            New schedule
          </Link>
        </Can>
      </div>
      <div className="card">
        <ErrorMessage error={schedules.error} />
        {schedules.data?.items?.length === 0 && <p className="muted">No schedules yet.</p>}
        {(schedules.data?.items?.length ?? 0) > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Pipeline</th>
                  <th>Cron</th>
                  <th>Next run (schedule's zone)</th>
                  <th>Last run</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {schedules.data?.items?.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link to={`/schedules/${s.id}`}>{s.name}</Link>
                    </td>
                    <td>{s.pipeline_name ?? s.pipeline_id}</td>
                    <td className="mono">{s.cron_expr}</td>
                    <td>
                      {s.enabled ? formatTime(s.next_run, s.timezone) : "—"} <span className="muted">{s.timezone}</span>
                    </td>
                    <td>
                      {s.last_status ? <StatusBadge status={s.last_status} /> : <span className="muted">never</span>}{" "}
                      {s.last_run && <span className="muted">{formatTime(s.last_run, s.timezone)}</span>}
                    </td>
                    <td>
                      <StatusBadge status={s.enabled ? "enabled" : "disabled"} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {schedules.data && <Pagination page={page} pageSize={50} total={schedules.data.total ?? 0} onPage={setPage} />}
      </div>
    </>
  );
}
