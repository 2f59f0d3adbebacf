"""What the API learns from a request's client socket: whether the client has gone, and whether its
body arrives in time.

gunicorn puts the connection in ``environ["gunicorn.socket"]``. A request that holds its connection for
long (``wait``) asks :func:`client_has_left` now and then, so a client that hangs up frees the request at
once instead of at the wait's timeout. :class:`BodyDeadline` bounds the time a client may take to send its
body, so a slow sender cannot hold a request open indefinitely. Outside gunicorn (the test client) there
is no socket: the client never "leaves" and bodies are read as they are.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from werkzeug.exceptions import RequestTimeout

SOCKET_KEY = "gunicorn.socket"
_T = TypeVar("_T")


def _has_hung_up(sock: socket.socket) -> bool:
    """Whether the peer of ``sock`` has closed or reset the connection, peeking without blocking."""
    previous = sock.gettimeout()
    try:
        sock.settimeout(0.0)
        return sock.recv(1, socket.MSG_PEEK) == b""  # bytes waiting: a pipelined request, still there
    except BlockingIOError:
        return False
    except OSError:  # reset, or the socket is already closed
        return True
    finally:
        try:
            sock.settimeout(previous)
        except OSError:
            pass


def _client_socket(environ: dict[str, Any]) -> socket.socket | None:
    sock = environ.get(SOCKET_KEY)
    # gevent's sockets are not stdlib sockets unless monkey-patched before the check; ask for what is used.
    return sock if all(hasattr(sock, name) for name in ("recv", "settimeout", "gettimeout")) else None


def client_has_left(environ: dict[str, Any]) -> Callable[[], bool]:
    """A check whether the client of this request has hung up (always False without a socket)."""
    sock = _client_socket(environ)
    if sock is None:
        return lambda: False
    return lambda: _has_hung_up(sock)


class _DeadlineInput:
    """``wsgi.input`` whose reads fail with 408 once the body's deadline has passed."""

    def __init__(self, stream: IO[bytes], sock: socket.socket, deadline: float, seconds: float) -> None:
        self._stream, self._sock, self._deadline, self._seconds = stream, sock, deadline, seconds

    def _within_deadline(self, read: Callable[[], _T]) -> _T:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise self._timed_out()
        previous = self._sock.gettimeout()
        self._sock.settimeout(remaining)
        try:
            return read()
        except TimeoutError as exc:
            raise self._timed_out() from exc
        finally:
            self._sock.settimeout(previous)

    def _timed_out(self) -> RequestTimeout:
        try:  # the rest of the body is never read: end the connection after the answer, not after a drain
            self._sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        return RequestTimeout(f"the request body did not arrive within {self._seconds:g}s")

    def read(self, size: int = -1) -> bytes:
        return self._within_deadline(lambda: self._stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._within_deadline(lambda: self._stream.readline(size))

    def readlines(self, hint: int = -1) -> list[bytes]:
        return self._within_deadline(lambda: self._stream.readlines(hint))

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


class BodyDeadline:
    """WSGI middleware: the body of each request must arrive within ``seconds`` of the request's start."""

    def __init__(self, app: Callable[..., Iterable[bytes]], seconds: float) -> None:
        self._app, self._seconds = app, seconds

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        sock = _client_socket(environ)
        if sock is not None and "wsgi.input" in environ:
            deadline = time.monotonic() + self._seconds
            environ["wsgi.input"] = _DeadlineInput(environ["wsgi.input"], sock, deadline, self._seconds)
        return self._app(environ, start_response)
