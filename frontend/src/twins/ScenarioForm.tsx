import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import type { TwinEntity } from "../api/twins";
import { ErrorMessage } from "../components/ErrorMessage";

export const EVENT_TYPES = [
  "demand_surge",
  "demand_drop",
  "resource_unavailable",
  "resource_restored",
  "process_failure",
  "process_recovery",
  "capacity_change",
  "supply_disruption",
  "policy_change",
  "metric_shock",
];

export interface EventDraft {
  type: string;
  target_uri: string;
  step: string;
  duration: string;
  severity: string;
}

/** The scenario body the API takes, from what the form holds (numbers typed as text). An event spreads
 * along every relationship type, half as hard per hop, up to three hops. */
export function scenarioBody(name: string, duration: string, seed: string, events: EventDraft[]) {
  return {
    name: name.trim(),
    duration: Number(duration),
    seed: Number(seed || 0),
    events: events.map((e) => ({
      type: e.type,
      target_uri: e.target_uri,
      step: Number(e.step),
      ...(e.duration ? { duration: Number(e.duration) } : {}),
      impact: {
        severity: Number(e.severity),
        propagation: { impact_multiplier: 0.5, delay: 1, max_depth: 3 },
      },
    })),
  };
}

export function ScenarioForm({
  twinId,
  entities,
  onCreated,
}: {
  twinId: string;
  entities: TwinEntity[];
  onCreated?: () => void;
}) {
  const queryClient = useQueryClient();
  const blank = (): EventDraft => ({
    type: "demand_surge",
    target_uri: entities[0]?.uri ?? "",
    step: "2",
    duration: "3",
    severity: "0.5",
  });
  const [name, setName] = useState("");
  const [duration, setDuration] = useState("20");
  const [seed, setSeed] = useState("1");
  const [events, setEvents] = useState<EventDraft[]>([blank()]);
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/twins/{twin_id}/scenarios", {
          params: { path: { twin_id: twinId } },
          body: scenarioBody(name, duration, seed, events),
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["twin", twinId, "scenarios"] });
      setName("");
      setEvents([blank()]);
      onCreated?.();
    },
  });
  const edit = (i: number, field: keyof EventDraft, value: string) =>
    setEvents(events.map((e, j) => (j === i ? { ...e, [field]: value } : e)));
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <form onSubmit={submit} aria-label="New scenario">
      <div className="filters">
        <div className="field" style={{ flex: 2 }}>
          <label htmlFor="scenario-name">Scenario name</label>
          <input id="scenario-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="scenario-duration">Steps</label>
          <input
            id="scenario-duration"
            type="number"
            min={1}
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="scenario-seed">Seed</label>
          <input id="scenario-seed" type="number" min={0} value={seed} onChange={(e) => setSeed(e.target.value)} />
        </div>
      </div>
      {events.map((e, i) => (
        <fieldset key={i} className="filters event-row">
          <legend>Event {i + 1}</legend>
          <div className="field">
            <label htmlFor={`event-${i}-type`}>Type</label>
            <select id={`event-${i}-type`} value={e.type} onChange={(x) => edit(i, "type", x.target.value)}>
              {EVENT_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </div>
          <div className="field" style={{ flex: 2 }}>
            <label htmlFor={`event-${i}-target`}>Target</label>
            <select
              id={`event-${i}-target`}
              value={e.target_uri}
              onChange={(x) => edit(i, "target_uri", x.target.value)}
            >
              {entities.map((entity) => (
                <option key={entity.uri} value={entity.uri}>
                  {entity.label || entity.uri}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`event-${i}-step`}>Step</label>
            <input
              id={`event-${i}-step`}
              type="number"
              min={0}
              value={e.step}
              onChange={(x) => edit(i, "step", x.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`event-${i}-duration`}>Lasts (steps)</label>
            <input
              id={`event-${i}-duration`}
              type="number"
              min={1}
              value={e.duration}
              onChange={(x) => edit(i, "duration", x.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`event-${i}-severity`}>Severity</label>
            <input
              id={`event-${i}-severity`}
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={e.severity}
              onChange={(x) => edit(i, "severity", x.target.value)}
            />
          </div>
          <button
            type="button"
            onClick={() => setEvents(events.filter((_, j) => j !== i))}
            aria-label={`Remove event ${i + 1}`}
          >
            ✕
          </button>
        </fieldset>
      ))}
      <ErrorMessage error={create.error} title="The scenario was refused" />
      <div className="actions">
        <button type="button" onClick={() => setEvents([...events, blank()])}>
          Add event
        </button>
        <button className="primary" type="submit" disabled={create.isPending}>
          Create scenario
        </button>
      </div>
    </form>
  );
}
