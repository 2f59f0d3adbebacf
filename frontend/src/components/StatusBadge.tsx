const KNOWN = new Set([
  "succeeded",
  "failed",
  "running",
  "queued",
  "cancelled",
  "pending",
  "skipped",
  "ok",
  "up",
  "down",
  "degraded",
  "not_configured",
  "enabled",
  "disabled",
  "error",
  "info",
]);

/** A job, step or component status as a coloured pill (colour plus the word: never colour alone). */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  const value = status ?? "unknown";
  const tone = KNOWN.has(value) ? value : "unknown";
  return <span className={`badge badge-${tone}`}>{value.replace(/_/g, " ")}</span>;
}
