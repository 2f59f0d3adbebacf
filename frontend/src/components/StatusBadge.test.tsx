import { render, screen } from "@testing-library/react";
import { StatusBadge } from "./StatusBadge";

describe("StatusBadge", () => {
  it("shows the status as words, not colour alone", () => {
    render(<StatusBadge status="not_configured" />);
    expect(screen.getByText("not configured")).toHaveClass("badge-not_configured");
  });

  it("shows an unknown status in the neutral tone", () => {
    render(<StatusBadge status="exploded" />);
    expect(screen.getByText("exploded")).toHaveClass("badge-unknown");
  });
});
