import type { Change, RunDifference } from "../api/twins";

function isChange(value: unknown): value is Change {
  return Boolean(value && typeof value === "object" && "change" in value && "before" in value);
}

/** Signed, rounded: "+0.25", "−3". */
export function signed(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  return rounded > 0 ? `+${rounded}` : rounded < 0 ? `−${Math.abs(rounded)}` : "0";
}

/** The summary figures that moved between two runs (before, after, change), the entities that moved
 * most, and bottlenecks resolved and new. */
export function DifferenceTable({ difference }: { difference: RunDifference }) {
  const figures = Object.entries(difference).filter((entry): entry is [string, Change] => isChange(entry[1]));
  return (
    <div>
      <div className="table-wrap">
        <table aria-label="Difference of figures">
          <thead>
            <tr>
              <th>Figure</th>
              <th>Before</th>
              <th>After</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {figures.map(([name, c]) => (
              <tr key={name}>
                <td>{name.replaceAll("_", " ")}</td>
                <td>{c.before}</td>
                <td>{c.after}</td>
                <td className={c.change === 0 ? "muted" : ""}>{signed(c.change)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        Resolved bottlenecks:{" "}
        {difference.resolved_bottlenecks?.length ? difference.resolved_bottlenecks.join(", ") : "none"} · New
        bottlenecks: {difference.new_bottlenecks?.length ? difference.new_bottlenecks.join(", ") : "none"}
      </p>
      {(difference.entities?.length ?? 0) > 0 && (
        <div className="table-wrap">
          <table aria-label="Entities that moved most">
            <thead>
              <tr>
                <th>Entity</th>
                <th>Average utilization</th>
                <th>Peak utilization</th>
                <th>Bottleneck steps</th>
              </tr>
            </thead>
            <tbody>
              {difference.entities!.map((e) => (
                <tr key={e.uri}>
                  <td>{e.label || e.uri}</td>
                  <td>{signed(e.average_utilization.change)}</td>
                  <td>{signed(e.peak_utilization.change)}</td>
                  <td>{signed(e.bottleneck_steps.change)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
