"""The API's gunicorn worker: gevent, so an open connection costs a greenlet rather than a thread, with a
deadline on each request's head and a cap on the connections one client address may hold.

A held ``wait``, a client sending its request a byte at a time and a client that disconnected each held
one of 256 request threads under ``gthread``, until the API stopped answering
(``bench/faults/api_exhaustion.py``). Here they cost a few kilobytes each; what is left to bound is how
many one client may open (``server.max_connections_per_address``) and how long a request's head may take
(``server.header_timeout_seconds``). gunicorn imports this module by name, in its master and workers.
"""

from __future__ import annotations

import json
import socket
from collections import Counter
from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

from shared.observability import metrics

DRAIN_SECONDS = 1.0


def _refusal(cap: int) -> bytes:
    body = json.dumps(
        {
            "code": 429,
            "status": "Too Many Requests",
            "message": f"this address already has {cap} open connections to the API; close some first",
        }
    ).encode()
    head = (
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nConnection: close\r\n"
        f"Retry-After: 1\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class ApiWorker(GeventWorker):
    """gunicorn's gevent worker with the API's per-address cap and request-head deadline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open_by_address: Counter[str] = Counter()
        self._capped: set[str] = set()

    def timeout_ctx(self) -> gevent.Timeout:
        # gunicorn's gevent worker bounds each wait for a request's head (the first one too) by this;
        # on expiry the connection is closed. The stock worker uses ``keepalive`` here.
        return gevent.Timeout(self.app.settings.header_timeout_seconds, False)

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        address = addr[0] if isinstance(addr, tuple) else ""  # a unix socket has no address to cap
        cap = self.app.settings.max_connections_per_address
        if cap and address and self._open_by_address[address] >= cap:
            self._refuse(client, address, cap)
            return
        # One worker process runs every greenlet on one thread, so the counts need no lock.
        self._open_by_address[address] += 1
        try:
            super().handle(listener, client, addr)
        finally:
            self._open_by_address[address] -= 1
            if self._open_by_address[address] < cap:
                self._capped.discard(address)
            if not self._open_by_address[address]:
                del self._open_by_address[address]

    def _refuse(self, client: Any, address: str, cap: int) -> None:
        if address not in self._capped:  # once per episode, not once per refused connection
            self._capped.add(address)
            self.log.warning("%s holds %d connections, the cap; refusing more with 429", address, cap)
        metrics.connection_refused("per_address_cap")
        try:
            client.sendall(_refusal(cap))
            # Closing with the client's request unread would reset the connection and lose the answer:
            # end our side, then read what the client sent (for a second at most) before closing.
            client.shutdown(socket.SHUT_WR)
            client.settimeout(DRAIN_SECONDS)
            for _ in range(16):
                if not client.recv(65536):
                    break
        except OSError:
            pass
        finally:
            client.close()
