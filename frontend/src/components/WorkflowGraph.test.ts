import { workflowGraph } from "./WorkflowGraph";

describe("workflowGraph", () => {
  it("puts each task one column right of its deepest dependency, with an edge per dependency", () => {
    const { nodes, edges } = workflowGraph([
      { id: "a" },
      { id: "b", depends_on: ["a"] },
      { id: "c", depends_on: ["a"], status: "running" },
      { id: "d", depends_on: ["b", "c"], is_fanout: true, instance_count: 3, status: "pending" },
    ]);
    const at = Object.fromEntries(nodes.map((n) => [n.id, n.position]));
    expect(at).toEqual({ a: { x: 0, y: 0 }, b: { x: 220, y: 0 }, c: { x: 220, y: 90 }, d: { x: 440, y: 0 } });
    expect(edges.map((e) => e.id).sort()).toEqual(["a->b", "a->c", "b->d", "c->d"]);
    expect(edges.find((e) => e.id === "a->c")?.animated).toBe(true);
    expect(nodes.find((n) => n.id === "d")?.className).toBe("flow-node status-pending");
    expect(String(nodes.find((n) => n.id === "d")?.data.label)).toContain("d ×3");
  });
});
