import { Background, Controls, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";

export interface GraphStep {
  name?: string;
  plugin?: string;
  output?: string | null;
  config?: { input?: unknown } & Record<string, unknown>;
}

/** Nodes and edges of a pipeline: a step feeds the step whose `config.input` names its output, and steps
 * that name no input follow the one before them. */
export function stepGraph(steps: GraphStep[], statuses: Record<string, string> = {}): { nodes: Node[]; edges: Edge[] } {
  const producer = new Map<string, string>();
  const nodes: Node[] = steps.map((step, i) => ({
    id: String(i),
    position: { x: i * 210, y: i % 2 === 0 ? 0 : 70 },
    data: { label: `${step.name ?? `step ${i + 1}`}\n${step.plugin ?? ""}` },
    className: `flow-node status-${statuses[step.name ?? ""] ?? "none"}`,
    style: { whiteSpace: "pre-line", fontSize: 12, width: 170 },
  }));
  const edges: Edge[] = [];
  steps.forEach((step, i) => {
    const input = typeof step.config?.input === "string" ? step.config.input : null;
    const from = input !== null ? producer.get(input) : i > 0 ? String(i - 1) : undefined;
    if (from !== undefined) {
      edges.push({
        id: `${from}-${i}`,
        source: from,
        target: String(i),
        label: input ?? undefined,
        animated: statuses[step.name ?? ""] === "running",
      });
    }
    producer.set(step.output || step.name || String(i), String(i));
  });
  return { nodes, edges };
}

export function StepGraph({ steps, statuses }: { steps: GraphStep[]; statuses?: Record<string, string> }) {
  const { nodes, edges } = useMemo(() => stepGraph(steps, statuses), [steps, statuses]);
  return (
    <div className="graph" role="group" aria-label={`Pipeline graph: ${steps.map((s) => s.name).join(" → ")}`}>
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
