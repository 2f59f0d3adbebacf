import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, ApiError, unwrap } from "../api/client";
import { useTwins } from "../api/twins";
import { Can } from "../auth/session";
import { ErrorMessage } from "../components/ErrorMessage";
import { Tabs } from "../components/Tabs";
import { formatTime } from "../lib/format";

export const EXAMPLE_TWIN = `{
  "name": "plant",
  "model_type": "supply_chain",
  "entities": [
    {"uri": "ex:press", "type": "machine", "label": "press", "state": {"capacity": 100, "utilization": 0.5}},
    {"uri": "ex:line", "type": "machine", "label": "line", "state": {"capacity": 100, "utilization": 0.8}}
  ],
  "relationships": [
    {"source_uri": "ex:press", "target_uri": "ex:line", "type": "supplies", "strength": 1}
  ]
}`;

type Source = "json" | "turtle";

/** The twin JSON as an object, or an ApiError-like refusal naming why it is not one. */
export function parseTwinJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, `The twin is not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new ApiError(400, "The twin must be a JSON object with name, entities and relationships.");
  return value as Record<string, unknown>;
}

function NewTwinForm() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [source, setSource] = useState<Source>("json");
  const [json, setJson] = useState(EXAMPLE_TWIN);
  const [name, setName] = useState("");
  const [turtle, setTurtle] = useState("");
  const create = useMutation({
    mutationFn: async () => {
      if (source === "json") return unwrap(await api.POST("/api/v1/twins", { body: parseTwinJson(json) as never }));
      return unwrap(await api.POST("/api/v1/twins/import", { body: { name, ontology: turtle, format: "turtle" } }));
    },
    onSuccess: (twin) => {
      void queryClient.invalidateQueries({ queryKey: ["twins"] });
      navigate(`/twins/${twin.id}`);
    },
  });
  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    setTurtle(await file.text());
    if (!name) setName(file.name.replace(/\.[^.]+$/, ""));
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <section className="card">
      <h2>New twin</h2>
      <Tabs
        label="Twin source"
        items={[
          { id: "json", label: "JSON" },
          { id: "turtle", label: "Import Turtle" },
        ]}
        selected={source}
        onSelect={setSource}
      >
        <form onSubmit={submit} aria-label="New twin">
          {source === "json" ? (
            <div className="field">
              <label htmlFor="twin-json">Twin JSON (name, model_type, entities, relationships)</label>
              <textarea
                id="twin-json"
                className="mono"
                rows={14}
                value={json}
                onChange={(e) => setJson(e.target.value)}
              />
            </div>
          ) : (
            <>
              <div className="field">
                <label htmlFor="twin-name">Name</label>
                <input id="twin-name" value={name} onChange={(e) => setName(e.target.value)} required />
              </div>
              <div className="field">
                <label htmlFor="twin-file">Turtle file</label>
                <input id="twin-file" type="file" accept=".ttl,text/turtle" onChange={(e) => void readFile(e)} />
              </div>
              <div className="field">
                <label htmlFor="twin-turtle">Or paste Turtle</label>
                <textarea
                  id="twin-turtle"
                  className="mono"
                  rows={12}
                  value={turtle}
                  onChange={(e) => setTurtle(e.target.value)}
                  placeholder="@prefix ex: <http://example.org/plant#> ."
                />
              </div>
            </>
          )}
          <ErrorMessage error={create.error} title="The twin was refused" />
          <div className="actions">
            <button className="primary" type="submit" disabled={create.isPending}>
              {source === "json" ? "Create twin" : "Import twin"}
            </button>
          </div>
        </form>
      </Tabs>
    </section>
  );
}

export function TwinsPage() {
  const twins = useTwins();
  const [isCreating, setCreating] = useState(false);
  const items = twins.data?.items ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Digital twins</h1>
        <Can permission="twins:write">
          <button className="primary" type="button" onClick={() => setCreating(!isCreating)} aria-expanded={isCreating}>
            New twin
          </button>
        </Can>
      </div>
      {isCreating && <NewTwinForm />}
      <div className="card">
        <ErrorMessage error={twins.error} />
        {twins.data && items.length === 0 && <p className="muted">No twins yet.</p>}
        {items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Model type</th>
                  <th>Entities</th>
                  <th>Relationships</th>
                  <th>Revision</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <Link to={`/twins/${t.id}`}>{t.name}</Link>
                    </td>
                    <td>{t.model_type}</td>
                    <td>{t.entity_count}</td>
                    <td>{t.relationship_count}</td>
                    <td>{t.revision}</td>
                    <td>{formatTime(t.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}
