import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import {
  useScenarios,
  useTwin,
  useTwinAnalysis,
  useTwinRuns,
  type TwinEntity,
  type TwinRelationship,
} from "../api/twins";
import { Can, useSession } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { Tabs } from "../components/Tabs";
import { formatTime } from "../lib/format";
import { EntityStateTable } from "../twins/EntityStateTable";
import { RunWatch } from "../twins/RunWatch";
import { ScenarioForm } from "../twins/ScenarioForm";
import { TwinGraph } from "../twins/TwinGraph";
import { WhatIfForm } from "../twins/WhatIfForm";

type Tab = "graph" | "analysis" | "scenarios" | "runs" | "whatif";

interface Watched {
  jobId: string;
  title: string;
}

export function TwinDetailPage() {
  const { twinId = "" } = useParams();
  const twin = useTwin(twinId);
  const [tab, setTab] = useState<Tab>("graph");
  const [watched, setWatched] = useState<Watched | null>(null);
  const { can } = useSession();
  if (twin.error) return <ErrorMessage error={twin.error} title="Could not load the twin" />;
  if (!twin.data) return <p className="muted">Loading…</p>;
  const data = twin.data;
  const entities = (data.entities ?? []) as unknown as TwinEntity[];
  const relationships = (data.relationships ?? []) as unknown as TwinRelationship[];
  return (
    <>
      <div className="page-head">
        <h1>{data.name}</h1>
        <span className="muted">
          {data.model_type} · revision {data.revision} · {data.entity_count} entities · {data.relationship_count}{" "}
          relationships
        </span>
      </div>
      {data.description && <p>{data.description}</p>}
      {watched && <RunWatch key={watched.jobId} twinId={twinId} jobId={watched.jobId} title={watched.title} />}
      <Tabs
        label="Twin sections"
        items={[
          { id: "graph", label: "Graph and state" },
          { id: "analysis", label: "Analysis" },
          { id: "scenarios", label: "Scenarios" },
          { id: "runs", label: "Runs" },
          { id: "whatif", label: "What-if" },
        ]}
        selected={tab}
        onSelect={setTab}
      >
        {tab === "graph" && (
          <>
            <section className="card">
              <h2>Entities and relationships</h2>
              <TwinGraph entities={entities} relationships={relationships} />
            </section>
            <section className="card">
              <h2>State</h2>
              <EntityStateTable entities={entities} />
            </section>
          </>
        )}
        {tab === "analysis" && <AnalysisSection twinId={twinId} revision={data.revision} />}
        {tab === "scenarios" && (
          <ScenariosSection
            twinId={twinId}
            entities={entities}
            onQueued={(jobId, name) => setWatched({ jobId, title: `Run of ${name}` })}
          />
        )}
        {tab === "runs" && <RunsSection twinId={twinId} />}
        {tab === "whatif" && (
          <section className="card">
            <h2>What if…</h2>
            {can("twins:write") ? (
              <WhatIfForm
                twinId={twinId}
                entities={entities}
                onQueued={(jobId) => setWatched({ jobId, title: "What-if" })}
              />
            ) : (
              <p className="muted">Trying changes needs the twins:write permission.</p>
            )}
          </section>
        )}
      </Tabs>
    </>
  );
}

