import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";
import { usePipelines } from "../api/queries";
import { CronPreview } from "../components/CronPreview";
import { ErrorMessage } from "../components/ErrorMessage";

interface Form {
  name: string;
  pipeline_id: string;
  cron_expr: string;
  timezone: string;
  enabled: boolean;
  overlap: "allow" | "skip" | "queue";
  catchup: "none" | "last" | "all";
  context: string;
}

const EMPTY: Form = {
  name: "",
  pipeline_id: "",
  cron_expr: "*/5 * * * *",
  timezone: "",
  enabled: true,
  overlap: "allow",
  catchup: "none",
  context: "{}",
};

export function ScheduleEditorPage() {
  const { scheduleId } = useParams();
  const isNew = !scheduleId;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const pipelines = usePipelines();
  const existing = useQuery({
    queryKey: ["schedule", scheduleId],
    enabled: !isNew,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/scheduler/jobs/{schedule_id}", { params: { path: { schedule_id: scheduleId! } } })),
  });
  const [form, setForm] = useState<Form>(EMPTY);
  const [formError, setFormError] = useState<string | null>(null);
  useEffect(() => {
    const s = existing.data;
    if (s) {
      setForm({
        name: s.name ?? "",
        pipeline_id: s.pipeline_id ?? "",
        cron_expr: s.cron_expr ?? "",
        timezone: s.timezone ?? "",
        enabled: s.enabled ?? true,
        overlap: (s.overlap as Form["overlap"]) ?? "allow",
        catchup: (s.catchup as Form["catchup"]) ?? "none",
        context: JSON.stringify(s.context ?? {}, null, 2),
      });
    }
  }, [existing.data]);

  const save = useMutation({
    mutationFn: async (body: Schemas["ScheduleCreate"]) =>
      isNew
        ? unwrap(await api.POST("/api/v1/scheduler/jobs", { body }))
        : unwrap(
            await api.PUT("/api/v1/scheduler/jobs/{schedule_id}", {
              params: { path: { schedule_id: scheduleId } },
              body,
            }),
          ),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ["schedules"] });
      void queryClient.invalidateQueries({ queryKey: ["schedule", saved.id] });
      navigate(`/schedules/${saved.id}`);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    let context: Record<string, unknown>;
    try {
      context = JSON.parse(form.context || "{}");
      if (!context || typeof context !== "object" || Array.isArray(context)) throw new Error();
    } catch {
      setFormError("Context must be a JSON object.");
      return;
    }
    save.mutate({
      name: form.name,
      pipeline_id: form.pipeline_id,
      cron_expr: form.cron_expr,
      enabled: form.enabled,
      overlap: form.overlap,
      catchup: form.catchup,
      context,
      ...(form.timezone ? { timezone: form.timezone } : {}),
    });
  }

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  return (
    <>
      <div className="page-head">
        <h1>{isNew ? "New schedule" : `Edit ${existing.data?.name ?? "schedule"}`}</h1>
      </div>
      <ErrorMessage error={existing.error ?? pipelines.error} />
      <form className="card" onSubmit={submit}>
        <div className="grid">
          <div>
            <div className="field">
              <label htmlFor="schedule-name">Name</label>
              <input id="schedule-name" value={form.name} onChange={(e) => set("name", e.target.value)} required />
            </div>
            <div className="field">
              <label htmlFor="schedule-pipeline">Pipeline</label>
              <select
                id="schedule-pipeline"
                value={form.pipeline_id}
                onChange={(e) => set("pipeline_id", e.target.value)}
                required
              >
                <option value="">Choose a pipeline…</option>
                {(pipelines.data?.items ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="schedule-cron">
                Cron expression{" "}
                <span className="hint">(minute hour day month weekday; optional leading seconds; @daily…)</span>
              </label>
              <input
                id="schedule-cron"
                className="mono"
                value={form.cron_expr}
                onChange={(e) => set("cron_expr", e.target.value)}
                required
              />
            </div>
            <div className="field">
              <label htmlFor="schedule-zone">
                Time zone <span className="hint">(IANA, e.g. Europe/Paris; empty: the server's default)</span>
              </label>
              <input id="schedule-zone" value={form.timezone} onChange={(e) => set("timezone", e.target.value)} />
            </div>
            <div className="field">
              <label>
                <input type="checkbox" checked={form.enabled} onChange={(e) => set("enabled", e.target.checked)} />{" "}
                Enabled
              </label>
            </div>
          </div>
          <div>
            <CronPreview cron={form.cron_expr} timezone={form.timezone || undefined} />
            <div className="field" style={{ marginTop: 12 }}>
              <label htmlFor="schedule-overlap">While the previous run is unfinished</label>
              <select
                id="schedule-overlap"
                value={form.overlap}
                onChange={(e) => set("overlap", e.target.value as Form["overlap"])}
              >
                <option value="allow">run anyway (allow)</option>
                <option value="skip">skip the slot</option>
                <option value="queue">queue one run after it</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="schedule-catchup">Slots missed while beat was down</label>
              <select
                id="schedule-catchup"
                value={form.catchup}
                onChange={(e) => set("catchup", e.target.value as Form["catchup"])}
              >
                <option value="none">drop them</option>
                <option value="last">run the latest one</option>
                <option value="all">run each one</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="schedule-context">
                Context <span className="hint">(JSON object)</span>
              </label>
              <textarea
                id="schedule-context"
                className="mono"
                rows={3}
                value={form.context}
                onChange={(e) => set("context", e.target.value)}
              />
            </div>
          </div>
        </div>
        {formError && (
          <div className="error-box" role="alert">
            {formError}
          </div>
        )}
        <ErrorMessage error={save.error} title="Not saved" />
        <div className="actions">
          <button className="primary" type="submit" disabled={save.isPending}>
            {isNew ? "Create schedule" : "Save"}
          </button>
          <button type="button" onClick={() => navigate(-1)}>
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}
