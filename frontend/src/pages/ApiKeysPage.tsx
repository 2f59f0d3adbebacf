import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";
import { StatusBadge } from "../components/StatusBadge";
import { formatTime } from "../lib/format";

export function ApiKeysPage() {
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ["apikeys"], queryFn: async () => unwrap(await api.GET("/api/v1/auth/apikeys")) });
  const [name, setName] = useState("");
  const [role, setRole] = useState<"viewer" | "operator" | "admin">("viewer");
  const [issued, setIssued] = useState<Schemas["IssuedApiKey"] | null>(null);
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/auth/apikeys", { body: { name, role } })),
    onSuccess: (key) => {
      setIssued(key);
      setName("");
      void queryClient.invalidateQueries({ queryKey: ["apikeys"] });
    },
  });
  const revoke = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE("/api/v1/auth/apikeys/{key_id}", { params: { path: { key_id: id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["apikeys"] }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setIssued(null);
    create.mutate();
  }

  return (
    <>
      <div className="page-head">
        <h1>API keys</h1>
      </div>
      <section className="card">
        <h2>Create a key</h2>
        <form className="filters" onSubmit={submit}>
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor="key-name">
              Name <span className="hint">(who or what uses it)</span>
            </label>
            <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </div>
          <div className="field">
            <label htmlFor="key-role">Role</label>
            <select id="key-role" value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
              <option value="viewer">viewer (read)</option>
              <option value="operator">operator (read, write, run)</option>
              <option value="admin">admin (everything)</option>
            </select>
          </div>
          <button className="primary" type="submit" disabled={create.isPending || !name.trim()}>
            Create key
          </button>
        </form>
        <ErrorMessage error={create.error} title="Key not created" />
        {issued && (
          <div className="notice" role="status">
            <strong>Copy this key now: it is shown only once.</strong>
            <p className="mono key-once" data-testid="issued-key">
              {issued.key}
            </p>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(issued.key ?? "")}>
              Copy
            </button>
          </div>
        )}
      </section>
      <section className="card">
        <h2>Keys</h2>
        <ErrorMessage error={keys.error ?? revoke.error} />
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Starts with</th>
                <th>Created</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(keys.data ?? []).map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>{k.role}</td>
                  <td className="mono">{k.prefix}…</td>
                  <td>{formatTime(k.created_at)}</td>
                  <td>{k.revoked_at ? <StatusBadge status="disabled" /> : <StatusBadge status="enabled" />}</td>
                  <td>
                    {!k.revoked_at && (
                      <button
                        type="button"
                        className="danger"
                        onClick={() =>
                          window.confirm(`Revoke key "${k.name}"? It stops working at once.`) &&
                          revoke.mutate(k.id ?? "")
                        }
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
