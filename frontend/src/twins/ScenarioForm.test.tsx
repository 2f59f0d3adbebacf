import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ScenarioForm, scenarioBody } from "./ScenarioForm";

describe("ScenarioForm", () => {
  afterEach(() => vi.restoreAllMocks());

  it("turns the typed fields into the scenario the API takes", () => {
    const body = scenarioBody(" surge ", "20", "", [
      { type: "demand_surge", target_uri: "ex:line", step: "5", duration: "4", severity: "0.5" },
    ]);
    expect(body).toMatchObject({ name: "surge", duration: 20, seed: 0 });
    expect(body.events[0]).toMatchObject({ type: "demand_surge", target_uri: "ex:line", step: 5, duration: 4 });
    expect(body.events[0].impact.severity).toBe(0.5);
  });

  it("shows the API's refusal of a scenario, located", async () => {
    const fetch = vi.spyOn(globalThis, "fetch").mockResolvedValue(
      new Response(
        JSON.stringify({
          code: 422,
          status: "Unprocessable Entity",
          message: "The scenario has 1 problem",
          errors: [{ location: "events[0].step", message: "must be below the duration" }],
        }),
        { status: 422, headers: { "Content-Type": "application/json" } },
      ),
    );
    render(
      <QueryClientProvider client={new QueryClient()}>
        <ScenarioForm twinId="t1" entities={[{ uri: "ex:line", label: "line" }]} />
      </QueryClientProvider>,
    );
    await userEvent.type(screen.getByLabelText("Scenario name"), "late");
    await userEvent.clear(screen.getByLabelText("Step"));
    await userEvent.type(screen.getByLabelText("Step"), "99");
    await userEvent.click(screen.getByRole("button", { name: "Create scenario" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("must be below the duration");
    const sent = (await (fetch.mock.calls[0][0] as Request).json()) as { events: { step: number }[] };
    expect(sent.events[0].step).toBe(99);
  });
});
