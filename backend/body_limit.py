"""The request-body cap for bodies sent without ``Content-Length`` (chunked), which Werkzeug cannot check.

Werkzeug refuses a declared ``Content-Length`` over ``MAX_CONTENT_LENGTH`` with 413, but a chunked body
behind gunicorn is either cut at the limit (the JSON then fails to parse: a misleading 400) or read as
empty. Buffering it here, up to one byte past the cap, gives the same 413 in the house format.
"""

from __future__ import annotations

import io

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge


def init_body_limit(app: Flask, max_bytes: int) -> None:
    """Refuse chunked bodies over ``max_bytes`` with 413; hand the view the buffered body otherwise."""

    @app.before_request
    def _buffer_chunked_body() -> None:
        environ = request.environ
        if (
            environ.get("CONTENT_LENGTH")
            or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            return
        body = environ["wsgi.input"].read(max_bytes + 1)
        if len(body) > max_bytes:
            raise RequestEntityTooLarge(f"the request body is larger than {max_bytes} bytes")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
