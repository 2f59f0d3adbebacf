import { render, screen, within } from "@testing-library/react";
import { RunFindings } from "./RunFindings";

describe("RunFindings", () => {
  it("lists each bottleneck with its interval, and the recommendations", () => {
    render(
      <RunFindings
        metrics={{
          stability_score: 81.234,
          bottleneck_count: 1,
          bottlenecks: [{ uri: "ex:line", label: "line", from_step: 5, duration: 4 }],
          recommendations: ["add capacity to line"],
        }}
      />,
    );
    expect(screen.getByText("81.2")).toBeInTheDocument();
    expect(within(screen.getByRole("list", { name: "Bottlenecks" })).getByRole("listitem")).toHaveTextContent(
      "line: from step 5 for 4 steps",
    );
    expect(screen.getByRole("list", { name: "Recommendations" })).toHaveTextContent("add capacity to line");
  });

  it("says so when there is no bottleneck", () => {
    render(<RunFindings metrics={{ bottlenecks: [], recommendations: [] }} />);
    expect(screen.getByText("No bottleneck.")).toBeInTheDocument();
  });
});
