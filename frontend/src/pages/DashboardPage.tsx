import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api, toApiError, unwrap } from "../api/client";
import { LiveIndicator, useLiveInterval } from "../api/live";
import { useJobs } from "../api/queries";
import { ErrorMessage } from "../components/ErrorMessage";
import { JobsTable } from "../components/JobsTable";
import { StatusBadge } from "../components/StatusBadge";

interface Component {
  status: string;
  latency_ms?: number;
  error?: string;
  online?: number;
  leader?: string | null;
}

interface Health {
  status: string;
  version?: string;
  uptime_seconds?: number;
  components?: Record<string, Component>;
}

async function fetchHealth(): Promise<Health> {
  // /health answers 503 with the same body when a required component is down: that is data, not an error.
  const result = await api.GET("/health");
  if (result.response.status !== 503 && !result.response.ok) throw toApiError(result.response.status, result.error);
  return (result.data ?? result.error) as Health;
}

export function DashboardPage() {
  const interval = useLiveInterval() || 10000;
  const health = useQuery({ queryKey: ["dashboard", "health"], queryFn: fetchHealth, refetchInterval: 10000 });
  const status = useQuery({
    queryKey: ["dashboard", "status"],
    queryFn: async () => unwrap(await api.GET("/api/v1/queue/status")),
    refetchInterval: interval,
  });
  const timeline = useQuery({
    queryKey: ["dashboard", "timeline"],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/monitoring/jobs/timeline", { params: { query: { minutes: 60 } } })),
    refetchInterval: 30000,
  });
  const recent = useJobs({ page: 1, page_size: 10 });
  const queueDepth = Object.values(status.data?.queues ?? {}).reduce<number>((sum, n) => sum + (n ?? 0), 0);
  const points = (timeline.data ?? []).map((m) => ({
    ...m,
    label: new Date(m.minute ?? "").toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
  }));
  const lastHour = points.reduce((sum, m) => sum + (m.succeeded ?? 0) + (m.failed ?? 0) + (m.cancelled ?? 0), 0);
  const failures = points.reduce((sum, m) => sum + (m.failed ?? 0), 0);

  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <LiveIndicator />
      </div>
      <ErrorMessage error={status.error ?? timeline.error} />
      <section className="stats" aria-label="Queue">
        <Stat label="Queue depth" value={status.data ? queueDepth : "…"} />
        <Stat label="Queued jobs" value={status.data?.queued ?? "…"} />
        <Stat label="Running" value={status.data?.running ?? "…"} />
        <Stat label="Workers online" value={status.data ? (status.data.workers_online ?? "unknown") : "…"} />
        <Stat label="Jobs / min (last hour)" value={timeline.data ? (lastHour / 60).toFixed(1) : "…"} />
        <Stat label="Failures (last hour)" value={timeline.data ? failures : "…"} />
      </section>
      <div className="grid">
        <section className="card" aria-labelledby="health-title">
          <h2 id="health-title">Health {health.data && <StatusBadge status={health.data.status} />}</h2>
          {health.isError && <ErrorMessage error={health.error} />}
          <table>
            <tbody>
              {Object.entries(health.data?.components ?? {}).map(([name, c]) => (
                <tr key={name}>
                  <th scope="row" style={{ textTransform: "none" }}>
                    {name.replace(/_/g, " ")}
                  </th>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td className="muted">
                    {c.latency_ms !== undefined && `${c.latency_ms} ms`}
                    {c.online !== undefined && ` · ${c.online} online`}
                    {c.error && ` · ${c.error}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {health.data?.version && <p className="muted">Version {health.data.version}</p>}
        </section>
        <section className="card" aria-labelledby="chart-title" style={{ gridColumn: "span 2", minWidth: 0 }}>
          <h2 id="chart-title">Jobs finished per minute, last hour</h2>
          <div
            style={{ width: "100%", height: 220 }}
            role="img"
            aria-label={`${lastHour} jobs finished in the last hour, ${failures} failed`}
          >
            <ResponsiveContainer>
              <BarChart data={points} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="label" interval={9} fontSize={11} />
                <YAxis allowDecimals={false} fontSize={11} />
                <Tooltip />
                <Legend />
                <Bar dataKey="succeeded" stackId="a" fill="#2e8b57" name="succeeded" />
                <Bar dataKey="failed" stackId="a" fill="#c0392b" name="failed" />
                <Bar dataKey="cancelled" stackId="a" fill="#8a94a6" name="cancelled" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </section>
      </div>
      <section className="card">
        <h2>
          Recent runs{" "}
          <Link to="/jobs" style={{ fontSize: 13, fontWeight: 400 }}>
            all jobs
          </Link>
        </h2>
        {recent.error ? <ErrorMessage error={recent.error} /> : <JobsTable jobs={recent.data?.items ?? []} />}
      </section>
    </>
  );
}

function Stat({ label, value }: { label: string; value: number | string }) {
  return (
    <div className="stat">
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </div>
  );
}
