import { entityCondition, MAX_DRAWN, twinGraph } from "./TwinGraph";

describe("twinGraph", () => {
  const entities = [
    { uri: "a", label: "press", type: "machine", state: { utilization: 0.5 } },
    { uri: "b", label: "line", type: "machine", state: { utilization: 0.9 } },
    { uri: "c", label: "dock", type: "site", state: { utilization: 1 } },
  ];

  it("puts each entity one column right of what flows into it", () => {
    const { nodes, edges } = twinGraph(entities, [
      { source_uri: "a", target_uri: "b", type: "supplies" },
      { source_uri: "b", target_uri: "c", type: "supplies" },
    ]);
    expect(nodes.map((n) => n.position.x)).toEqual([0, 220, 440]);
    expect(edges.map((e) => [e.source, e.target, e.label])).toEqual([
      ["a", "b", "supplies"],
      ["b", "c", "supplies"],
    ]);
  });

  it("survives a cycle and labels each node with its utilization", () => {
    const { nodes } = twinGraph(entities.slice(0, 2), [
      { source_uri: "a", target_uri: "b" },
      { source_uri: "b", target_uri: "a" },
    ]);
    expect(nodes).toHaveLength(2);
    expect(String(nodes[1].data.label)).toContain("90%");
  });

  it("colours entities by condition: fine, busy, at capacity, out", () => {
    expect(entities.map(entityCondition)).toEqual(["ok", "busy", "over"]);
    expect(entityCondition({ uri: "d", state: { status: "failed", utilization: 0 } })).toBe("out");
    expect(entityCondition({ uri: "e", state: { available: false } })).toBe("out");
  });

  it("draws at most MAX_DRAWN entities and says how many it left out", () => {
    const many = Array.from({ length: MAX_DRAWN + 5 }, (_, i) => ({ uri: `u${i}` }));
    const { nodes, hidden } = twinGraph(many, []);
    expect(nodes).toHaveLength(MAX_DRAWN);
    expect(hidden).toBe(5);
  });
});
