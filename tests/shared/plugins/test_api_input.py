from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import pytest

from shared.errors import PluginError
from shared.plugins.netguard import HttpPolicy, Target, resolve_target
from shared.plugins.pinned_http import FetchRequest
from shared.plugins.pinned_http import fetch as fetch_url
from tests.shared.plugins.steps import run_step

# The test server listens on 127.0.0.2, which the operator allowlist admits; 127.0.0.1 stays refused.
SERVER_HOST = "127.0.0.2"
ALLOWLIST = (f"{SERVER_HOST}/32",)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.startswith("/items"):
            self._send(200, json.dumps([{"id": 1, "q": self.path}, {"id": 2}]).encode(), "application/json")
        elif self.path == "/text":
            self._send(200, b"plain words", "text/plain")
        elif self.path == "/big":
            self._send(200, b"x" * 200_000, "text/plain")
        elif self.path == "/slow":
            threading.Event().wait(2)
            self._send(200, b"late", "text/plain")
        elif self.path in ("/trickle-body", "/trickle-headers"):
            self._trickle(self.path == "/trickle-headers")
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/text")
            self.end_headers()
        elif self.path.startswith("/to?"):
            self.send_response(302)
            self.send_header("Location", unquote(self.path.split("?", 1)[1]))
            self.end_headers()
        elif self.path == "/host":
            self._send(200, json.dumps({"host": self.headers["Host"]}).encode(), "application/json")
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        else:
            self._send(404, b"no", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._send(
            200, json.dumps({"echo": body, "auth": self.headers.get("X-Token")}).encode(), "application/json"
        )

    def _trickle(self, headers_too: bool) -> None:
        # One byte a second for a minute: each read gets a byte well within any per-read timeout.
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 60\r\n\r\n"
        if not headers_too:
            self.wfile.write(head)
            head = b""
        for byte in head + b"x" * 60:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(1)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the timeout test hangs up on purpose; the broken pipe is expected


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _QuietServer((SERVER_HOST, 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://{SERVER_HOST}:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(config: dict[str, Any], **env: Any) -> Any:
    return run_step("Input.api", config, http_allowlist=env.pop("http_allowlist", ALLOWLIST), **env)


def test_json_list_response_becomes_a_table(server: str) -> None:
    result = fetch({"url": f"{server}/items", "params": {"page": 2}})
    assert result["status_code"] == 200
    assert result["table"]["columns"] == ["id", "q"]
    assert result["body"][0]["q"] == "/items?page=2"


def test_post_sends_json_and_headers(server: str) -> None:
    result = fetch(
        {"url": f"{server}/echo", "method": "POST", "json": {"a": [1]}, "headers": {"X-Token": "t"}}
    )
    assert result["body"] == {"echo": {"a": [1]}, "auth": "t"}


def test_redirects_are_followed_and_bounded(server: str) -> None:
    result = fetch({"url": f"{server}/redirect"})
    assert result["body"] == "plain words" and result["url"] == f"{server}/text"
    with pytest.raises(PluginError, match="more than 5 redirects"):
        fetch({"url": f"{server}/loop"})


def test_size_cap_timeout_and_http_errors(server: str) -> None:
    with pytest.raises(PluginError, match="larger than 1000 bytes"):
        fetch({"url": f"{server}/big", "max_bytes": 1000})
    with pytest.raises(PluginError, match="larger than 5000 bytes"):
        fetch({"url": f"{server}/big", "max_bytes": 10**9}, http_max_bytes=5000)
    with pytest.raises(PluginError, match="no answer within 0.3s"):
        fetch({"url": f"{server}/slow", "timeout_seconds": 0.3})
    with pytest.raises(PluginError, match="HTTP 404"):
        fetch({"url": f"{server}/missing"})


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_timeout_seconds_bounds_the_whole_request_against_a_server_sending_a_byte_a_second(
    server: str, path: str
) -> None:
    started = time.monotonic()
    with pytest.raises(PluginError, match="no answer within 2s"):
        fetch({"url": f"{server}{path}", "timeout_seconds": 2})
    assert time.monotonic() - started < 3


def test_an_allowlisted_private_server_passes_and_others_stay_refused(server: str) -> None:
    assert fetch({"url": f"{server}/text"})["body"] == "plain words"
    with pytest.raises(PluginError, match="resolves to a non-public address \\(127.0.0.2\\)"):
        fetch({"url": f"{server}/items"}, http_allowlist=())
    loopback = server.replace(SERVER_HOST, "127.0.0.1")
    with pytest.raises(PluginError, match="non-public address \\(127.0.0.1\\)"):
        fetch({"url": f"{loopback}/items"})
    with pytest.raises(PluginError, match="non-public address \\(169.254.169.254\\)"):
        fetch({"url": "http://169.254.169.254/latest/meta-data"})
    with pytest.raises(PluginError, match="only http and https"):
        fetch({"url": "file:///etc/passwd"})


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:7f00:1]/",
        "http://2130706433/",
        "http://localhost/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
    ],
)
def test_a_redirect_to_a_refused_target_is_not_followed(server: str, location: str) -> None:
    with pytest.raises(PluginError, match="non-public address|only http and https"):
        fetch({"url": f"{server}/to?{location}"})


def test_a_redirect_between_allowed_addresses_is_followed(server: str) -> None:
    result = fetch({"url": f"{server}/to?{server}/text"})
    assert result["body"] == "plain words"


def test_the_connection_goes_to_the_checked_address_with_the_name_in_the_host_header(server: str) -> None:
    """A rebinding resolver gains nothing: the request never resolves the name a second time."""
    port = int(server.rsplit(":", 1)[1])
    checked = resolve_target(f"{server}/host", HttpPolicy.from_allowlist(ALLOWLIST))

    def rebinding_resolver(url: str, policy: HttpPolicy) -> Target:
        # The name does not resolve at all; only the checked address can have been connected to.
        return Target(url, "http", "rebind.invalid", port, checked.address)

    response = fetch_url(
        FetchRequest(url=f"http://rebind.invalid:{port}/host"),
        HttpPolicy(),
        resolve=rebinding_resolver,
    )
    assert json.loads(response.content) == {"host": f"rebind.invalid:{port}"}
