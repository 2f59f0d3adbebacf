// Query hooks of the workflows API. Keys: ["workflows"], ["workflow", id], ["workflow", id, "runs"],
// ["workflow-run", jobId]. A run's view is refetched every 2 s while it is unfinished (its tasks' child jobs
// change without an event on the run's own job).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "./client";

export type Workflow = Schemas["Workflow"];
export type WorkflowDetail = Schemas["WorkflowDetail"];
export type WorkflowRunDetail = Schemas["WorkflowRunDetail"];
export type TaskRun = Schemas["TaskRun"];

const RUN_POLL_MS = 2000;
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export function useWorkflows() {
  return useQuery({
    queryKey: ["workflows"],
    queryFn: async () => unwrap(await api.GET("/api/v1/workflows", { params: { query: { page_size: 200 } } })),
  });
}

export function useWorkflow(workflowId: string, enabled = true) {
  return useQuery({
    queryKey: ["workflow", workflowId],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/workflows/{workflow_id}", { params: { path: { workflow_id: workflowId } } })),
    enabled,
  });
}

export function useWorkflowRuns(workflowId: string) {
  return useQuery({
    queryKey: ["workflow", workflowId, "runs"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/workflows/{workflow_id}/runs", {
          params: { path: { workflow_id: workflowId }, query: { page_size: 50 } },
        }),
      ),
    refetchInterval: RUN_POLL_MS * 2,
  });
}

export function useWorkflowRun(jobId: string) {
  return useQuery({
    queryKey: ["workflow-run", jobId],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/workflows/runs/{job_id}", { params: { path: { job_id: jobId } } })),
    refetchInterval: (query) => (TERMINAL.has(query.state.data?.status ?? "") ? false : RUN_POLL_MS),
  });
}
