import { SseParser, type SseMessage } from "./sse";

describe("SseParser", () => {
  it("delivers an event split across chunks once it is complete", () => {
    const seen: SseMessage[] = [];
    const parser = new SseParser((m) => seen.push(m));
    parser.push('event: job\ndata: {"job_id":');
    expect(seen).toEqual([]);
    parser.push('"a","status":"running"}\n\n');
    expect(seen).toEqual([{ event: "job", data: '{"job_id":"a","status":"running"}' }]);
  });

  it("skips keepalive comments and retry fields", () => {
    const seen: SseMessage[] = [];
    const parser = new SseParser((m) => seen.push(m));
    parser.push("retry: 3000\n: connected\n\n: keepalive\n\nevent: resync\ndata: {}\n\n");
    expect(seen).toEqual([{ event: "resync", data: "{}" }]);
  });

  it("joins multi-line data and accepts CRLF line ends", () => {
    const seen: SseMessage[] = [];
    const parser = new SseParser((m) => seen.push(m));
    parser.push("data: one\r\ndata: two\r\n\r\n");
    expect(seen).toEqual([{ event: "message", data: "one\ntwo" }]);
  });
});