function AnalysisSection({ twinId, revision }: { twinId: string; revision: number | undefined }) {
  const analysis = useTwinAnalysis(twinId, revision);
  const data = analysis.data;
  return (
    <div className="grid">
      <ErrorMessage error={analysis.error} />
      <section className="card">
        <h2>Critical entities</h2>
        {data?.critical_entities?.length ? (
          <div className="table-wrap">
            <table aria-label="Critical entities">
              <thead>
                <tr>
                  <th>Entity</th>
                  <th>Betweenness</th>
                  <th>Dependents</th>
                  <th>Reach</th>
                </tr>
              </thead>
              <tbody>
                {data.critical_entities.map((e) => (
                  <tr key={e.uri}>
                    <td>{e.label || e.uri}</td>
                    <td>{e.betweenness.toFixed(3)}</td>
                    <td>{e.dependents}</td>
                    <td>{e.reach}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{data ? "No critical entities." : "Loading…"}</p>
        )}
      </section>
      <section className="card">
        <h2>Single points of failure</h2>
        {data?.single_points_of_failure?.length ? (
          <ul aria-label="Single points of failure">
            {data.single_points_of_failure.map((e) => (
              <li key={e.uri}>
                <strong>{e.label || e.uri}</strong>: sole source for {e.sole_source_for}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{data ? "None: every entity has another source." : "Loading…"}</p>
        )}
        {data && (
          <p className="muted">
            {data.articulation_point_count ?? 0} articulation points (removing one splits the graph).
          </p>
        )}
      </section>
    </div>
  );
}

function ScenariosSection({
  twinId,
  entities,
  onQueued,
}: {
  twinId: string;
  entities: TwinEntity[];
  onQueued: (jobId: string, name: string) => void;
}) {
  const scenarios = useScenarios(twinId);
  const run = useMutation({
    mutationFn: async (scenario: { id: string; name: string }) => {
      const queued = unwrap(
        await api.POST("/api/v1/twins/{twin_id}/scenarios/{scenario_id}/run", {
          params: { path: { twin_id: twinId, scenario_id: scenario.id } },
          body: { context: {} },
        }),
      );
      return { jobId: queued.job_id ?? "", name: scenario.name };
    },
    onSuccess: ({ jobId, name }) => onQueued(jobId, name),
  });
  const items = scenarios.data ?? [];
  return (
    <>
      <section className="card">
        <h2>Scenarios</h2>
        <ErrorMessage error={scenarios.error ?? run.error} />
        {scenarios.data && items.length === 0 && <p className="muted">No scenarios yet.</p>}
        {items.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Scenarios">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Steps</th>
                  <th>Events</th>
                  <th>Created</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((s) => {
                  const definition = (s.definition ?? {}) as { duration?: number; events?: unknown[] };
                  return (
                    <tr key={s.id}>
                      <td>{s.name}</td>
                      <td>{definition.duration}</td>
                      <td>{definition.events?.length ?? 0}</td>
                      <td>{formatTime(s.created_at)}</td>
                      <td>
                        <Can permission="twins:write">
                          <button
                            type="button"
                            onClick={() => run.mutate({ id: s.id ?? "", name: s.name ?? "" })}
                            disabled={run.isPending}
                            aria-label={`Run ${s.name}`}
                          >
                            Run
                          </button>
                        </Can>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Can permission="twins:write">
        <section className="card">
          <h2>New scenario</h2>
          <ScenarioForm twinId={twinId} entities={entities} />
        </section>
      </Can>
    </>
  );
}

function RunsSection({ twinId }: { twinId: string }) {
  const runs = useTwinRuns(twinId);
  const navigate = useNavigate();
  const [runA, setRunA] = useState("");
  const [runB, setRunB] = useState("");
  const items = runs.data?.items ?? [];
  return (
    <section className="card">
      <h2>Runs</h2>
      <ErrorMessage error={runs.error} />
      {runs.data && items.length === 0 && <p className="muted">No runs yet.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Runs">
            <thead>
              <tr>
                <th>A</th>
                <th>B</th>
                <th>Run</th>
                <th>Scenario</th>
                <th>Kind</th>
                <th>Revision</th>
                <th>Stability</th>
                <th>Bottlenecks</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <input
                      type="radio"
                      name="run-a"
                      aria-label={`Compare from ${r.id?.slice(0, 8)}`}
                      checked={runA === r.id}
                      onChange={() => setRunA(r.id ?? "")}
                    />
                  </td>
                  <td>
                    <input
                      type="radio"
                      name="run-b"
                      aria-label={`Compare to ${r.id?.slice(0, 8)}`}
                      checked={runB === r.id}
                      onChange={() => setRunB(r.id ?? "")}
                    />
                  </td>
                  <td>
                    <Link className="mono" to={`/twins/${twinId}/runs/${r.id}`}>
                      {r.id?.slice(0, 8)}
                    </Link>
                  </td>
                  <td>{String(r.scenario_name ?? "")}</td>
                  <td>{r.kind}</td>
                  <td>{r.twin_revision}</td>
                  <td>{typeof r.stability_score === "number" ? r.stability_score.toFixed(1) : "—"}</td>
                  <td>{String(r.bottleneck_count ?? "—")}</td>
                  <td>{formatTime(r.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {items.length > 1 && (
        <div className="actions">
          <button
            type="button"
            disabled={!runA || !runB || runA === runB}
            onClick={() => navigate(`/twins/${twinId}/compare/${runA}/${runB}`)}
          >
            Compare A → B
          </button>
        </div>
      )}
    </section>
  );
}
