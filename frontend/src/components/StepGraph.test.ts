import { stepGraph } from "./StepGraph";

describe("stepGraph", () => {
  it("links a step to the one whose output it reads, and others to the step before", () => {
    const { nodes, edges } = stepGraph([
      { name: "read", plugin: "Input.csv", output: "sales" },
      { name: "other", plugin: "Input.json", output: "extra" },
      { name: "totals", plugin: "Data_Processing.transform", config: { input: "sales" } },
    ]);
    expect(nodes).toHaveLength(3);
    expect(edges.map((e) => `${e.source}->${e.target}`)).toEqual(["0->1", "0->2"]);
    expect(edges[1].label).toBe("sales");
  });
});
