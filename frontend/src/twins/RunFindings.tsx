import type { RunMetrics } from "../api/twins";

/** A run's headline: stability score, bottlenecks (who, from which step, how long) and recommendations. */
export function RunFindings({ metrics }: { metrics: RunMetrics }) {
  const bottlenecks = metrics.bottlenecks ?? [];
  const recommendations = metrics.recommendations ?? [];
  return (
    <>
      <div className="stats">
        <div className="stat">
          <div className="value">{metrics.stability_score?.toFixed(1) ?? "—"}</div>
          <div className="label">Stability score (0–100)</div>
        </div>
        <div className="stat">
          <div className="value">{metrics.bottleneck_count ?? bottlenecks.length}</div>
          <div className="label">Bottlenecks</div>
        </div>
        <div className="stat">
          <div className="value">{Math.round((metrics.average_utilization ?? 0) * 100)}%</div>
          <div className="label">Average utilization</div>
        </div>
      </div>
      <div className="grid">
        <div>
          <h3>Bottlenecks</h3>
          {bottlenecks.length ? (
            <ul aria-label="Bottlenecks">
              {bottlenecks.map((b, i) => (
                <li key={`${b.uri}-${i}`}>
                  <strong>{b.label || b.uri}</strong>: from step {b.from_step} for {b.duration} step
                  {b.duration === 1 ? "" : "s"}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No bottleneck.</p>
          )}
        </div>
        <div>
          <h3>Recommendations</h3>
          {recommendations.length ? (
            <ul aria-label="Recommendations">
              {recommendations.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">Nothing to recommend.</p>
          )}
        </div>
      </div>
    </>
  );
}
