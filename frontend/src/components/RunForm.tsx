import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ErrorMessage } from "./ErrorMessage";

/** A value typed in a form: JSON when it parses (numbers, lists, objects), otherwise the text itself. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Queue a run of a stored pipeline with a context built from its declared inputs and optional JSON. */
export function RunForm({ pipelineId, inputs }: { pipelineId: string; inputs: string[] }) {
  const navigate = useNavigate();
  const [values, setValues] = useState<Record<string, string>>({});
  const [extra, setExtra] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: async (context: Record<string, unknown>) =>
      unwrap(await api.POST("/api/v1/queue/pipelines/enqueue", { body: { pipeline_id: pipelineId, context } })),
    onSuccess: (queued) => navigate(`/jobs/${queued.job_id}`),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    let context: Record<string, unknown> = {};
    if (extra.trim()) {
      try {
        const parsed = JSON.parse(extra);
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
        context = parsed as Record<string, unknown>;
      } catch {
        setFormError('Additional context must be a JSON object, e.g. {"region": "north"}.');
        return;
      }
    }
    for (const name of inputs)
      if (values[name] !== undefined && values[name] !== "") context[name] = parseValue(values[name]);
    run.mutate(context);
  }

  return (
    <form onSubmit={submit} aria-label="Run now">
      {inputs.map((name) => (
        <div className="field" key={name}>
          <label htmlFor={`input-${name}`}>
            {name} <span className="hint">(declared input; JSON or text)</span>
          </label>
          <input
            id={`input-${name}`}
            value={values[name] ?? ""}
            onChange={(e) => setValues({ ...values, [name]: e.target.value })}
          />
        </div>
      ))}
      <div className="field">
        <label htmlFor="run-context">
          Additional context <span className="hint">(JSON object, optional)</span>
        </label>
        <textarea
          id="run-context"
          rows={3}
          className="mono"
          value={extra}
          onChange={(e) => setExtra(e.target.value)}
          placeholder='{"key": "value"}'
        />
      </div>
      {formError && (
        <div className="error-box" role="alert">
          {formError}
        </div>
      )}
      <ErrorMessage error={run.error} title="Not queued" />
      <button className="primary" type="submit" disabled={run.isPending}>
        {run.isPending ? "Queueing…" : "Run now"}
      </button>
    </form>
  );
}
