// Live job updates: one authenticated event stream per tab, shared by every page. When the stream cannot be
// held (network, 503 past the server's stream limit), pages poll instead until it comes back.
import { authHeaders } from "./client";
import { SseParser } from "./sse";

export interface JobEvent {
  job_id: string;
  status: string;
}

export type StreamState = "connecting" | "live" | "polling";

type Handler = (event: JobEvent | "resync") => void;

const RETRY_MS = [1000, 2000, 5000, 10000, 30000];

export class JobEventStream {
  private handlers = new Set<Handler>();
  private stateListeners = new Set<(state: StreamState) => void>();
  private controller: AbortController | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  state: StreamState = "connecting";

  constructor(
    private readonly url = "/api/v1/events",
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onState(listener: (state: StreamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  start(): void {
    if (this.controller) return;
    void this.connect();
  }

  stop(): void {
    this.controller?.abort();
    this.controller = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(state: StreamState): void {
    if (state === this.state) return;
    this.state = state;
    this.stateListeners.forEach((listener) => listener(state));
  }

  private async connect(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    try {
      const response = await this.fetchImpl(this.url, {
        headers: { ...authHeaders(), Accept: "text/event-stream" },
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(`event stream refused: ${response.status}`);
      this.attempt = 0;
      this.setState("live");
      // Anything that happened before the stream opened is only in the database.
      this.emit("resync");
      const parser = new SseParser(({ event, data }) => {
        if (event === "resync") this.emit("resync");
        else if (event === "job") this.emit(JSON.parse(data) as JobEvent);
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
      throw new Error("event stream ended");
    } catch {
      if (controller.signal.aborted) return;
      this.setState("polling");
      const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
      this.attempt += 1;
      this.controller = null;
      this.timer = setTimeout(() => void this.connect(), delay);
    }
  }

  private emit(event: JobEvent | "resync"): void {
    this.handlers.forEach((handler) => handler(event));
  }
}
