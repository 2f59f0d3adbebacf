import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";
import { SchemaView } from "../components/SchemaView";

// How an AI assistant connects to the MCP server, and its tools (described by the server's own definitions,
// through GET /api/v1/mcp/tools), marking those this key's role may not call.
export function McpPage() {
  const overview = useQuery({
    queryKey: ["mcp-tools"],
    queryFn: async () => unwrap(await api.GET("/api/v1/mcp/tools")),
  });
  const connection = overview.data?.connection;
  const httpUrl = connection ? mcpHttpUrl(connection, window.location) : "";
  return (
    <>
      <div className="page-head">
        <h1>MCP</h1>
      </div>
      <p className="muted">
        AI assistants (Claude Desktop, Cursor, any Model Context Protocol client) drive Mimir through these tools. They
        act with an API key: its role decides which tools they may call.
      </p>
      <ErrorMessage error={overview.error} />
      {connection && (
        <section className="card" aria-labelledby="mcp-connect">
          <h2 id="mcp-connect">Connect</h2>
          <CopyLine label="Desktop assistant (stdio): the command it starts" value={connection.stdio_command ?? ""} />
          {connection.http_enabled ? (
            <CopyLine label="Remote (Streamable HTTP), with Authorization: Bearer <key>" value={httpUrl} />
          ) : (
            <p className="muted">The HTTP transport is off on this server (mcp.enabled).</p>
          )}
        </section>
      )}
      {overview.data && (
        <section className="card" aria-labelledby="mcp-tools">
          <h2 id="mcp-tools">Tools ({overview.data.tools?.length ?? 0})</h2>
          {(overview.data.tools ?? []).map((tool) => (
            <ToolEntry key={tool.name} tool={tool} />
          ))}
        </section>
      )}
    </>
  );
}

function ToolEntry({ tool }: { tool: Schemas["McpTool"] }) {
  return (
    <details style={{ borderTop: "1px solid var(--border)", padding: "8px 0" }}>
      <summary>
        <code>{tool.name}</code> <span className="muted">{tool.permission}</span>
        {tool.allowed ? null : <span className="badge"> not allowed for this key</span>} —{" "}
        {tool.description?.split("\n")[0]}
      </summary>
      <p className="muted">Does what {tool.mirrors} does.</p>
      <SchemaView schema={tool.input_schema ?? {}} />
    </details>
  );
}

function CopyLine({ label, value }: { label: string; value: string }) {
  return (
    <div className="field">
      <label>{label}</label>
      <div style={{ display: "flex", gap: 8 }}>
        <code style={{ flex: 1 }}>{value}</code>
        <button type="button" aria-label={`Copy ${value}`} onClick={() => void navigator.clipboard?.writeText(value)}>
          Copy
        </button>
      </div>
    </div>
  );
}

/** The URL to give a remote client: mcp.public_url (absolute, or a path on this origin), else this host on
 * the MCP server's own port. */
export function mcpHttpUrl(
  connection: Schemas["McpConnection"],
  location: Pick<Location, "origin" | "protocol" | "hostname">,
) {
  const url = connection.http_url;
  if (url) return url.startsWith("/") ? `${location.origin}${url}` : url;
  return `${location.protocol}//${location.hostname}:${connection.http_port}${connection.http_path ?? "/mcp"}`;
}
