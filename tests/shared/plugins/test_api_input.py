from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.errors import PluginError
from shared.plugins.builtin.api_input import check_url
from tests.shared.plugins.steps import run_step


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
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/text")
            self.end_headers()
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
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(config: dict[str, Any], **env: Any) -> Any:
    return run_step("Input.api", config, http_allow_private=env.pop("http_allow_private", True), **env)


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


def test_private_addresses_and_other_schemes_are_refused_by_default(server: str) -> None:
    with pytest.raises(PluginError, match="resolves to a non-public address \\(127.0.0.1\\)"):
        fetch({"url": f"{server}/items"}, http_allow_private=False)
    with pytest.raises(PluginError, match="non-public address \\(169.254.169.254\\)"):
        fetch({"url": "http://169.254.169.254/latest/meta-data"}, http_allow_private=False)
    with pytest.raises(PluginError, match="only http and https"):
        fetch({"url": "file:///etc/passwd"})


def test_every_kind_of_non_public_address_is_refused() -> None:
    for url in (
        "http://10.0.0.1/secret",
        "http://192.168.1.1/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://localhost/",
    ):
        with pytest.raises(PluginError, match="non-public address"):
            check_url(url, allow_private=False)
    check_url("http://10.0.0.1/secret", allow_private=True)
