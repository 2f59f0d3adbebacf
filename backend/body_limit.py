"""The request-body cap, and answers a client can read when its body is refused.

Werkzeug refuses a declared ``Content-Length`` over ``MAX_CONTENT_LENGTH`` with 413, but a chunked body
behind gunicorn is either cut at the limit (the JSON then fails to parse: a misleading 400) or read as
empty. Buffering it here, up to one byte past the cap, gives the same 413 in the house format.

A refused body (413, or a 401 before the body was looked at) is left unread, and gunicorn closed such a
connection after about 4 MB: a client that sends its whole body before reading (Python's http.client, for
one) got a broken pipe instead of the answer. :class:`DrainUnreadBody` reads and discards what is left of
the body before the answer goes out, for at most ``DRAIN_SECONDS``.
"""

from __future__ import annotations

import io
import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestTimeout

log = logging.getLogger(__name__)

DRAIN_SECONDS = 30.0
_DRAIN_CHUNK = 256 * 1024

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class DrainUnreadBody:
    """WSGI middleware: after the app answered, discard the rest of the request body, then send it."""

    def __init__(self, app: WsgiApp, seconds: float = DRAIN_SECONDS) -> None:
        self.app = app
        self.seconds = seconds

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ.get("wsgi.input")  # before anything wraps or replaces it
        result = self.app(environ, start_response)
        # Only behind gunicorn, whose input ends where the body ends; a raw socket stream (Werkzeug's
        # development server) would block here on a request without a body.
        if body is not None and "gunicorn.socket" in environ and _has_body(environ):
            self._drain(body, environ["gunicorn.socket"])
        return result

    def _drain(self, body: Any, sock: socket.socket | None) -> None:
        # The answer is only written once we return, so the client is still sending what it had started.
        ends_at = time.monotonic() + self.seconds
        previous = sock.gettimeout() if sock is not None else None
        try:
            while True:
                remaining = ends_at - time.monotonic()
                if remaining <= 0:
                    log.info("request body still arriving after %gs; answering without it", self.seconds)
                    return
                if sock is not None:
                    sock.settimeout(remaining)  # a client that stops sending cannot hold the thread longer
                if not body.read(_DRAIN_CHUNK):
                    return
        except (OSError, ValueError, RequestTimeout):
            return  # the client went away or stalled (or missed its body deadline): nothing more to read
        finally:
            if sock is not None:
                try:
                    sock.settimeout(previous)
                except OSError:
                    pass


def _has_body(environ: dict[str, Any]) -> bool:
    declared = str(environ.get("CONTENT_LENGTH") or "")
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    return chunked or (declared.isdigit() and int(declared) > 0)


def init_body_limit(app: Flask, max_bytes: int) -> None:
    """Refuse bodies over ``max_bytes`` with a 413 the client can read; buffer a chunked body otherwise."""
    app.wsgi_app = DrainUnreadBody(app.wsgi_app)  # type: ignore[method-assign]

    @app.before_request
    def _buffer_chunked_body() -> None:
        environ = request.environ
        declared = environ.get("CONTENT_LENGTH")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise RequestEntityTooLarge(
                f"the request body ({declared} bytes) is larger than {max_bytes} bytes"
                " (server.max_body_bytes)"
            )
        if (
            environ.get("CONTENT_LENGTH")
            or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            return
        body = environ["wsgi.input"].read(max_bytes + 1)
        if len(body) > max_bytes:
            raise RequestEntityTooLarge(
                f"the request body is larger than {max_bytes} bytes (server.max_body_bytes)"
            )
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
