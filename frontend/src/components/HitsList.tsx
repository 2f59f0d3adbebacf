import type { Schemas } from "../api/client";

type Hit = Schemas["Hit"];

/** How full a hit's bar is (0-1): relative to the best and worst score shown, so dot and euclid read too. For
 * euclid the score is a distance, so smaller is better. */
export function scoreFraction(score: number | null | undefined, scores: number[], distance?: string): number {
  if (score == null || scores.length === 0) return 0;
  if (distance === "cosine" || distance === undefined) return Math.max(0, Math.min(1, score));
  const best = distance === "euclid" ? Math.min(...scores) : Math.max(...scores);
  const worst = distance === "euclid" ? Math.max(...scores) : Math.min(...scores);
  if (best === worst) return 1;
  return Math.max(0.05, (score - worst) / (best - worst));
}

/** A short one-line view of a payload, for tables of hits and points. */
export function payloadPreview(payload: Hit["payload"], maxLength = 160): string {
  if (!payload || Object.keys(payload).length === 0) return "";
  const text = JSON.stringify(payload);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** Search hits, best first: score (number and bar), key and a payload preview. */
export function HitsList({ hits, distance }: { hits: Hit[]; distance?: string }) {
  if (hits.length === 0) return <p className="muted">No hits.</p>;
  const scores = hits.map((h) => h.score).filter((s): s is number => typeof s === "number");
  return (
    <div className="table-wrap">
      <table aria-label="Search hits">
        <thead>
          <tr>
            <th>Score</th>
            <th>Key</th>
            <th>Payload</th>
          </tr>
        </thead>
        <tbody>
          {hits.map((hit) => {
            const fraction = scoreFraction(hit.score, scores, distance);
            return (
              <tr key={hit.id}>
                <td style={{ minWidth: 140 }}>
                  <span className="mono">{hit.score == null ? "—" : hit.score.toFixed(3)}</span>
                  <div
                    className="progress"
                    role="meter"
                    aria-label={`Score of ${hit.key ?? hit.id}`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={Math.round(fraction * 100)}
                  >
                    <div style={{ width: `${Math.round(fraction * 100)}%` }} />
                  </div>
                </td>
                <td className="mono">{hit.key ?? <span className="muted">{hit.id}</span>}</td>
                <td className="mono muted">{payloadPreview(hit.payload)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
