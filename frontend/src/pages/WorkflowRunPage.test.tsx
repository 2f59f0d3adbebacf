import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { SessionProvider, useSession } from "../auth/session";
import { WorkflowRunPage } from "./WorkflowRunPage";

// jsdom has no layout, so no ResizeObserver; React Flow only needs it to exist here.
class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

function answer(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

const FAILED_RUN = {
  job: { id: "j1", status: "failed", error: "task(s) failed: b: boom; skipped: d" },
  status: "failed",
  workflow_id: "w1",
  workflow_name: "nightly",
  revision: 3,
  resumed_from: null,
  tasks: [
    {
      id: "a",
      depends_on: [],
      status: "succeeded",
      instance_counts: { succeeded: 1 },
      instances: [{ item_index: -1, status: "succeeded", attempt: 1, job_id: "c-a" }],
    },
    {
      id: "b",
      depends_on: ["a"],
      status: "failed",
      error: "boom",
      instance_counts: { failed: 1 },
      instances: [{ item_index: -1, status: "failed", attempt: 2, job_id: "c-b" }],
    },
    { id: "d", depends_on: ["b"], status: "skipped", instance_counts: {}, instances: [] },
  ],
};

function serve(role: string, permissions: string[]) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const request = input as Request;
    if (request.url.includes("/auth/whoami")) return answer({ key_id: "k", name: "tester", role, permissions });
    if (request.url.endsWith("/resume"))
      return new Response(JSON.stringify({ job_id: "j2", kind: "workflow" }), {
        status: 202,
        headers: { "Content-Type": "application/json" },
      });
    return answer(FAILED_RUN);
  });
}

function SignedIn() {
  return useSession().principal ? <WorkflowRunPage /> : null;
}

function renderPage() {
  sessionStorage.setItem("mimir.apiKey", "mimir_key");
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/workflows/runs/j1"]}>
        <SessionProvider>
          <Routes>
            <Route path="/workflows/runs/:jobId" element={<SignedIn />} />
          </Routes>
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("WorkflowRunPage", () => {
  beforeAll(() => vi.stubGlobal("ResizeObserver", NoResize));
  afterAll(() => vi.unstubAllGlobals());
  afterEach(() => vi.restoreAllMocks());

  it("shows each task's status, attempts and error, and the run's error", async () => {
    serve("viewer", ["workflows:read"]);
    renderPage();
    const row = await screen.findByRole("row", { name: /^b failed/ });
    expect(within(row).getByRole("link", { name: /job \(try 2\)/ })).toHaveAttribute("href", "/jobs/c-b");
    expect(within(row).getByText("boom")).toBeInTheDocument();
    expect(screen.getByRole("row", { name: /^d skipped/ })).toBeInTheDocument();
    expect(screen.getByText("task(s) failed: b: boom; skipped: d")).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "Workflow graph: a, b, d" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Resume" })).not.toBeInTheDocument();
  });

  it("lets an operator resume a failed run", async () => {
    const fetched = serve("operator", ["workflows:read", "workflows:run", "jobs:cancel"]);
    renderPage();
    (await screen.findByRole("button", { name: "Resume" })).click();
    await vi.waitFor(() =>
      expect(fetched.mock.calls.some(([r]) => (r as Request).url.endsWith("/api/v1/workflows/runs/j1/resume"))).toBe(
        true,
      ),
    );
    expect(screen.queryByRole("button", { name: "Cancel" })).not.toBeInTheDocument();
  });
});
