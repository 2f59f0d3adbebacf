import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, toApiError, unwrap, type ApiError } from "../api/client";
import { useWorkflow, useWorkflowRuns } from "../api/workflows";
import { Can, useSession } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { JobsTable } from "../components/JobsTable";
import { WorkflowGraph, type GraphTask } from "../components/WorkflowGraph";
import { YamlEditor } from "../components/YamlEditor";
import type { LocatedProblem } from "../lib/diagnostics";

const TEMPLATE = `name: nightly
inputs: [regions]
tasks:
  - id: extract
    pipeline: extract            # a stored pipeline, by name
  - id: per_region
    depends_on: [extract]
    for_each: regions            # one child job per item of the run's context list
    retries: 1
    pipeline_yaml: |
      name: per-region
      steps:
        - {name: show, plugin: Utility.noop, config: {value: "{{ context.item }}"}}
`;
const DEBOUNCE_MS = 350;

/** Problems of unsaved workflow YAML, from the API, 350 ms after typing stops. */
function useWorkflowProblems(yaml: string): LocatedProblem[] {
  const [problems, setProblems] = useState<LocatedProblem[]>([]);
  useEffect(() => {
    if (!yaml.trim()) return;
    let isCurrent = true;
    const timer = setTimeout(async () => {
      const result = await api.POST("/api/v1/workflows/validate", { body: { workflow_yaml: yaml } });
      if (isCurrent && result.data) setProblems(result.data.errors ?? []);
    }, DEBOUNCE_MS);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [yaml]);
  return problems;
}

export function WorkflowDetailPage() {
  const { workflowId = "new" } = useParams();
  const isNew = workflowId === "new";
  const workflow = useWorkflow(workflowId, !isNew);
  const { can } = useSession();
  const [yaml, setYaml] = useState<string | null>(isNew ? TEMPLATE : null);
  const text = yaml ?? workflow.data?.workflow_yaml ?? "";
  const problems = useWorkflowProblems(text);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: async () =>
      isNew
        ? unwrap(await api.POST("/api/v1/workflows", { body: { workflow_yaml: text } }))
        : unwrap(
            await api.PUT("/api/v1/workflows/{workflow_id}", {
              params: { path: { workflow_id: workflowId } },
              body: { workflow_yaml: text },
            }),
          ),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ["workflows"] });
      queryClient.setQueryData(["workflow", saved.id], saved);
      setYaml(null);
      if (isNew) navigate(`/workflows/${saved.id}`);
    },
  });
  if (!isNew && workflow.error) return <ErrorMessage error={workflow.error} title="Could not load the workflow" />;
  if (!isNew && !workflow.data) return <p className="muted">Loading…</p>;
  const tasks = ((workflow.data?.definition as { tasks?: GraphTask[] } | undefined)?.tasks ?? []) as GraphTask[];
  return (
    <>
      <div className="page-head">
        <h1>{isNew ? "New workflow" : workflow.data?.name}</h1>
        {!isNew && <span className="muted">revision {workflow.data?.revision}</span>}
      </div>
      {!isNew && tasks.length > 0 && (
        <div className="card">
          <h2>Tasks</h2>
          <WorkflowGraph tasks={tasks} />
        </div>
      )}
      {!isNew && (
        <Can permission="workflows:run">
          <RunWorkflowForm workflowId={workflowId} />
        </Can>
      )}
      <div className="card">
        <h2>Definition</h2>
        <YamlEditor
          value={text}
          onChange={can("workflows:write") ? setYaml : undefined}
          readOnly={!can("workflows:write")}
          problems={problems}
          label="Workflow YAML"
        />
        {problems.length > 0 && (
          <ul className="problems" aria-label="Problems">
            {problems.map((p) => (
              <li key={`${p.location}:${p.message}`}>
                <code>{p.location}</code> {p.message}
              </li>
            ))}
          </ul>
        )}
        <ErrorMessage error={save.error} title="Not saved" />
        <Can permission="workflows:write">
          <button
            className="primary"
            disabled={save.isPending || (!isNew && yaml === null)}
            onClick={() => save.mutate()}
          >
            {isNew ? "Create workflow" : "Save"}
          </button>
        </Can>
      </div>
      {!isNew && <WorkflowRunsCard workflowId={workflowId} />}
    </>
  );
}

function RunWorkflowForm({ workflowId }: { workflowId: string }) {
  const [context, setContext] = useState("{}");
  const navigate = useNavigate();
  const run = useMutation({
    mutationFn: async () => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(context) as Record<string, unknown>;
      } catch {
        throw toApiError(400, { message: "The context must be a JSON object." });
      }
      return unwrap(
        await api.POST("/api/v1/workflows/{workflow_id}/run", {
          params: { path: { workflow_id: workflowId } },
          body: { context: parsed },
        }),
      );
    },
    onSuccess: (accepted) => navigate(`/workflows/runs/${accepted.job_id}`),
  });
  return (
    <div className="card">
      <h2>Run</h2>
      <div className="field">
        <label htmlFor="workflow-context">Context (JSON)</label>
        <textarea id="workflow-context" rows={3} value={context} onChange={(e) => setContext(e.target.value)} />
      </div>
      <ErrorMessage error={run.error as ApiError | null} title="Not started" />
      <button className="primary" disabled={run.isPending} onClick={() => run.mutate()}>
        Run workflow
      </button>
    </div>
  );
}

function WorkflowRunsCard({ workflowId }: { workflowId: string }) {
  const runs = useWorkflowRuns(workflowId);
  return (
    <div className="card">
      <h2>Runs</h2>
      <ErrorMessage error={runs.error} />
      {runs.data && runs.data.items?.length === 0 && <p className="muted">No runs yet.</p>}
      {(runs.data?.items?.length ?? 0) > 0 && (
        <>
          <JobsTable jobs={runs.data?.items ?? []} showPipeline={false} />
          <p className="muted">
            {runs.data?.items?.map((r) => (
              <Link key={r.id} to={`/workflows/runs/${r.id}`} style={{ marginRight: 12 }}>
                run view {r.id?.slice(0, 8)}
              </Link>
            ))}
          </p>
        </>
      )}
    </div>
  );
}
