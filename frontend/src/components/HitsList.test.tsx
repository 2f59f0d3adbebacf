import { render, screen, within } from "@testing-library/react";
import { HitsList, payloadPreview, scoreFraction } from "./HitsList";

describe("HitsList", () => {
  it("renders each hit's score, bar, key and payload, best first as given", () => {
    render(
      <HitsList
        distance="cosine"
        hits={[
          { id: "a", key: "doc-1", score: 0.9, payload: { text: "red apples" } },
          { id: "b", key: "doc-2", score: 0.25, payload: { text: "green pears" } },
        ]}
      />,
    );
    const rows = within(screen.getByRole("table", { name: "Search hits" }))
      .getAllByRole("row")
      .slice(1);
    expect(rows[0]).toHaveTextContent("0.900");
    expect(rows[0]).toHaveTextContent("doc-1");
    expect(rows[0]).toHaveTextContent('{"text":"red apples"}');
    expect(screen.getByRole("meter", { name: "Score of doc-1" })).toHaveAttribute("aria-valuenow", "90");
    expect(screen.getByRole("meter", { name: "Score of doc-2" })).toHaveAttribute("aria-valuenow", "25");
  });

  it("says so when nothing matched", () => {
    render(<HitsList hits={[]} />);
    expect(screen.getByText("No hits.")).toBeInTheDocument();
  });

  it("fills the bar of the nearest euclid hit, whose distance is smallest", () => {
    expect(scoreFraction(0.5, [0.5, 2.5], "euclid")).toBe(1);
    expect(scoreFraction(2.5, [0.5, 2.5], "euclid")).toBeLessThan(0.1);
    expect(scoreFraction(30, [10, 30], "dot")).toBe(1);
  });

  it("cuts long payloads short", () => {
    expect(payloadPreview({ text: "x".repeat(500) }, 20)).toHaveLength(20);
    expect(payloadPreview({})).toBe("");
  });
});
