import { JobEventStream, type JobEvent } from "./events";

function streamResponse(chunks: string[], status = 200): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { status, headers: { "Content-Type": "text/event-stream" } });
}

describe("JobEventStream", () => {
  afterEach(() => vi.useRealTimers());

  it("sends the stored key and delivers job events after a resync", async () => {
    sessionStorage.setItem("mimir.apiKey", "mimir_k");
    const fetchImpl = vi.fn(async () => streamResponse(['event: job\ndata: {"job_id":"j1","status":"succeeded"}\n\n']));
    const stream = new JobEventStream("/api/v1/events", fetchImpl as unknown as typeof fetch);
    const seen: (JobEvent | "resync")[] = [];
    stream.subscribe((e) => seen.push(e));
    stream.start();
    await vi.waitFor(() => expect(seen).toContainEqual({ job_id: "j1", status: "succeeded" }));
    expect(seen[0]).toBe("resync");
    const init = (fetchImpl.mock.calls[0] as unknown[])[1] as RequestInit;
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer mimir_k");
    stream.stop();
  });

  it("falls back to polling when the server refuses the stream, and retries", async () => {
    vi.useFakeTimers();
    const fetchImpl = vi.fn(async () => new Response('{"message":"too many"}', { status: 503 }));
    const stream = new JobEventStream("/api/v1/events", fetchImpl as unknown as typeof fetch);
    const states: string[] = [];
    stream.onState((s) => states.push(s));
    stream.start();
    await vi.waitFor(() => expect(states).toEqual(["polling"]));
    await vi.advanceTimersByTimeAsync(1100);
    expect(fetchImpl).toHaveBeenCalledTimes(2);
    stream.stop();
  });
});
