// Query hooks shared by several pages; one key scheme so event-driven invalidation reaches them all:
// ["job", id], ["jobs", filters], ["jobKinds"], ["pipeline", id], ["pipelines"], ["schedule", id], ["schedules"], ["dashboard", ...].
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "./client";
import { useLiveInterval } from "./live";

export function useJob(jobId: string, isFinished = false) {
  const interval = useLiveInterval(!isFinished);
  return useQuery({
    queryKey: ["job", jobId],
    queryFn: async () => unwrap(await api.GET("/api/v1/queue/jobs/{job_id}", { params: { path: { job_id: jobId } } })),
    refetchInterval: interval,
  });
}

export interface JobFilters {
  status?: string;
  pipeline_id?: string;
  triggered_by?: string;
  kind?: string;
  page: number;
  page_size: number;
}

export function useJobs(filters: JobFilters) {
  const interval = useLiveInterval();
  return useQuery({
    queryKey: ["jobs", filters],
    queryFn: async () => {
      const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== ""));
      return unwrap(await api.GET("/api/v1/queue/jobs", { params: { query } }));
    },
    refetchInterval: interval,
    placeholderData: (previous) => previous,
  });
}

export type JobKind = Schemas["JobKind"];

/** The installed job kinds (they change only when the API restarts with other slices). */
export function useJobKinds() {
  return useQuery({
    queryKey: ["jobKinds"],
    queryFn: async () => unwrap(await api.GET("/api/v1/queue/kinds")),
    staleTime: 5 * 60_000,
  });
}

export function usePipelines() {
  return useQuery({
    queryKey: ["pipelines"],
    queryFn: async () => unwrap(await api.GET("/api/v1/pipelines", { params: { query: { page: 1, page_size: 200 } } })),
  });
}

export function usePipeline(pipelineId: string | undefined) {
  return useQuery({
    queryKey: ["pipeline", pipelineId],
    enabled: Boolean(pipelineId),
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/pipelines/{pipeline_id}", { params: { path: { pipeline_id: pipelineId! } } })),
  });
}
