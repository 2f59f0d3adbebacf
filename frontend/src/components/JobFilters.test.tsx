import { fireEvent, render, screen, within } from "@testing-library/react";
import { JobFilters } from "./JobFilters";

const KINDS = [
  {
    name: "digital_twin",
    queue: "mimir.twins",
    description: "a twin simulation",
    is_schedulable: true,
    is_queueable: true,
  },
  {
    name: "pipeline",
    queue: "mimir.pipelines",
    description: "a pipeline run",
    is_schedulable: true,
    is_queueable: false,
  },
];

describe("JobFilters", () => {
  it("offers every installed kind, described, and reports a choice by filter name", () => {
    const onChange = vi.fn();
    render(<JobFilters values={{}} pipelines={[{ id: "p1", name: "sales" }]} kinds={KINDS} onChange={onChange} />);
    const kind = screen.getByLabelText("Kind");
    const options = within(kind).getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["Any", "digital_twin", "pipeline"]);
    expect(options[1]).toHaveAttribute("title", "a twin simulation");
    fireEvent.change(kind, { target: { value: "digital_twin" } });
    expect(onChange).toHaveBeenCalledWith("kind", "digital_twin");
    fireEvent.change(screen.getByLabelText("Pipeline"), { target: { value: "p1" } });
    expect(onChange).toHaveBeenCalledWith("pipeline_id", "p1");
    fireEvent.change(screen.getByLabelText("Status"), { target: { value: "failed" } });
    expect(onChange).toHaveBeenCalledWith("status", "failed");
    fireEvent.change(screen.getByLabelText("Trigger"), { target: { value: "scheduler" } });
    expect(onChange).toHaveBeenCalledWith("triggered_by", "scheduler");
  });

  it("keeps a chosen kind that is no longer installed selectable", () => {
    render(<JobFilters values={{ kind: "echo" }} pipelines={[]} kinds={KINDS} onChange={() => {}} />);
    const kind = screen.getByLabelText("Kind") as HTMLSelectElement;
    expect(kind.value).toBe("echo");
    expect(within(kind).getByRole("option", { name: "echo (not installed)" })).toBeInTheDocument();
  });
});
