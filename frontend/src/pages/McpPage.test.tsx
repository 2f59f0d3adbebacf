import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { SessionProvider } from "../auth/session";
import { McpPage, mcpHttpUrl } from "./McpPage";

const OVERVIEW = {
  connection: {
    stdio_command: "mimir mcp --api-key <key>",
    http_path: "/mcp",
    http_port: 8090,
    http_url: null,
    http_enabled: true,
  },
  tools: [
    {
      name: "list_pipelines",
      description: "List stored pipelines by name.",
      permission: "pipelines:read",
      mirrors: "GET /api/v1/pipelines",
      read_only: true,
      allowed: true,
      input_schema: { type: "object", properties: { page: { type: "integer" } } },
    },
    {
      name: "enqueue_pipeline",
      description: "Queue a run of a pipeline.",
      permission: "pipelines:execute",
      mirrors: "POST /api/v1/queue/pipelines/enqueue",
      read_only: false,
      allowed: false,
      input_schema: { type: "object", properties: {} },
    },
  ],
};

function renderPage() {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = (input as Request).url;
    const body = url.endsWith("/auth/whoami")
      ? { key_id: "k", name: "t", role: "viewer", permissions: ["mcp:read"] }
      : OVERVIEW;
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  });
  sessionStorage.setItem("mimir.apiKey", "mimir_key");
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <SessionProvider>
          <McpPage />
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("McpPage", () => {
  afterEach(() => vi.restoreAllMocks());

  it("shows how to connect, with copy buttons that copy the command and the URL", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    renderPage();
    const copyCommand = await screen.findByRole("button", { name: "Copy mimir mcp --api-key <key>" });
    fireEvent.click(copyCommand);
    expect(writeText).toHaveBeenCalledWith("mimir mcp --api-key <key>");
    const url = `${window.location.protocol}//${window.location.hostname}:8090/mcp`;
    fireEvent.click(screen.getByRole("button", { name: `Copy ${url}` }));
    expect(writeText).toHaveBeenLastCalledWith(url);
  });

  it("lists every tool with its permission and marks those the key may not call", async () => {
    renderPage();
    const enqueue = (await screen.findByText("enqueue_pipeline")).closest("summary")!;
    expect(enqueue).toHaveTextContent("pipelines:execute");
    expect(enqueue).toHaveTextContent("not allowed for this key");
    const list = screen.getByText("list_pipelines").closest("summary")!;
    expect(list).not.toHaveTextContent("not allowed");
  });

  it("gives a public URL that is a path as one on the page's own origin", () => {
    const location = { origin: "https://mimir.example", protocol: "https:", hostname: "mimir.example" };
    expect(mcpHttpUrl({ ...OVERVIEW.connection, http_url: "/mcp" }, location)).toBe("https://mimir.example/mcp");
    expect(mcpHttpUrl(OVERVIEW.connection, location)).toBe("https://mimir.example:8090/mcp");
  });
});
