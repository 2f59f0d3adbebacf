import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";
import { LiveIndicator } from "../api/live";
import { useJob } from "../api/queries";
import { Can } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { StatusBadge } from "../components/StatusBadge";
import { StepList } from "../components/StepList";
import { formatDuration, formatTime, preview, secondsBetween } from "../lib/format";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export function JobDetailPage() {
  const { jobId = "" } = useParams();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [isFinishedSeen, setFinishedSeen] = useState(false);
  const job = useJob(jobId, isFinishedSeen);
  const data = job.data;
  const isFinished = data ? TERMINAL.has(data.status ?? "") : false;
  if (isFinished !== isFinishedSeen && data) setFinishedSeen(isFinished);
  const logs = useQuery({
    queryKey: ["job", jobId, "logs", data?.status, data?.progress],
    enabled: Boolean(data),
    // The document lists only the text/plain form of this response; the JSON form is JobLogs.
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/queue/jobs/{job_id}/logs", { params: { path: { job_id: jobId } }, parseAs: "json" }),
      ) as unknown as Schemas["JobLogs"],
  });
  const cancel = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/queue/jobs/{job_id}/cancel", { params: { path: { job_id: jobId } } })),
    onSuccess: (updated) => queryClient.setQueryData(["job", jobId], updated),
  });
  const rerun = useMutation({
    mutationFn: async () => {
      // Same pipeline (as stored now, or the snapshot's name) and the same input context.
      const body = data?.pipeline_id
        ? { pipeline_id: data.pipeline_id, context: data.context ?? {} }
        : { pipeline_name: data?.pipeline_name ?? "", context: data?.context ?? {} };
      return unwrap(await api.POST("/api/v1/queue/pipelines/enqueue", { body }));
    },
    onSuccess: (queued) => navigate(`/jobs/${queued.job_id}`),
  });

  if (job.error) return <ErrorMessage error={job.error} title="Could not load the job" />;
  if (!data) return <p className="muted">Loading…</p>;
  const progress = Math.round((data.progress ?? 0) * 100);

  return (
    <>
      <div className="page-head">
        <h1>
          Job <span className="mono">{data.id?.slice(0, 8)}</span> <StatusBadge status={data.status} />
        </h1>
        {!isFinished && <LiveIndicator />}
        <div className="actions">
          {!isFinished && (
            <Can permission="jobs:cancel">
              <button
                className="danger"
                type="button"
                onClick={() => cancel.mutate()}
                disabled={cancel.isPending || data.cancel_requested}
              >
                {data.cancel_requested ? "Cancelling…" : "Cancel"}
              </button>
            </Can>
          )}
          {isFinished && (
            <Can permission="pipelines:execute">
              <button type="button" onClick={() => rerun.mutate()} disabled={rerun.isPending}>
                Re-run with the same input
              </button>
            </Can>
          )}
        </div>
      </div>
      <ErrorMessage error={cancel.error ?? rerun.error} />
      <section className="card">
        <div className="grid">
          <dl className="kv">
            <dt>Pipeline</dt>
            <dd>
              {data.pipeline_id ? (
                <Link to={`/pipelines/${data.pipeline_id}`}>{data.pipeline_name}</Link>
              ) : (
                data.pipeline_name
              )}
              {data.pipeline_revision != null && <span className="muted"> · revision {data.pipeline_revision}</span>}
            </dd>
            <dt>Trigger</dt>
            <dd>
              {data.triggered_by}
              {data.schedule_id && (
                <>
                  {" "}
                  · <Link to={`/schedules/${data.schedule_id}`}>schedule</Link>
                </>
              )}
            </dd>
          </dl>
          <dl className="kv">
            <dt>Created</dt>
            <dd>{formatTime(data.created_at)}</dd>
            <dt>Started · finished</dt>
            <dd>
              {formatTime(data.started_at)} · {formatTime(data.finished_at)} (
              {formatDuration(secondsBetween(data.started_at, data.finished_at))})
            </dd>
          </dl>
          <dl className="kv">
            <dt>Worker · attempts</dt>
            <dd>
              {data.worker_id ?? "—"} · {data.attempts}
            </dd>
            <dt>Progress</dt>
            <dd>
              <div
                className="progress"
                role="progressbar"
                aria-valuenow={progress}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-label="Job progress"
              >
                <div style={{ width: `${progress}%` }} />
              </div>
              {progress}%{data.current_step && ` · running ${data.current_step}`}
            </dd>
          </dl>
        </div>
        {data.error && <ErrorMessage error={data.error} title="Job error" />}
      </section>
      <section className="card">
        <h2>Steps</h2>
        <StepList
          steps={data.steps ?? []}
          output={data.output ?? null}
          definition={(data.spec as { definition?: { steps?: [] } } | undefined)?.definition}
        />
      </section>
      <section className="card">
        <h2>Input context</h2>
        <pre className="output" tabIndex={0}>
          {preview(data.context ?? {})}
        </pre>
        {data.output && (
          <details>
            <summary>Output context</summary>
            <pre className="output" tabIndex={0}>
              {preview(data.output, 20000)}
            </pre>
          </details>
        )}
      </section>
      <section className="card">
        <h2>Logs</h2>
        <ErrorMessage error={logs.error} />
        {logs.data?.lines?.length ? (
          <pre className="output" tabIndex={0} aria-label="Job log">
            {logs.data.lines
              .map(
                (l) =>
                  `${l.at ?? ""} ${String(l.level ?? "").padEnd(7)} ${l.step ? `[${l.step}] ` : ""}${l.message ?? ""}`,
              )
              .join("\n")}
          </pre>
        ) : (
          <p className="muted">No log lines yet.</p>
        )}
      </section>
    </>
  );
}
