import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link } from "react-router-dom";
import { LiveIndicator } from "../api/live";
import { useJob } from "../api/queries";
import type { RunDifference, RunMetrics } from "../api/twins";
import { ErrorMessage } from "../components/ErrorMessage";
import { StatusBadge } from "../components/StatusBadge";
import { DifferenceTable } from "./DifferenceTable";
import { RunFindings } from "./RunFindings";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** A queued simulation followed live (the event stream refreshes the job) until its run is stored. */
export function RunWatch({ twinId, jobId, title }: { twinId: string; jobId: string; title: string }) {
  const job = useJob(jobId);
  const data = job.data;
  const isFinished = TERMINAL.has(data?.status ?? "");
  const output = (data?.output ?? {}) as { run_id?: string; metrics?: RunMetrics; difference?: RunDifference };
  const queryClient = useQueryClient();
  useEffect(() => {
    if (isFinished) void queryClient.invalidateQueries({ queryKey: ["twin", twinId, "runs"] });
  }, [isFinished, queryClient, twinId]);
  const progress = Math.round((data?.progress ?? 0) * 100);
  return (
    <section className="card" aria-label={title}>
      <h2>
        {title} <StatusBadge status={data?.status ?? "queued"} /> {!isFinished && <LiveIndicator />}
      </h2>
      <ErrorMessage error={job.error} />
      <div
        className="progress"
        role="progressbar"
        aria-valuenow={progress}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label="Run progress"
      >
        <div style={{ width: `${progress}%` }} />
      </div>
      <p className="muted">
        {progress}% · job <Link to={`/jobs/${jobId}`}>{jobId.slice(0, 8)}</Link>
        {data?.current_step && ` · ${data.current_step}`}
      </p>
      {data?.error && <ErrorMessage error={data.error} title="The run failed" />}
      {data?.status === "succeeded" && output.run_id && (
        <>
          <p>
            Run stored: <Link to={`/twins/${twinId}/runs/${output.run_id}`}>open run {output.run_id.slice(0, 8)}</Link>
          </p>
          {output.metrics && <RunFindings metrics={output.metrics} />}
          {output.difference && (
            <>
              <h3>Difference from the unchanged twin</h3>
              <DifferenceTable difference={output.difference} />
            </>
          )}
        </>
      )}
    </section>
  );
}
