export function formatTime(value: string | null | undefined, timeZone?: string): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { timeZone, dateStyle: "medium", timeStyle: "medium" });
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

/** Seconds between two ISO times, or since `start` when `end` is missing and `live`. */
export function secondsBetween(start?: string | null, end?: string | null): number | null {
  if (!start) return null;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : Number.NaN;
  return Number.isNaN(from) || Number.isNaN(to) ? null : (to - from) / 1000;
}

export function preview(value: unknown, limit = 2000): string {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return text.length > limit ? `${text.slice(0, limit)}\n… (${text.length - limit} more characters)` : text;
}
