"""The API served by waitress, to measure candidate (c) of issue #11 item 1: a server that reads each
whole request (head and body) in its event loop before a thread takes it.

    python -m bench.faults.api_exhaustion --server waitress      (needs ``pip install waitress``)

Not a supported way to serve Mimir: ``mimir api`` is. Settings come from ``MIMIR_*`` variables, as for
the processes the benchmarks start; ``--threads`` is the request thread pool (gthread's 256 by default).
"""

from __future__ import annotations

import argparse


def main() -> None:
    from waitress import serve

    from backend.app import create_app
    from mimir.cli.services import record_metrics_in_shared_dir
    from shared.config import load_settings
    from shared.observability.logging import configure_logging

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=256)
    args = parser.parse_args()
    settings = load_settings()
    record_metrics_in_shared_dir(settings)
    configure_logging(settings)
    serve(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        threads=args.threads,
        connection_limit=settings.api_connections,
        channel_timeout=settings.header_timeout_seconds,
    )


if __name__ == "__main__":
    main()
