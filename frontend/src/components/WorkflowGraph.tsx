import { Background, Controls, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";

export interface GraphTask {
  id: string;
  depends_on?: string[];
  pipeline?: string | null;
  status?: string;
  instance_count?: number;
  is_fanout?: boolean;
}

/** Nodes and edges of a workflow's DAG: a task sits one column right of its deepest dependency; tasks of a
 * column are stacked in definition order. */
export function workflowGraph(tasks: GraphTask[]): { nodes: Node[]; edges: Edge[] } {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // a cycle cannot be stored; stay finite anyway
    seen.add(id);
    const deps = (byId.get(id)?.depends_on ?? []).filter((d) => byId.has(d));
    const value = deps.length ? Math.max(...deps.map((d) => depthOf(d, seen))) + 1 : 0;
    depth.set(id, value);
    return value;
  };
  const rows = new Map<number, number>();
  const nodes: Node[] = tasks.map((task) => {
    const column = depthOf(task.id, new Set());
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    const fan = task.is_fanout ? ` ×${task.instance_count ?? "?"}` : "";
    return {
      id: task.id,
      position: { x: column * 220, y: row * 90 },
      data: { label: `${task.id}${fan}\n${task.status ?? task.pipeline ?? "inline pipeline"}` },
      className: `flow-node status-${task.status ?? "none"}`,
      style: { whiteSpace: "pre-line", fontSize: 12, width: 180 },
    };
  });
  const edges: Edge[] = tasks.flatMap((task) =>
    (task.depends_on ?? [])
      .filter((d) => byId.has(d))
      .map((d) => ({ id: `${d}->${task.id}`, source: d, target: task.id, animated: task.status === "running" })),
  );
  return { nodes, edges };
}

export function WorkflowGraph({ tasks }: { tasks: GraphTask[] }) {
  const { nodes, edges } = useMemo(() => workflowGraph(tasks), [tasks]);
  return (
    <div className="graph" role="group" aria-label={`Workflow graph: ${tasks.map((t) => t.id).join(", ")}`}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
