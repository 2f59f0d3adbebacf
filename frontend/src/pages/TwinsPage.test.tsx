import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { SessionProvider, useSession } from "../auth/session";
import { parseTwinJson, TwinsPage } from "./TwinsPage";

function answer(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

function serve(role: string, permissions: string[]) {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = (input as Request).url;
    if (url.includes("/auth/whoami")) return answer({ key_id: "k", name: "tester", role, permissions });
    return answer({
      items: [
        { id: "t1", name: "plant", model_type: "supply_chain", entity_count: 3, relationship_count: 2, revision: 4 },
      ],
      total: 1,
      page: 1,
      page_size: 200,
    });
  });
}

// As in the app (routes.tsx), pages render once the key's principal is known.
function SignedIn() {
  return useSession().principal ? <TwinsPage /> : null;
}

function renderPage() {
  sessionStorage.setItem("mimir.apiKey", "mimir_key");
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <SessionProvider>
          <SignedIn />
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("TwinsPage", () => {
  afterEach(() => vi.restoreAllMocks());

  it("lists twins with their counts and revision, and a viewer gets no create button", async () => {
    serve("viewer", ["twins:read"]);
    renderPage();
    expect(await screen.findByRole("row", { name: /plant supply_chain 3 2 4/ })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New twin" })).not.toBeInTheDocument();
  });

  it("offers an operator a twin from JSON or from Turtle", async () => {
    serve("operator", ["twins:read", "twins:write"]);
    renderPage();
    (await screen.findByRole("button", { name: "New twin" })).click();
    expect(await screen.findByLabelText(/Twin JSON/)).toBeInTheDocument();
    expect(screen.getByRole("tab", { name: "Import Turtle" })).toBeInTheDocument();
  });

  it("refuses twin JSON that does not parse before sending it", () => {
    expect(() => parseTwinJson("{")).toThrow(/not valid JSON/);
    expect(() => parseTwinJson("[]")).toThrow(/must be a JSON object/);
  });
});
