// One event stream per tab, shared through context. A job event invalidates the cached queries that show
// that job (and the lists); while the stream is down, `useLiveInterval` makes pages poll instead.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { JobEventStream, type StreamState } from "./events";

const LiveContext = createContext<{ stream: JobEventStream; state: StreamState } | null>(null);

const POLL_MS = 3000;
// Lists refetch at most this often however many events arrive (a busy system sends hundreds a second).
const LIST_REFRESH_MS = 1000;

export function LiveProvider({ children, stream: given }: { children: ReactNode; stream?: JobEventStream }) {
  const queryClient = useQueryClient();
  const stream = useMemo(() => given ?? new JobEventStream(), [given]);
  const [state, setState] = useState<StreamState>(stream.state);

  useEffect(() => {
    let listTimer: ReturnType<typeof setTimeout> | null = null;
    const refreshLists = () => {
      if (listTimer) return;
      listTimer = setTimeout(() => {
        listTimer = null;
        void queryClient.invalidateQueries({ queryKey: ["jobs"] });
        void queryClient.invalidateQueries({ queryKey: ["dashboard"] });
      }, LIST_REFRESH_MS);
    };
    const unsubscribe = stream.subscribe((event) => {
      if (event === "resync") {
        void queryClient.invalidateQueries({ queryKey: ["job"] });
      } else {
        void queryClient.invalidateQueries({ queryKey: ["job", event.job_id] });
      }
      refreshLists();
    });
    const unwatch = stream.onState(setState);
    stream.start();
    return () => {
      unsubscribe();
      unwatch();
      stream.stop();
      if (listTimer) clearTimeout(listTimer);
    };
  }, [stream, queryClient]);

  return <LiveContext.Provider value={{ stream, state }}>{children}</LiveContext.Provider>;
}

export function useLiveState(): StreamState {
  return useContext(LiveContext)?.state ?? "polling";
}

/** A refetchInterval for live data: none while the stream is live, polling while it is not. */
export function useLiveInterval(active = true): number | false {
  const state = useLiveState();
  return active && state !== "live" ? POLL_MS : false;
}

export function LiveIndicator() {
  const state = useLiveState();
  const text = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Polling every 3 s";
  return (
    <span className={`live ${state === "live" ? "is-live" : ""}`} role="status" aria-live="polite">
      {text}
    </span>
  );
}
