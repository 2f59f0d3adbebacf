import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { parseValue, RunForm } from "./RunForm";

describe("RunForm", () => {
  it("reads typed values as JSON when they parse, else as text", () => {
    expect(parseValue("3")).toBe(3);
    expect(parseValue('["a"]')).toEqual(["a"]);
    expect(parseValue("north")).toBe("north");
  });

  it("offers a labelled field per declared input and refuses a context that is not an object", async () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>
          <RunForm pipelineId="p1" inputs={["run_name"]} />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(screen.getByLabelText(/run_name/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/Additional context/), "[[1]");
    await userEvent.click(screen.getByRole("button", { name: "Run now" }));
    expect(screen.getByRole("alert")).toHaveTextContent("must be a JSON object");
  });
});
