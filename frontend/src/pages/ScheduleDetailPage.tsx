import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { LiveIndicator, useLiveInterval } from "../api/live";
import { Can } from "../auth/session";
import { localTime } from "../components/CronPreview";
import { ErrorMessage } from "../components/ErrorMessage";
import { JobsTable } from "../components/JobsTable";
import { Pagination } from "../components/Pagination";
import { StatusBadge } from "../components/StatusBadge";
import { formatTime } from "../lib/format";

export function ScheduleDetailPage() {
  const { scheduleId = "" } = useParams();
  const path = { params: { path: { schedule_id: scheduleId } } };
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [page, setPage] = useState(1);
  const interval = useLiveInterval();
  const schedule = useQuery({
    queryKey: ["schedule", scheduleId],
    queryFn: async () => unwrap(await api.GET("/api/v1/scheduler/jobs/{schedule_id}", path)),
  });
  const preview = useQuery({
    queryKey: ["schedule", scheduleId, "preview", schedule.data?.updated_at],
    enabled: Boolean(schedule.data),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/scheduler/jobs/{schedule_id}/preview", {
          params: { ...path.params, query: { count: 5 } },
        }),
      ),
  });
  const runs = useQuery({
    // Under "jobs" so job events refresh it like every other job list.
    queryKey: ["jobs", "schedule", scheduleId, page],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/scheduler/jobs/{schedule_id}/runs", {
          params: { ...path.params, query: { page, page_size: 20 } },
        }),
      ),
    refetchInterval: interval,
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["schedule", scheduleId] });
    void queryClient.invalidateQueries({ queryKey: ["schedules"] });
  };
  const toggle = useMutation({
    mutationFn: async (enable: boolean) =>
      unwrap(
        enable
          ? await api.POST("/api/v1/scheduler/jobs/{schedule_id}/enable", path)
          : await api.POST("/api/v1/scheduler/jobs/{schedule_id}/disable", path),
      ),
    onSuccess: refresh,
  });
  const trigger = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/scheduler/jobs/{schedule_id}/trigger", path)),
    onSuccess: (queued) => navigate(`/jobs/${queued.job_id}`),
  });
  const remove = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/scheduler/jobs/{schedule_id}", path)),
    onSuccess: () => {
      refresh();
      navigate("/schedules");
    },
  });

  if (schedule.error) return <ErrorMessage error={schedule.error} title="Could not load the schedule" />;
  const s = schedule.data;
  if (!s) return <p className="muted">Loading…</p>;
  return (
    <>
      <div className="page-head">
        <h1>
          {s.name} <StatusBadge status={s.enabled ? "enabled" : "disabled"} />
        </h1>
        <div className="actions">
          <Can permission="scheduler:execute">
            <button type="button" className="primary" onClick={() => trigger.mutate()} disabled={trigger.isPending}>
              Trigger now
            </button>
          </Can>
          <Can permission="scheduler:write">
            <button type="button" onClick={() => toggle.mutate(!s.enabled)} disabled={toggle.isPending}>
              {s.enabled ? "Disable" : "Enable"}
            </button>
            <Link className="button" to={`/schedules/${s.id}/edit`}>
              Edit
            </Link>
            <button
              type="button"
              className="danger"
              onClick={() => window.confirm(`Delete schedule "${s.name}"?`) && remove.mutate()}
            >
              Delete
            </button>
          </Can>
        </div>
      </div>
      <ErrorMessage error={toggle.error ?? trigger.error ?? remove.error} />
      <div className="grid">
        <section className="card">
          <h2>Timing</h2>
          <dl className="kv">
            <dt>Pipeline</dt>
            <dd>
              <Link to={`/pipelines/${s.pipeline_id}`}>{s.pipeline_name ?? s.pipeline_id}</Link>
            </dd>
            <dt>Cron · zone</dt>
            <dd>
              <code>{s.cron_expr}</code> · {s.timezone}
            </dd>
            <dt>Overlap · catch-up</dt>
            <dd>
              {s.overlap} · {s.catchup}
            </dd>
            <dt>Last run</dt>
            <dd>
              {s.last_status ? <StatusBadge status={s.last_status} /> : "never"}{" "}
              {s.last_run && formatTime(s.last_run, s.timezone)}
            </dd>
          </dl>
        </section>
        <section className="card">
          <h2>Next runs</h2>
          <ErrorMessage error={preview.error} />
          {!s.enabled && <p className="muted">Disabled: these are the times it would fire once enabled.</p>}
          <ol data-testid="next-runs" style={{ margin: 0, paddingLeft: 20 }}>
            {(preview.data?.fire_times_local ?? []).map((t) => (
              <li key={t} className="mono">
                {localTime(t)}
              </li>
            ))}
          </ol>
        </section>
      </div>
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">
          History <LiveIndicator />
        </h2>
        <ErrorMessage error={runs.error} />
        <JobsTable jobs={runs.data?.items ?? []} showPipeline={false} />
        {runs.data && <Pagination page={page} pageSize={20} total={runs.data.total ?? 0} onPage={setPage} />}
      </section>
    </>
  );
}
