import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, unwrap } from "../api/client";
import { ErrorMessage } from "./ErrorMessage";

/** "2026-12-02T09:00:00+01:00" as "2026-12-02 09:00:00 (+01:00)": the wall time in the schedule's zone. */
export function localTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(iso);
  return match ? `${match[1]} ${match[2]}${match[3] ? ` (${match[3] === "Z" ? "UTC" : match[3]})` : ""}` : iso;
}

/** The next fire times of a cron expression in a time zone, as the API computes them (debounced). */
export function CronPreview({ cron, timezone, count = 5 }: { cron: string; timezone?: string; count?: number }) {
  const [settled, setSettled] = useState({ cron, timezone });
  useEffect(() => {
    const timer = setTimeout(() => setSettled({ cron, timezone }), 300);
    return () => clearTimeout(timer);
  }, [cron, timezone]);
  const preview = useQuery({
    queryKey: ["cron-preview", settled.cron, settled.timezone, count],
    enabled: Boolean(settled.cron.trim()),
    queryFn: async () =>
      unwrap(
        await api.POST("/api/v1/scheduler/preview", {
          body: { cron_expr: settled.cron, count, ...(settled.timezone ? { timezone: settled.timezone } : {}) },
        }),
      ),
    retry: false,
  });
  if (!cron.trim()) return null;
  if (preview.error) return <ErrorMessage error={preview.error} title="Cron expression" />;
  return (
    <div aria-live="polite" data-testid="cron-preview">
      <strong>Next runs</strong> <span className="muted">({preview.data?.timezone ?? timezone ?? "default zone"})</span>
      <ol style={{ margin: "4px 0 0", paddingLeft: 20 }}>
        {(preview.data?.fire_times_local ?? []).map((time) => (
          <li key={time} className="mono">
            {localTime(time)}
          </li>
        ))}
      </ol>
    </div>
  );
}
