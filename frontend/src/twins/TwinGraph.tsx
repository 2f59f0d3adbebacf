import { Background, Controls, MarkerType, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import type { TwinEntity, TwinRelationship } from "../api/twins";

// Past this many entities the graph is unreadable and slow to draw; the state table lists the rest.
export const MAX_DRAWN = 300;

/** How an entity looks at a glance: out (failed or unavailable), over capacity, busy, or fine. */
export function entityCondition(entity: TwinEntity): "out" | "over" | "busy" | "ok" {
  const state = entity.state ?? {};
  if (state.status === "failed" || state.available === false || state.status === "unavailable") return "out";
  const utilization = state.utilization ?? 0;
  if (utilization >= 1) return "over";
  if (utilization >= 0.8) return "busy";
  return "ok";
}

/** Nodes in layers: an entity sits one column right of the deepest entity with a relationship into it
 * (cycles are cut where they close), so flows read left to right. */
export function twinGraph(
  entities: TwinEntity[],
  relationships: TwinRelationship[],
): { nodes: Node[]; edges: Edge[]; hidden: number } {
  const drawn = entities.slice(0, MAX_DRAWN);
  const known = new Set(drawn.map((e) => e.uri));
  const links = relationships.filter((r) => known.has(r.source_uri) && known.has(r.target_uri));
  const incoming = new Map<string, string[]>();
  for (const r of links) incoming.set(r.target_uri, [...(incoming.get(r.target_uri) ?? []), r.source_uri]);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (uri: string): number => {
    const known = depth.get(uri);
    if (known !== undefined) return known;
    if (visiting.has(uri)) return 0;
    visiting.add(uri);
    const sources = (incoming.get(uri) ?? []).filter((s) => s !== uri);
    const d = sources.length ? Math.max(...sources.map(depthOf)) + 1 : 0;
    visiting.delete(uri);
    depth.set(uri, d);
    return d;
  };
  const rows = new Map<number, number>();
  const nodes: Node[] = drawn.map((entity) => {
    const column = depthOf(entity.uri);
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    const utilization = Math.round((entity.state?.utilization ?? 0) * 100);
    return {
      id: entity.uri,
      position: { x: column * 220, y: row * 90 },
      data: { label: `${entity.label || entity.uri}\n${entity.type ?? ""} · ${utilization}%` },
      className: `flow-node twin-${entityCondition(entity)}`,
      style: { whiteSpace: "pre-line", fontSize: 12, width: 170 },
    };
  });
  const edges: Edge[] = links.map((r, i) => ({
    id: `${i}`,
    source: r.source_uri,
    target: r.target_uri,
    label: r.type,
    markerEnd: { type: MarkerType.ArrowClosed },
    style: { strokeWidth: 1 + 2 * (r.strength ?? 1) },
  }));
  return { nodes, edges, hidden: entities.length - drawn.length };
}

export function TwinGraph({ entities, relationships }: { entities: TwinEntity[]; relationships: TwinRelationship[] }) {
  const { nodes, edges, hidden } = useMemo(() => twinGraph(entities, relationships), [entities, relationships]);
  return (
    <>
      <div className="graph twin-graph" role="group" aria-label={`Twin graph: ${entities.length} entities`}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          fitView
          fitViewOptions={{ maxZoom: 1 }}
          nodesConnectable={false}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      <p className="muted legend">
        <span className="swatch twin-ok" /> under 80% <span className="swatch twin-busy" /> 80–99%{" "}
        <span className="swatch twin-over" /> at capacity <span className="swatch twin-out" /> failed or unavailable
        {hidden > 0 && ` · the first ${MAX_DRAWN} entities are drawn; ${hidden} more are in the state table`}
      </p>
    </>
  );
}
