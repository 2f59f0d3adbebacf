import { render, screen } from "@testing-library/react";
import { bottleneckAreas, timelineRows, UtilizationTimeline } from "./UtilizationTimeline";

// jsdom has no layout, so no ResizeObserver; recharts' container only needs it to exist here.
class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

describe("UtilizationTimeline", () => {
  beforeAll(() => vi.stubGlobal("ResizeObserver", NoResize));
  afterAll(() => vi.unstubAllGlobals());

  const entities = [
    { uri: "a", utilization: [0.5, 1, 1], status: [], bottleneck_steps: 2, peak_utilization: 1 },
    { uri: "b", utilization: [0.25, 0.3, 0.2], status: [], bottleneck_steps: 0, peak_utilization: 0.3 },
  ];

  it("makes one row per step with utilization in percent", () => {
    expect(timelineRows(entities, 4)).toEqual([
      { step: 4, a: 50, b: 25 },
      { step: 5, a: 100, b: 30 },
      { step: 6, a: 100, b: 20 },
    ]);
  });

  it("marks a bottleneck from its first step to its last, only for entities charted", () => {
    const bottlenecks = [
      { uri: "a", from_step: 1, duration: 2 },
      { uri: "z", from_step: 0, duration: 5 },
    ];
    expect(bottleneckAreas(bottlenecks, new Set(["a", "b"]))).toEqual([{ uri: "a", x1: 1, x2: 2 }]);
  });

  it("says how many bottleneck intervals are shaded", () => {
    render(
      <UtilizationTimeline
        entities={entities}
        bottlenecks={[{ uri: "a", from_step: 1, duration: 2 }]}
        labels={{ a: "line", b: "press" }}
      />,
    );
    expect(screen.getByText("1 bottleneck interval shaded in red.")).toBeInTheDocument();
  });
});
