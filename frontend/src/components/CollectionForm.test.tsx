import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CollectionForm, collectionBody, collectionProblems } from "./CollectionForm";

function renderForm(onCreated = vi.fn()) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <CollectionForm onCreated={onCreated} />
    </QueryClientProvider>,
  );
  return onCreated;
}

describe("CollectionForm", () => {
  afterEach(() => vi.restoreAllMocks());

  it("refuses a bad name and a missing dimension before sending anything", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    renderForm();
    await userEvent.type(screen.getByLabelText("Name"), "bad name!");
    await userEvent.selectOptions(screen.getByLabelText("Embedder"), "none");
    await userEvent.clear(screen.getByLabelText("Dimension"));
    await userEvent.click(screen.getByRole("button", { name: "Create collection" }));
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText(/starting with a letter or digit/)).toBeInTheDocument();
    expect(screen.getByText(/needs a dimension/)).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("sends name, embedder with dimension and distance", () => {
    expect(collectionProblems({ name: "docs", embedder: "hashing", dimension: "", distance: "dot" })).toEqual({});
    expect(collectionBody({ name: " docs ", embedder: "none", dimension: "3", distance: "euclid" })).toEqual({
      name: "docs",
      distance: "euclid",
      embedder: { kind: "none", dimension: 3 },
    });
    expect(collectionProblems({ name: "d", embedder: "hashing", dimension: "2.5", distance: "cosine" })).toHaveProperty(
      "dimension",
    );
  });

  it("shows the API's message and the field it names", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(
      new Response(
        JSON.stringify({
          code: 409,
          status: "Conflict",
          message: "Collection docs exists.",
          errors: [{ location: "json.name", message: "taken" }],
        }),
        { status: 409, headers: { "Content-Type": "application/json" } },
      ),
    );
    const onCreated = renderForm();
    await userEvent.type(screen.getByLabelText("Name"), "docs");
    await userEvent.click(screen.getByRole("button", { name: "Create collection" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("Collection docs exists."));
    expect(screen.getByRole("alert")).toHaveTextContent("json.name taken");
    expect(onCreated).not.toHaveBeenCalled();
  });
});
