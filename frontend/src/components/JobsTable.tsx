import { Link } from "react-router-dom";
import type { Schemas } from "../api/client";
import { formatDuration, formatTime, secondsBetween } from "../lib/format";
import { StatusBadge } from "./StatusBadge";

export function JobsTable({ jobs, showPipeline = true }: { jobs: Schemas["Job"][]; showPipeline?: boolean }) {
  if (jobs.length === 0) return <p className="muted">No jobs yet.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Job</th>
            {showPipeline && <th>Pipeline</th>}
            <th>Status</th>
            <th>Trigger</th>
            <th>Created</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id}>
              <td>
                <Link to={`/jobs/${job.id}`} className="mono">
                  {job.id?.slice(0, 8)}
                </Link>
              </td>
              {showPipeline && <td>{job.pipeline_name}</td>}
              <td>
                <StatusBadge status={job.status} />
                {job.status === "running" && job.progress !== undefined && (
                  <span className="muted"> {Math.round(job.progress * 100)}%</span>
                )}
              </td>
              <td>{job.triggered_by}</td>
              <td>{formatTime(job.created_at)}</td>
              <td>{formatDuration(secondsBetween(job.started_at, job.finished_at))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
