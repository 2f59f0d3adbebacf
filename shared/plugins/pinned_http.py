"""HTTP fetches that connect to the address that was checked, follow redirects by hand and cap the body.

``requests`` would resolve the host again when it connects, leaving a DNS-rebinding window between the
check and the connection. Here ``requests`` only builds the request (params, JSON body, default headers);
urllib3 sends it to :attr:`Target.address` with the Host header, TLS SNI and certificate check all for
the host name. Every redirect hop is checked again before it is followed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_CA_BUNDLE_PATH, get_encoding_from_headers
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
    for _ in range(MAX_REDIRECTS + 1):
        target = resolve(url, policy)
        prepared = requests.Request(
            method,
            url,
            headers=headers,
            params=request.params if url == request.url else None,
            json=request.json if method == "POST" else None,
        ).prepare()
        outcome = _send_once(target, prepared, request)
        if isinstance(outcome, FetchResponse):
            return outcome
        status, location = outcome
        url = urljoin(url, location)
        method = method if status in (307, 308) else "GET"
        if urlsplit(url).netloc != origin:
            # Credentials meant for one host are not handed to the host a redirect names.
            headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
    raise PluginError(f"{request.url}: more than {MAX_REDIRECTS} redirects")


def _send_once(
    target: Target, prepared: requests.PreparedRequest, request: FetchRequest
) -> FetchResponse | tuple[int, str]:
    """The response, or ``(status, location)`` for a redirect."""
    timeout = request.timeout_seconds
    deadline = time.monotonic() + timeout
    headers = dict(prepared.headers)
    headers["Host"] = target.host_header
    parts = urlsplit(prepared.url or target.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with _pool(target, timeout) as pool:
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
            raise PluginError(f"{target.url}: no answer within {timeout:g}s") from exc
        except HTTPError as exc:
            raise PluginError(f"{target.url}: request failed: {type(exc).__name__}") from exc
        try:
            location = raw.headers.get("location")
            if raw.status in (301, 302, 303, 307, 308) and location:
                return raw.status, location
            body = _read_capped(raw, request.max_bytes, target.url, deadline, timeout)
            return FetchResponse(raw.status, CaseInsensitiveDict(raw.headers), body, target.url)
        finally:
            raw.release_conn()


def _pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    address = str(target.address)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=limits,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=DEFAULT_CA_BUNDLE_PATH,
        )
    return urllib3.HTTPConnectionPool(address, target.port, timeout=limits, maxsize=1)


def _read_capped(
    raw: urllib3.BaseHTTPResponse, max_bytes: int, url: str, deadline: float, timeout: float
) -> bytes:
    chunks = []
    size = 0
    try:
        for chunk in raw.stream(_CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise PluginError(f"{url}: response is larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise PluginError(f"{url}: no complete answer within {timeout:g}s")
            chunks.append(chunk)
    except TimeoutError as exc:
        raise PluginError(f"{url}: no answer within {timeout:g}s") from exc
    except HTTPError as exc:
        raise PluginError(f"{url}: reading the response failed: {type(exc).__name__}") from exc
    return b"".join(chunks)
