"""Server-sent event streams of job status changes, fed by one Redis subscriber per API process.

Workers publish on Redis pub/sub (``shared.jobs.events``), so any API process can serve any client. Each open
stream holds one request thread, so a process holds at most ``server.max_event_streams`` of them; a client
past that gets 503 and polls instead (the UI does this by itself).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

import redis
from flask import Flask, current_app

from shared.jobs.events import FINISHED_CHANNEL, PROGRESS_CHANNEL

log = logging.getLogger(__name__)

EXTENSION_KEY = "mimir_event_streams"
# A comment line this often keeps proxies from closing an idle stream, and is how a closed client is noticed
# (WSGI has no disconnect callback: the write fails), so a departed client frees its slot within two of these.
KEEPALIVE_SECONDS = 5.0
# A client that reads slower than events arrive is dropped (it reconnects and refetches) rather than
# letting its queue grow without bound.
STREAM_QUEUE_SIZE = 1000
_RESYNC = "resync"
_CLOSED = object()


class TooManyStreams(Exception):
    """This API process already holds as many event streams as it may (the view answers 503: a limit of
    this process, not an error of the caller's request)."""


@dataclass(eq=False)  # each stream is its own set member
class _Stream:
    events: queue.Queue[object] = field(default_factory=lambda: queue.Queue(STREAM_QUEUE_SIZE))

    def offer(self, item: object) -> None:
        try:
            self.events.put_nowait(item)
        except queue.Full:
            self._close_for_slowness()

    def _close_for_slowness(self) -> None:
        try:
            while True:
                self.events.get_nowait()
        except queue.Empty:
            pass
        self.events.put_nowait(_CLOSED)


class StreamBody:
    """A response body that frees its stream's slot when the server closes it: at the end, when a write to a
    departed client fails, or when the response never started."""

    def __init__(self, lines: Generator[str, None, None], release: Callable[[], None]) -> None:
        self._lines = lines
        self._release = release

    def __iter__(self) -> Iterator[str]:
        return self._lines

    def close(self) -> None:
        """Called by the WSGI server (PEP 3333) however the response ended."""
        try:
            self._lines.close()
        finally:
            self._release()


class EventStreams:
    """The open streams of this process and the Redis subscriber thread that feeds them."""

    def __init__(self, redis_url: str, max_streams: int) -> None:
        self._redis_url = redis_url
        self.max_streams = max_streams
        self._streams: set[_Stream] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def open_count(self) -> int:
        """Streams open now."""
        with self._lock:
            return len(self._streams)

    def open(self) -> StreamBody:
        """The body of a new stream (SSE text); :class:`TooManyStreams` when the process holds its maximum.
        The slot is taken now, not when the response starts, so the refusal can still be a 503."""
        stream = _Stream()
        with self._lock:
            if len(self._streams) >= self.max_streams:
                raise TooManyStreams(
                    f"this API process already serves {self.max_streams} event streams "
                    "(server.max_event_streams); poll GET /api/v1/queue/jobs instead or retry later"
                )
            self._streams.add(stream)
            self._ensure_listening()
        return StreamBody(self._lines(stream), lambda: self._release(stream))

    def _release(self, stream: _Stream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def close(self) -> None:
        """Stop the subscriber and end every stream."""
        self._stopped.set()
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.offer(_CLOSED)

    def _lines(self, stream: _Stream) -> Generator[str, None, None]:
        # retry: how long a browser's EventSource waits before reconnecting.
        yield "retry: 3000\n: connected\n\n"
        while True:
            try:
                item = stream.events.get(timeout=KEEPALIVE_SECONDS)
            except queue.Empty:
                yield ": keepalive\n\n"
                continue
            if item is _CLOSED:
                return
            if item == _RESYNC:
                yield "event: resync\ndata: {}\n\n"
            else:
                yield f"event: job\ndata: {item}\n\n"

    def _ensure_listening(self) -> None:
        # Called with the lock held. The thread clears ``_thread`` (under the lock) when it stops.
        if self._thread is None:
            thread = threading.Thread(target=self._listen_while_needed, name="event-streams", daemon=True)
            self._thread = thread
            thread.start()

    def _is_needed(self) -> bool:
        """Whether to keep listening: some stream is open. If not, the thread is forgotten here, under the
        lock, so the next stream to open starts a new one."""
        with self._lock:
            if self._streams and not self._stopped.is_set():
                return True
            self._thread = None
            return False

    def _broadcast(self, item: object) -> None:
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.offer(item)

    def _listen_while_needed(self) -> None:
        """Subscribe while any stream is open (reconnecting with backoff); stop with the last one."""
        backoff = 0.2
        while self._is_needed():
            client = redis.Redis.from_url(self._redis_url, socket_keepalive=True, health_check_interval=10)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(FINISHED_CHANNEL, PROGRESS_CHANNEL)
                # Whatever changed while we were not subscribed is in the database: clients refetch.
                self._broadcast(_RESYNC)
                backoff = 0.2
                while self._is_needed():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        self._forward(message["data"])
                return
            except (redis.RedisError, OSError):
                log.warning("event streams lost their Redis subscription; retrying", exc_info=True)
            finally:
                pubsub.close()
                client.close()
            self._stopped.wait(backoff)
            backoff = min(backoff * 2, 5.0)

    def _forward(self, data: bytes | str) -> None:
        try:
            event = json.loads(data)
            payload = json.dumps({"job_id": str(event["job_id"]), "status": str(event["status"])})
        except (ValueError, KeyError, TypeError):
            return
        self._broadcast(payload)


def init_app(app: Flask, redis_url: str, max_streams: int) -> EventStreams:
    """Attach a stream registry to ``app``."""
    streams = EventStreams(redis_url, max_streams)
    app.extensions[EXTENSION_KEY] = streams
    return streams


def event_streams() -> EventStreams:
    """The stream registry of the current app."""
    streams: EventStreams = current_app.extensions[EXTENSION_KEY]
    return streams
