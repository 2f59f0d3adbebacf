import { useState, type FormEvent } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { ErrorMessage } from "../components/ErrorMessage";
import { useSession } from "./session";

export function SignInPage() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [key, setKey] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from && from !== "/signin" ? from : "/", { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <div className="card">
        <h1 style={{ fontSize: 20, marginTop: 0 }}>Sign in to Mimir AIP</h1>
        <p className="muted">
          Use an API key. <code>mimir up</code> prints the admin key at first start; <code>mimir keys create</code>{" "}
          makes more. The key is kept for this browser tab only.
        </p>
        <ErrorMessage error={error} title="Could not sign in" />
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor="api-key">API key</label>
            <input
              id="api-key"
              type="password"
              autoComplete="off"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              placeholder="mimir_…"
              required
              autoFocus
            />
          </div>
          <button className="primary" type="submit" disabled={busy || !key.trim()}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}
