import { render, screen } from "@testing-library/react";
import { DifferenceTable, signed } from "./DifferenceTable";

describe("DifferenceTable", () => {
  it("signs changes", () => {
    expect([signed(0.25), signed(-3), signed(0)]).toEqual(["+0.25", "−3", "0"]);
  });

  it("shows each figure before, after and its change, and the bottlenecks resolved", () => {
    render(
      <DifferenceTable
        difference={{
          bottleneck_count: { before: 1, after: 0, change: -1 },
          resolved_bottlenecks: ["ex:line"],
          new_bottlenecks: [],
          entities: [],
        }}
      />,
    );
    expect(screen.getByRole("row", { name: "bottleneck count 1 0 −1" })).toBeInTheDocument();
    expect(screen.getByText(/Resolved bottlenecks: ex:line/)).toBeInTheDocument();
  });
});
