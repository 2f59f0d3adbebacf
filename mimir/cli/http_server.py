"""Serving the API with gunicorn, on the gevent worker of ``mimir.cli.api_worker`` (so held ``wait``
requests and slow clients cost a greenlet each, not one of a few hundred threads)."""

from __future__ import annotations

from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from mimir.cli.lifetime import die_with_parent
from shared.config import Settings


class _GunicornApp(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options: dict[str, Any] = {
            "bind": f"{s.api_host}:{s.api_port}",
            "workers": s.api_processes,
            "worker_class": "mimir.cli.api_worker.ApiWorker",
            "worker_connections": s.api_connections,
            "timeout": int(s.max_wait_seconds) + 60,
            "graceful_timeout": 10,
            "keepalive": 5,  # on, for the gevent worker; how long is server.header_timeout_seconds
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "logger_class": _LogThroughMimir,
            # A worker whose master was SIGKILLed would serve on alone; the kernel ends it instead.
            "post_fork": _die_with_master,
        }
        if s.metrics_enabled:
            options["child_exit"] = _forget_exited_worker
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from backend.app import create_app

        return create_app(self.settings)


class _LogThroughMimir(glogging.Logger):
    """gunicorn's own lines go through Mimir's handlers (JSON lines in api.log, like every other line)
    instead of a plain-text handler of gunicorn's."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True


def _die_with_master(server: Any, worker: Any) -> None:
    die_with_parent()


def _forget_exited_worker(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` hook: an exited worker's live metrics must no longer be reported."""
    from shared.observability.metrics import mark_process_dead

    mark_process_dead(worker.pid, server.app.settings.resolved_metrics_dir)


def serve_api(settings: Settings) -> None:
    """Serve until stopped."""
    _GunicornApp(settings).run()
