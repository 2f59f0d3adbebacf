import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { useWorkflowRun } from "../api/workflows";
import { Can } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { StatusBadge } from "../components/StatusBadge";
import { WorkflowGraph } from "../components/WorkflowGraph";

const RESUMABLE = new Set(["failed", "cancelled"]);
const ACTIVE = new Set(["queued", "running"]);

/** One run of a workflow: its DAG coloured by task status, each task's instances and child jobs, and
 * Resume (a failed or cancelled run) or Cancel (an unfinished one). */
export function WorkflowRunPage() {
  const { jobId = "" } = useParams();
  const run = useWorkflowRun(jobId);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const resume = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/workflows/runs/{job_id}/resume", { params: { path: { job_id: jobId } } })),
    onSuccess: (accepted) => navigate(`/workflows/runs/${accepted.job_id}`),
  });
  const cancel = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/queue/jobs/{job_id}/cancel", { params: { path: { job_id: jobId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["workflow-run", jobId] }),
  });
  if (run.error) return <ErrorMessage error={run.error} title="Could not load the run" />;
  if (!run.data) return <p className="muted">Loading…</p>;
  const data = run.data;
  const tasks = data.tasks ?? [];
  const status = data.status ?? "";
  return (
    <>
      <div className="page-head">
        <h1>
          Run of <Link to={`/workflows/${data.workflow_id}`}>{data.workflow_name}</Link>
        </h1>
        <StatusBadge status={status} />
        <span className="muted">revision {data.revision}</span>
        {data.resumed_from && (
          <span className="muted">
            resumes <Link to={`/workflows/runs/${data.resumed_from}`}>{data.resumed_from.slice(0, 8)}</Link>
          </span>
        )}
        {RESUMABLE.has(status) && (
          <Can permission="workflows:run">
            <button className="primary" disabled={resume.isPending} onClick={() => resume.mutate()}>
              Resume
            </button>
          </Can>
        )}
        {ACTIVE.has(status) && (
          <Can permission="jobs:cancel">
            <button disabled={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel
            </button>
          </Can>
        )}
      </div>
      <ErrorMessage error={resume.error ?? cancel.error} />
      {data.job?.error && <p className="error-text">{data.job.error}</p>}
      <div className="card">
        <WorkflowGraph tasks={tasks.map((t) => ({ ...t, id: t.id ?? "" }))} />
      </div>
      <div className="card">
        <h2>Tasks</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Task</th>
                <th>Status</th>
                <th>Instances</th>
                <th>Latest child jobs</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((task) => (
                <tr key={task.id}>
                  <td>{task.id}</td>
                  <td>
                    <StatusBadge status={task.status} />
                  </td>
                  <td>
                    {Object.entries(task.instance_counts ?? {})
                      .map(([s, n]) => `${n} ${s}`)
                      .join(", ") || "—"}
                  </td>
                  <td>
                    {(task.instances ?? []).slice(0, 5).map((i) =>
                      i.job_id ? (
                        <Link key={i.job_id} to={`/jobs/${i.job_id}`} style={{ marginRight: 8 }}>
                          {i.item_index !== undefined && i.item_index >= 0 ? `#${i.item_index}` : "job"} (try{" "}
                          {i.attempt})
                        </Link>
                      ) : null,
                    )}
                  </td>
                  <td>{task.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
