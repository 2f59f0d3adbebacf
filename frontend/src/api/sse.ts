// Server-sent events over fetch: EventSource cannot send an Authorization header, so the stream is read
// from a fetch body and parsed here (the text/event-stream format: blank-line separated fields).

export interface SseMessage {
  event: string;
  data: string;
}

/** Feeds text chunks in, calls `onMessage` per complete event; comments (keepalives) are skipped. */
export class SseParser {
  private buffer = "";

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  push(chunk: string): void {
    this.buffer += chunk.replace(/\r\n?/g, "\n");
    let end = this.buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.dispatch(block);
      end = this.buffer.indexOf("\n\n");
    }
  }

  private dispatch(block: string): void {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length) this.onMessage({ event, data: data.join("\n") });
  }
}
