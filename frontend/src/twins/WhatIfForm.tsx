import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { useScenarios, type TwinEntity } from "../api/twins";
import { ErrorMessage } from "../components/ErrorMessage";

export interface CapacityDraft {
  uri: string;
  capacity: string;
}

/** The what-if body: the stored scenario and one `set_capacity` change per row. */
export function whatIfBody(scenarioId: string, changes: CapacityDraft[]) {
  return {
    scenario_id: scenarioId,
    changes: changes.map((c) => ({ op: "set_capacity", uri: c.uri, capacity: Number(c.capacity) })),
    context: {},
  };
}

/** Capacity changes to try against a stored scenario; the job runs both and reports the difference. */
export function WhatIfForm({
  twinId,
  entities,
  onQueued,
}: {
  twinId: string;
  entities: TwinEntity[];
  onQueued: (jobId: string) => void;
}) {
  const scenarios = useScenarios(twinId);
  const [scenarioId, setScenarioId] = useState("");
  const first = entities[0];
  const [changes, setChanges] = useState<CapacityDraft[]>([
    { uri: first?.uri ?? "", capacity: String((first?.state?.capacity ?? 100) * 1.5) },
  ]);
  const chosen = scenarioId || scenarios.data?.[0]?.id || "";
  const submit = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/twins/{twin_id}/whatif", {
          params: { path: { twin_id: twinId } },
          body: whatIfBody(chosen, changes),
        }),
      ),
    onSuccess: (queued) => onQueued(queued.job_id ?? ""),
  });
  const edit = (i: number, field: keyof CapacityDraft, value: string) =>
    setChanges(changes.map((c, j) => (j === i ? { ...c, [field]: value } : c)));
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit.mutate();
  }
  if (scenarios.data && scenarios.data.length === 0) return <p className="muted">Create a scenario first.</p>;
  return (
    <form onSubmit={onSubmit} aria-label="What-if">
      <div className="field">
        <label htmlFor="whatif-scenario">Scenario</label>
        <select id="whatif-scenario" value={chosen} onChange={(e) => setScenarioId(e.target.value)}>
          {(scenarios.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      {changes.map((c, i) => (
        <div className="filters" key={i}>
          <div className="field" style={{ flex: 2 }}>
            <label htmlFor={`whatif-${i}-entity`}>Entity</label>
            <select id={`whatif-${i}-entity`} value={c.uri} onChange={(e) => edit(i, "uri", e.target.value)}>
              {entities.map((e) => (
                <option key={e.uri} value={e.uri}>
                  {e.label || e.uri} (capacity {e.state?.capacity ?? "—"})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`whatif-${i}-capacity`}>New capacity</label>
            <input
              id={`whatif-${i}-capacity`}
              type="number"
              min={0}
              value={c.capacity}
              onChange={(e) => edit(i, "capacity", e.target.value)}
            />
          </div>
          <button
            type="button"
            aria-label={`Remove change ${i + 1}`}
            onClick={() => setChanges(changes.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <ErrorMessage error={submit.error} title="The what-if was refused" />
      <div className="actions">
        <button type="button" onClick={() => setChanges([...changes, { uri: first?.uri ?? "", capacity: "100" }])}>
          Add capacity change
        </button>
        <button className="primary" type="submit" disabled={submit.isPending || !chosen || changes.length === 0}>
          Run what-if
        </button>
      </div>
    </form>
  );
}
