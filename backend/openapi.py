"""Print the API's OpenAPI document without starting a server: ``python -m backend.openapi``.

The web UI's TypeScript types are generated from this document (``frontend/openapi.json``); a test
regenerates both and fails when the committed copies drift from the code.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from backend.app import create_app
from shared.config import load_settings


def openapi_document() -> dict[str, Any]:
    """The document the API serves at ``/api/openapi.json`` (built in memory; nothing connects)."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = load_settings(environ={}, data_dir=Path(data_dir), metrics_enabled=False)
        app = create_app(settings)
        try:
            with app.test_client() as client:
                document: dict[str, Any] = client.get("/api/openapi.json").get_json()
        finally:
            app.extensions["mimir"].close()
    return document


def main() -> None:
    """Write the document to stdout, keys sorted, so a diff shows only real changes."""
    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
