import { useState } from "react";
import { usePoints } from "../api/vectors";
import { ErrorMessage } from "./ErrorMessage";
import { payloadPreview } from "./HitsList";

/** The stored points a page at a time, in id order; the API pages by offset token, so "back" replays the trail. */
export function PointsScroll({ collection }: { collection: string }) {
  const [trail, setTrail] = useState<(string | undefined)[]>([undefined]);
  const offset = trail[trail.length - 1];
  const points = usePoints(collection, offset);
  const items = points.data?.items ?? [];
  const next = points.data?.next_offset;
  return (
    <>
      <ErrorMessage error={points.error} />
      {points.data && items.length === 0 && <p className="muted">No points stored yet.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Stored points">
            <thead>
              <tr>
                <th>Key</th>
                <th>Id</th>
                <th>Payload</th>
              </tr>
            </thead>
            <tbody>
              {items.map((point) => (
                <tr key={point.id}>
                  <td className="mono">{point.key ?? "—"}</td>
                  <td className="mono muted">{point.id}</td>
                  <td className="mono muted">{payloadPreview(point.payload)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pagination actions">
        <button type="button" disabled={trail.length <= 1} onClick={() => setTrail((t) => t.slice(0, -1))}>
          Previous
        </button>
        <button type="button" disabled={!next} onClick={() => setTrail((t) => [...t, next ?? undefined])}>
          Next
        </button>
      </div>
    </>
  );
}
