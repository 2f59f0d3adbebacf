import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useRunTimeline, useTwin, useTwinRun, type RunMetrics, type TimelineEntity } from "../api/twins";
import { ErrorMessage } from "../components/ErrorMessage";
import { formatDuration, formatTime } from "../lib/format";
import { RunFindings } from "../twins/RunFindings";
import { UtilizationTimeline } from "../twins/UtilizationTimeline";

// A chart with more lines than this is a tangle; the user picks which to draw.
const CHARTED = 6;

/** Which entities to chart first: the bottlenecked ones, then the most affected, then the rest. */
export function defaultCharted(metrics: RunMetrics, uris: string[]): string[] {
  const ordered = [
    ...(metrics.bottlenecks ?? []).map((b) => b.uri),
    ...(metrics.most_affected ?? []).map((m) => m.uri),
    ...uris,
  ];
  return [...new Set(ordered)].slice(0, CHARTED);
}

export function TwinRunPage() {
  const { twinId = "", runId = "" } = useParams();
  const run = useTwinRun(twinId, runId);
  const twin = useTwin(twinId);
  const [picked, setPicked] = useState<string[] | null>(null);
  const metrics = (run.data?.metrics ?? {}) as RunMetrics;
  const entities = (twin.data?.entities ?? []) as unknown as { uri: string; label?: string }[];
  const labels = Object.fromEntries(entities.map((e) => [e.uri, e.label || e.uri]));
  const charted =
    picked ??
    (run.data
      ? defaultCharted(
          metrics,
          entities.map((e) => e.uri),
        )
      : []);
  const timeline = useRunTimeline(twinId, runId, charted);
  if (run.error) return <ErrorMessage error={run.error} title="Could not load the run" />;
  if (!run.data) return <p className="muted">Loading…</p>;
  const data = run.data;
  const toggle = (uri: string) =>
    setPicked(charted.includes(uri) ? charted.filter((u) => u !== uri) : [...charted, uri].slice(-CHARTED));
  return (
    <>
      <div className="page-head">
        <h1>
          Run <span className="mono">{data.id?.slice(0, 8)}</span>
        </h1>
        <span className="muted">
          <Link to={`/twins/${twinId}`}>{twin.data?.name ?? "twin"}</Link> · {String(data.scenario_name ?? "")} ·
          revision {data.twin_revision} · {data.duration} steps · seed {data.seed} · {data.kind}
        </span>
      </div>
      <section className="card">
        <RunFindings metrics={metrics} />
        <p className="muted">
          Simulated in {formatDuration(data.simulation_seconds)} · stored {formatTime(data.created_at)}
          {data.job_id && (
            <>
              {" "}
              · job <Link to={`/jobs/${data.job_id}`}>{data.job_id.slice(0, 8)}</Link>
            </>
          )}
        </p>
      </section>
      <section className="card">
        <h2>Utilization timeline</h2>
        <ErrorMessage error={timeline.error} />
        {timeline.data && (
          <UtilizationTimeline
            entities={(timeline.data.entities ?? []) as unknown as TimelineEntity[]}
            bottlenecks={metrics.bottlenecks ?? []}
            labels={labels}
            firstStep={timeline.data.from ?? 0}
          />
        )}
        <fieldset className="entity-picker">
          <legend>Entities charted (up to {CHARTED})</legend>
          {entities.slice(0, 200).map((e) => (
            <label key={e.uri}>
              <input type="checkbox" checked={charted.includes(e.uri)} onChange={() => toggle(e.uri)} /> {labels[e.uri]}
            </label>
          ))}
        </fieldset>
      </section>
      {data.whatif && (
        <section className="card">
          <h2>What-if changes</h2>
          <pre className="output">
            {JSON.stringify((data.whatif as { changes?: unknown }).changes ?? data.whatif, null, 2)}
          </pre>
        </section>
      )}
      <section className="card">
        <h2>Event log</h2>
        {(data.event_log ?? []).length ? (
          <pre className="output" tabIndex={0} aria-label="Event log">
            {(data.event_log ?? []).map((e) => JSON.stringify(e)).join("\n")}
          </pre>
        ) : (
          <p className="muted">No events applied.</p>
        )}
      </section>
    </>
  );
}
