// Query hooks and shapes of the digital twins API. Keys: ["twins"], ["twin", id, ...]; a run's job is watched
// through useJob (["job", id]), which the event stream refreshes.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "./client";

export type Twin = Schemas["Twin"];
export type TwinRun = Schemas["Run"];

/** An entity's state as the API stores it. */
export interface EntityState {
  status?: string;
  capacity?: number;
  utilization?: number;
  available?: boolean;
  metrics?: Record<string, number>;
}

export interface TwinEntity {
  uri: string;
  type?: string;
  label?: string;
  state?: EntityState;
}

export interface TwinRelationship {
  source_uri: string;
  target_uri: string;
  type?: string;
  strength?: number;
}

export interface Bottleneck {
  uri: string;
  label?: string;
  from_step: number;
  duration: number;
}

/** The summary figures of a run (its `metrics`, also in the job's output). */
export interface RunMetrics {
  stability_score?: number;
  bottleneck_count?: number;
  average_utilization?: number;
  bottlenecks?: Bottleneck[];
  recommendations?: string[];
  most_affected?: { uri: string; label?: string; score: number; peak_utilization: number }[];
}

export interface Change {
  before: number;
  after: number;
  change: number;
}

/** Run b's figures minus run a's (or a what-if's after minus before). */
export interface RunDifference {
  entities?: {
    uri: string;
    label?: string;
    average_utilization: Change;
    peak_utilization: Change;
    bottleneck_steps: Change;
  }[];
  resolved_bottlenecks?: string[];
  new_bottlenecks?: string[];
  [figure: string]: unknown;
}

export interface Analysis {
  critical_entities?: { uri: string; label?: string; betweenness: number; dependents: number; reach: number }[];
  single_points_of_failure?: { uri: string; label?: string; sole_source_for: number }[];
  articulation_point_count?: number;
}

export interface TimelineEntity {
  uri: string;
  utilization: number[];
  status: string[];
  bottleneck_steps: number;
  peak_utilization: number;
}

const path = (twinId: string) => ({ params: { path: { twin_id: twinId } } });

export function useTwins() {
  return useQuery({
    queryKey: ["twins"],
    queryFn: async () => unwrap(await api.GET("/api/v1/twins", { params: { query: { page: 1, page_size: 200 } } })),
  });
}

export function useTwin(twinId: string) {
  return useQuery({
    queryKey: ["twin", twinId],
    queryFn: async () => unwrap(await api.GET("/api/v1/twins/{twin_id}", path(twinId))),
  });
}

export function useTwinAnalysis(twinId: string, revision: number | undefined) {
  return useQuery({
    queryKey: ["twin", twinId, "analysis", revision],
    enabled: revision !== undefined,
    queryFn: async () => unwrap(await api.GET("/api/v1/twins/{twin_id}/analysis", path(twinId))) as unknown as Analysis,
  });
}

export function useScenarios(twinId: string) {
  return useQuery({
    queryKey: ["twin", twinId, "scenarios"],
    queryFn: async () => unwrap(await api.GET("/api/v1/twins/{twin_id}/scenarios", path(twinId))),
  });
}

export function useTwinRuns(twinId: string) {
  return useQuery({
    queryKey: ["twin", twinId, "runs"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/twins/{twin_id}/runs", {
          params: { path: { twin_id: twinId }, query: { page: 1, page_size: 50 } },
        }),
      ),
  });
}

export function useTwinRun(twinId: string, runId: string) {
  return useQuery({
    queryKey: ["twin", twinId, "run", runId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/twins/{twin_id}/runs/{run_id}", {
          params: { path: { twin_id: twinId, run_id: runId } },
        }),
      ),
  });
}

export function useRunTimeline(twinId: string, runId: string, entities: string[]) {
  return useQuery({
    queryKey: ["twin", twinId, "run", runId, "timeline", entities],
    enabled: entities.length > 0,
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/twins/{twin_id}/runs/{run_id}/timeline", {
          params: { path: { twin_id: twinId, run_id: runId }, query: { entities: entities.join(",") } },
        }),
      ),
  });
}

export function useRunComparison(twinId: string, runA: string, runB: string) {
  return useQuery({
    queryKey: ["twin", twinId, "compare", runA, runB],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/twins/{twin_id}/runs/{run_a}/compare/{run_b}", {
          params: { path: { twin_id: twinId, run_a: runA, run_b: runB } },
        }),
      ),
  });
}
