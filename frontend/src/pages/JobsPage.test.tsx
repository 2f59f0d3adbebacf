import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { SessionProvider } from "../auth/session";
import { JobsPage } from "./JobsPage";

const KINDS = [
  {
    name: "digital_twin",
    queue: "mimir.twins",
    description: "a twin simulation",
    is_schedulable: true,
    is_queueable: true,
  },
  { name: "echo", queue: "test.echo", description: "a test kind", is_schedulable: true, is_queueable: true },
  {
    name: "pipeline",
    queue: "mimir.pipelines",
    description: "a pipeline run",
    is_schedulable: true,
    is_queueable: false,
  },
];

function serve() {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = new URL((input as Request).url);
    const bodies: Record<string, unknown> = {
      "/api/v1/auth/whoami": { key_id: "k", name: "t", role: "viewer", permissions: ["jobs:read"] },
      "/api/v1/queue/kinds": KINDS,
      "/api/v1/queue/jobs": { items: [], total: 0, page: 1, page_size: 25 },
      "/api/v1/pipelines": { items: [], total: 0, page: 1, page_size: 200 },
    };
    return new Response(JSON.stringify(bodies[url.pathname] ?? {}), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    });
  });
}

describe("JobsPage", () => {
  afterEach(() => vi.restoreAllMocks());

  it("offers the installed kinds as filters, not only the kinds of the jobs shown", async () => {
    serve();
    sessionStorage.setItem("mimir.apiKey", "mimir_key");
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={["/jobs"]}>
          <SessionProvider>
            <JobsPage />
          </SessionProvider>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const kind = screen.getByLabelText("Kind");
    expect(await within(kind).findByRole("option", { name: "echo" })).toHaveAttribute("title", "a test kind");
    expect(
      within(kind)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["Any", "digital_twin", "echo", "pipeline"]);
  });
});
