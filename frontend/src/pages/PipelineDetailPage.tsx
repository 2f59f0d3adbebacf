import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { LiveIndicator } from "../api/live";
import { useJobs, usePipeline } from "../api/queries";
import { Can } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { JobsTable } from "../components/JobsTable";
import { Pagination } from "../components/Pagination";
import { RevisionDiff } from "../components/RevisionDiff";
import { RunForm } from "../components/RunForm";
import { StatusBadge } from "../components/StatusBadge";
import { StepGraph, type GraphStep } from "../components/StepGraph";
import { Tabs } from "../components/Tabs";
import { formatTime } from "../lib/format";

type Tab = "overview" | "runs" | "revisions";

export function PipelineDetailPage() {
  const { pipelineId = "" } = useParams();
  const pipeline = usePipeline(pipelineId);
  const [tab, setTab] = useState<Tab>("overview");
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const clone = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/pipelines/{pipeline_id}/clone", {
          params: { path: { pipeline_id: pipelineId } },
          body: {},
        }),
      ),
    onSuccess: (copy) => {
      void queryClient.invalidateQueries({ queryKey: ["pipelines"] });
      navigate(`/pipelines/${copy.id}`);
    },
  });
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE("/api/v1/pipelines/{pipeline_id}", { params: { path: { pipeline_id: pipelineId } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["pipelines"] });
      navigate("/pipelines");
    },
  });

  if (pipeline.error) return <ErrorMessage error={pipeline.error} title="Could not load the pipeline" />;
  const data = pipeline.data;
  if (!data) return <p className="muted">Loading…</p>;
  const definition = (data.definition ?? {}) as { steps?: GraphStep[]; inputs?: string[] };

  return (
    <>
      <div className="page-head">
        <h1>
          {data.name} <StatusBadge status={data.enabled ? "enabled" : "disabled"} />
        </h1>
        <span className="muted">revision {data.revision}</span>
        <div className="actions">
          <Can permission="pipelines:write">
            <Link className="button" to={`/pipelines/${data.id}/edit`}>
              Edit
            </Link>
            <button type="button" onClick={() => clone.mutate()} disabled={clone.isPending}>
              Clone
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => window.confirm(`Delete pipeline "${data.name}" and its history?`) && remove.mutate()}
              disabled={remove.isPending}
            >
              Delete
            </button>
          </Can>
        </div>
      </div>
      <ErrorMessage error={clone.error ?? remove.error} />
      {data.description && <p>{data.description}</p>}
      <Tabs
        label="Pipeline sections"
        items={[
          { id: "overview", label: "Overview" },
          { id: "runs", label: "Run history" },
          { id: "revisions", label: "Revisions" },
        ]}
        selected={tab}
        onSelect={setTab}
      >
        {tab === "overview" && (
          <div className="grid">
            <section className="card" style={{ gridColumn: "1 / -1" }}>
              <h2>Steps</h2>
              <StepGraph steps={definition.steps ?? []} />
            </section>
            <Can permission="pipelines:execute">
              <section className="card">
                <h2>Run now</h2>
                <RunForm pipelineId={data.id ?? ""} inputs={definition.inputs ?? []} />
              </section>
            </Can>
            <section className="card">
              <h2>Definition</h2>
              <pre className="output" tabIndex={0}>
                {data.source_yaml ?? JSON.stringify(data.definition, null, 2)}
              </pre>
            </section>
          </div>
        )}
        {tab === "runs" && <RunHistory pipelineId={pipelineId} />}
        {tab === "revisions" && <Revisions pipelineId={pipelineId} current={data.revision ?? 1} />}
      </Tabs>
    </>
  );
}

function RunHistory({ pipelineId }: { pipelineId: string }) {
  const [page, setPage] = useState(1);
  const jobs = useJobs({ pipeline_id: pipelineId, page, page_size: 20 });
  return (
    <section className="card">
      <h2>
        Run history <LiveIndicator />
      </h2>
      <ErrorMessage error={jobs.error} />
      <JobsTable jobs={jobs.data?.items ?? []} showPipeline={false} />
      {jobs.data && <Pagination page={page} pageSize={20} total={jobs.data.total ?? 0} onPage={setPage} />}
    </section>
  );
}

function Revisions({ pipelineId, current }: { pipelineId: string; current: number }) {
  const history = useQuery({
    queryKey: ["pipeline", pipelineId, "history"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/pipelines/{pipeline_id}/history", { params: { path: { pipeline_id: pipelineId } } }),
      ),
  });
  const revisions = history.data ?? [];
  const [against, setAgainst] = useState<number | null>(null);
  const base = revisions.find((r) => r.revision === (against ?? current - 1));
  const latest = revisions.find((r) => r.revision === current);
  const text = (r?: (typeof revisions)[number]) => r?.source_yaml ?? JSON.stringify(r?.definition ?? {}, null, 2);
  return (
    <section className="card">
      <h2>Revisions</h2>
      <ErrorMessage error={history.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Revision</th>
              <th>Name</th>
              <th>Saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {revisions.map((r) => (
              <tr key={r.revision}>
                <td>
                  {r.revision}
                  {r.revision === current && <span className="muted"> (current)</span>}
                </td>
                <td>{r.name}</td>
                <td>{formatTime(r.created_at)}</td>
                <td>
                  {r.revision !== current && (
                    <button
                      type="button"
                      onClick={() => setAgainst(r.revision ?? null)}
                      aria-pressed={base?.revision === r.revision}
                    >
                      Compare with current
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {base && latest && base !== latest ? (
        <>
          <h3 style={{ fontSize: 14 }}>
            Revision {base.revision} (left) → revision {latest.revision} (right)
          </h3>
          <RevisionDiff before={text(base)} after={text(latest)} />
        </>
      ) : (
        <p className="muted">Only one revision so far: nothing to compare.</p>
      )}
    </section>
  );
}
