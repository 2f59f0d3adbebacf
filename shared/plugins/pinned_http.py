"""HTTP fetches that connect to the address that was checked, follow redirects by hand and cap the body.

``requests`` would resolve the host again when it connects, leaving a DNS-rebinding window between the
check and the connection. Here ``requests`` only builds the request (params, JSON body, default headers);
urllib3 sends it to :attr:`Target.address` with the Host header, TLS SNI and certificate check all for
the host name. Every redirect hop is checked again before it is followed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_CA_BUNDLE_PATH, get_encoding_from_headers
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, TimeoutError

from shared.errors import PluginError
from shared.plugins.netguard import HttpPolicy, Target, resolve_target

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchRequest:
    """What to fetch and under which limits."""

    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] | None = None
    json: Any = None
    timeout_seconds: float = 10.0
    max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class FetchResponse:
    """The final response of a fetch: status, headers, the body (at most ``max_bytes``) and its URL."""

    status_code: int
    headers: CaseInsensitiveDict[str]
    content: bytes
    url: str

    @property
    def text(self) -> str:
        """The body decoded with the charset the headers name (UTF-8 when they name none)."""
        encoding = get_encoding_from_headers(self.headers) or "utf-8"
        return self.content.decode(encoding, errors="replace")


def fetch(
    request: FetchRequest,
    policy: HttpPolicy,
    *,
    resolve: Callable[[str, HttpPolicy], Target] = resolve_target,
) -> FetchResponse:
    """The response to ``request`` after at most :data:`MAX_REDIRECTS` checked redirects.

    ``resolve`` checks each URL and names the address to connect to (tests substitute a rebinding one).
    """
    url, method = request.url, request.method
    headers = dict(request.headers)
    origin = urlsplit(url).netloc
    with _Deadline(request.timeout_seconds) as deadline:
        for _ in range(MAX_REDIRECTS + 1):
            target = resolve(url, policy)
            prepared = requests.Request(
                method,
                url,
                headers=headers,
                params=request.params if url == request.url else None,
                json=request.json if method == "POST" else None,
            ).prepare()
            outcome = _send_once(target, prepared, request, deadline)
            if isinstance(outcome, FetchResponse):
                return outcome
            status, location = outcome
            url = urljoin(url, location)
            method = method if status in (307, 308) else "GET"
            if urlsplit(url).netloc != origin:
                # Credentials meant for one host are not handed to the host a redirect names.
                headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
    raise PluginError(f"{request.url}: more than {MAX_REDIRECTS} redirects")


class _Deadline:
    """One deadline for a whole fetch: connect, headers, body and every redirect.

    Socket timeouts bound each wait for a byte, so a server sending one byte a second never trips them; a
    timer shuts down the open connection's socket when the deadline passes, which ends any blocked read.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends_at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self.is_expired = False

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        """Seconds left (at least a millisecond, so a timeout is never zero, which means 'no wait')."""
        return max(self._ends_at - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it has)."""
        with self._lock:
            self._socket = sock
            if self.is_expired:
                _shut(sock)

    def check(self, url: str) -> None:
        """A :class:`PluginError` if the deadline has passed."""
        if self.is_expired or time.monotonic() >= self._ends_at:
            raise PluginError(f"{url}: no answer within {self.seconds:g}s")

    def _expire(self) -> None:
        with self._lock:
            self.is_expired = True
            if self._socket is not None:
                _shut(self._socket)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _WatchedHTTPConnection(HTTPConnection):
    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._deadline.watch(sock)
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # the TLS handshake runs on this socket, so it is watched too
        self._deadline.watch(sock)
        return sock


def _send_once(
    target: Target, prepared: requests.PreparedRequest, request: FetchRequest, deadline: _Deadline
) -> FetchResponse | tuple[int, str]:
    """The response, or ``(status, location)`` for a redirect."""
    headers = dict(prepared.headers)
    headers["Host"] = target.host_header
    parts = urlsplit(prepared.url or target.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with _pool(target, deadline) as pool:
        try:
            raw = pool.urlopen(
                prepared.method or "GET",
                path,
                body=prepared.body,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except TimeoutError as exc:
            raise PluginError(f"{target.url}: no answer within {deadline.seconds:g}s") from exc
        except HTTPError as exc:
            deadline.check(target.url)
            raise PluginError(f"{target.url}: request failed: {type(exc).__name__}") from exc
        try:
            location = raw.headers.get("location")
            if raw.status in (301, 302, 303, 307, 308) and location:
                return raw.status, location
            body = _read_capped(raw, request.max_bytes, target.url, deadline)
            # A shut-down socket reads as the end of a body without a length: not a complete answer.
            deadline.check(target.url)
            return FetchResponse(raw.status, CaseInsensitiveDict(raw.headers), body, target.url)
        finally:
            raw.release_conn()


def _pool(target: Target, deadline: _Deadline) -> urllib3.HTTPConnectionPool:
    limits = urllib3.Timeout(connect=deadline.remaining(), read=deadline.remaining())
    address = str(target.address)
    if target.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=limits,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=DEFAULT_CA_BUNDLE_PATH,
            deadline=deadline,
        )
        pool.ConnectionCls = _WatchedHTTPSConnection
        return pool
    pool = urllib3.HTTPConnectionPool(address, target.port, timeout=limits, maxsize=1, deadline=deadline)
    pool.ConnectionCls = _WatchedHTTPConnection
    return pool


def _read_capped(raw: urllib3.BaseHTTPResponse, max_bytes: int, url: str, deadline: _Deadline) -> bytes:
    chunks = []
    size = 0
    try:
        for chunk in raw.stream(_CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise PluginError(f"{url}: response is larger than {max_bytes} bytes")
            deadline.check(url)
            chunks.append(chunk)
    except TimeoutError as exc:
        raise PluginError(f"{url}: no answer within {deadline.seconds:g}s") from exc
    except HTTPError as exc:
        deadline.check(url)
        raise PluginError(f"{url}: reading the response failed: {type(exc).__name__}") from exc
    return b"".join(chunks)
