import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { SessionProvider, useSession } from "../auth/session";
import { TwinDetailPage } from "./TwinDetailPage";

// jsdom has no layout, so no ResizeObserver; React Flow only needs it to exist here.
class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

function answer(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

function serve(role: string, permissions: string[]) {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = new URL((input as Request).url);
    if (url.pathname.endsWith("/auth/whoami")) return answer({ key_id: "k", name: "tester", role, permissions });
    if (url.pathname.endsWith("/scenarios"))
      return answer([{ id: "s1", twin_id: "t1", name: "surge", definition: { duration: 20, events: [{}] } }]);
    return answer({
      id: "t1",
      name: "plant",
      model_type: "supply_chain",
      revision: 2,
      entity_count: 1,
      relationship_count: 0,
      entities: [{ uri: "ex:line", label: "line", type: "machine", state: { utilization: 0.8, capacity: 100 } }],
      relationships: [],
    });
  });
}

// As in the app (routes.tsx), pages render once the key's principal is known.
function SignedIn() {
  return useSession().principal ? <TwinDetailPage /> : null;
}

async function openScenarios() {
  sessionStorage.setItem("mimir.apiKey", "mimir_key");
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/twins/t1"]}>
        <SessionProvider>
          <Routes>
            <Route path="/twins/:twinId" element={<SignedIn />} />
          </Routes>
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  await userEvent.click(await screen.findByRole("tab", { name: "Scenarios" }));
  await screen.findByRole("table", { name: "Scenarios" });
}

describe("TwinDetailPage", () => {
  beforeAll(() => vi.stubGlobal("ResizeObserver", NoResize));
  afterAll(() => vi.unstubAllGlobals());
  afterEach(() => vi.restoreAllMocks());

  it("shows a viewer the scenarios without Run or the new-scenario form", async () => {
    serve("viewer", ["twins:read"]);
    await openScenarios();
    expect(screen.getByRole("row", { name: /surge 20 1/ })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Run surge" })).not.toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "New scenario" })).not.toBeInTheDocument();
  });

  it("gives an operator Run and the new-scenario form", async () => {
    serve("operator", ["twins:read", "twins:write"]);
    await openScenarios();
    expect(await screen.findByRole("button", { name: "Run surge" })).toBeInTheDocument();
    expect(screen.getByRole("form", { name: "New scenario" })).toBeInTheDocument();
  });
});
