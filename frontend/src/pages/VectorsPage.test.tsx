import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { SessionProvider } from "../auth/session";
import { VectorsPage } from "./VectorsPage";

const COLLECTIONS = [{ name: "docs", dimension: 384, distance: "cosine", embedder: { kind: "hashing" }, points: 3 }];

function serve(permissions: string[]) {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = (input as Request).url;
    const body = url.endsWith("/auth/whoami") ? { key_id: "k", name: "t", role: "r", permissions } : COLLECTIONS;
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  });
}

function renderPage() {
  sessionStorage.setItem("mimir.apiKey", "mimir_key");
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <SessionProvider>
          <VectorsPage />
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("VectorsPage", () => {
  afterEach(() => vi.restoreAllMocks());

  it("lists collections with dimension, distance, embedder and points", async () => {
    serve(["vectors:read", "vectors:write"]);
    renderPage();
    const link = await screen.findByRole("link", { name: "docs" });
    const row = link.closest("tr")!;
    expect(row).toHaveTextContent("384");
    expect(row).toHaveTextContent("cosine");
    expect(row).toHaveTextContent("hashing");
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete collection docs" })).toBeInTheDocument());
    expect(screen.getByRole("button", { name: "New collection" })).toBeInTheDocument();
  });

  it("shows a viewer no create or delete", async () => {
    serve(["vectors:read"]);
    renderPage();
    await screen.findByRole("link", { name: "docs" });
    // Let the session's whoami settle, so the absence below is the role's doing, not a pending sign-in.
    await waitFor(() => expect(vi.mocked(globalThis.fetch).mock.results.length).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByRole("button", { name: "New collection" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
  });
});
