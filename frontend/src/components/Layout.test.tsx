import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { SessionProvider } from "../auth/session";
import { Layout } from "./Layout";

function whoami(role: string, permissions: string[]) {
  vi.spyOn(globalThis, "fetch").mockResolvedValue(
    new Response(JSON.stringify({ key_id: "k", name: "tester", role, permissions }), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    }),
  );
}

describe("Layout", () => {
  afterEach(() => vi.restoreAllMocks());

  it("shows only the sections the key's role may use", async () => {
    sessionStorage.setItem("mimir.apiKey", "mimir_viewer");
    whoami("viewer", ["pipelines:read", "jobs:read", "monitoring:read"]);
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>
          <SessionProvider>
            <Layout />
          </SessionProvider>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(screen.getByText("viewer")).toBeInTheDocument());
    expect(screen.getByRole("link", { name: /Pipelines/ })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /API keys/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /Schedules/ })).not.toBeInTheDocument();
  });
});
