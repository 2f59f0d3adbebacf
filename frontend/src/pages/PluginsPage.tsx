import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";
import { SchemaView } from "../components/SchemaView";

export function PluginsPage() {
  const plugins = useQuery({ queryKey: ["plugins"], queryFn: async () => unwrap(await api.GET("/api/v1/plugins")) });
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const byType = new Map<string, Schemas["Plugin"][]>();
  for (const plugin of plugins.data ?? []) {
    if (needle && !`${plugin.key} ${plugin.description}`.toLowerCase().includes(needle)) continue;
    byType.set(plugin.type ?? "other", [...(byType.get(plugin.type ?? "other") ?? []), plugin]);
  }
  return (
    <>
      <div className="page-head">
        <h1>Plugins</h1>
      </div>
      <div className="filters" role="search">
        <div className="field" style={{ flex: 1 }}>
          <label htmlFor="plugin-search">Search</label>
          <input
            id="plugin-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Name or description"
          />
        </div>
      </div>
      <ErrorMessage error={plugins.error} />
      {[...byType.entries()].sort().map(([type, list]) => (
        <section key={type} className="card" aria-labelledby={`type-${type}`}>
          <h2 id={`type-${type}`}>{type.replace(/_/g, " ")}</h2>
          {list.map((plugin) => (
            <details key={plugin.key} style={{ borderTop: "1px solid var(--border)", padding: "8px 0" }}>
              <summary>
                <code>{plugin.key}</code> <span className="muted">v{plugin.version}</span> — {plugin.description}
              </summary>
              <SchemaView schema={plugin.config_schema ?? {}} />
            </details>
          ))}
        </section>
      ))}
    </>
  );
}
