import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { parseFilter, VectorSearch } from "./VectorSearch";

function renderSearch() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <VectorSearch collection="docs" distance="cosine" />
    </QueryClientProvider>,
  );
}

describe("VectorSearch", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reads a filter only when it is a JSON object", () => {
    expect(parseFilter("")).toEqual({});
    expect(parseFilter('{"lang": "en"}')).toEqual({ filter: { lang: "en" } });
    expect(parseFilter("[1]").problem).toMatch(/JSON object/);
    expect(parseFilter("{lang").problem).toMatch(/not JSON/);
  });

  it("sends query, limit and filter, and shows the scored hits", async () => {
    const fetch = vi.spyOn(globalThis, "fetch").mockResolvedValue(
      new Response(JSON.stringify({ hits: [{ id: "p1", key: "doc-1", score: 0.75, payload: { lang: "en" } }] }), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      }),
    );
    renderSearch();
    await userEvent.type(screen.getByLabelText("Query"), "apples");
    await userEvent.type(screen.getByLabelText(/Filter/), '{{"lang": "en"}');
    await userEvent.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() => expect(screen.getByRole("meter", { name: "Score of doc-1" })).toBeInTheDocument());
    const request = fetch.mock.calls[0][0] as Request;
    expect(request.url).toMatch(/\/api\/v1\/vectors\/collections\/docs\/search$/);
    expect(await request.json()).toEqual({ query: "apples", limit: 10, filter: { lang: "en" } });
  });

  it("refuses an empty query without asking the server", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    renderSearch();
    await userEvent.click(screen.getByRole("button", { name: "Search" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Type some text");
    expect(fetch).not.toHaveBeenCalled();
  });
});
