import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { Bottleneck, TimelineEntity } from "../api/twins";

const COLOURS = ["#2451b8", "#b42318", "#136c34", "#8a5300", "#6b3fa0", "#0f766e", "#9d174d", "#4b5563"];

/** One row per step with each entity's utilization in percent, keyed by uri. */
export function timelineRows(entities: TimelineEntity[], firstStep = 0): Record<string, number>[] {
  const steps = Math.max(0, ...entities.map((e) => e.utilization.length));
  return Array.from({ length: steps }, (_, i) => {
    const row: Record<string, number> = { step: firstStep + i };
    for (const e of entities) if (i < e.utilization.length) row[e.uri] = Math.round(e.utilization[i] * 1000) / 10;
    return row;
  });
}

/** Bottleneck intervals as chart areas: [from_step, last step] per bottleneck of a shown entity. */
export function bottleneckAreas(
  bottlenecks: Bottleneck[],
  shown: Set<string>,
): { x1: number; x2: number; uri: string }[] {
  return bottlenecks
    .filter((b) => shown.has(b.uri))
    .map((b) => ({ uri: b.uri, x1: b.from_step, x2: b.from_step + Math.max(b.duration, 1) - 1 }));
}

export function UtilizationTimeline({
  entities,
  bottlenecks,
  labels,
  firstStep = 0,
}: {
  entities: TimelineEntity[];
  bottlenecks: Bottleneck[];
  labels: Record<string, string>;
  firstStep?: number;
}) {
  const rows = timelineRows(entities, firstStep);
  const areas = bottleneckAreas(bottlenecks, new Set(entities.map((e) => e.uri)));
  return (
    <figure className="chart" aria-label="Utilization per step, bottleneck intervals shaded">
      <ResponsiveContainer width="100%" height={300}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} allowDecimals={false} />
          <YAxis unit="%" domain={[0, 100]} />
          <Tooltip />
          <Legend />
          {areas.map((a, i) => (
            <ReferenceArea
              key={`${a.uri}-${i}`}
              x1={a.x1}
              x2={a.x2}
              fill="#b42318"
              fillOpacity={0.12}
              label={{ value: `bottleneck: ${labels[a.uri] ?? a.uri}`, position: "insideTop", fontSize: 11 }}
            />
          ))}
          {entities.map((e, i) => (
            <Line
              key={e.uri}
              dataKey={e.uri}
              name={labels[e.uri] ?? e.uri}
              stroke={COLOURS[i % COLOURS.length]}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="muted">
        {areas.length
          ? `${areas.length} bottleneck interval${areas.length === 1 ? "" : "s"} shaded in red.`
          : "No bottleneck among the entities shown."}
      </figcaption>
    </figure>
  );
}
