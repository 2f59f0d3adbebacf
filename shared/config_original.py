"""The original Mimir's ``config.yaml`` keys and variables that are not ours: which setting each one sets
here, or why it has no meaning here.

A Mimir user's file loads unchanged: keys that match ours (``server.host``, ``plugins.directories``,
``scheduler.enabled``, ``logging.file``, ``persistence.database_path``...) are ours; the ones below are
translated, or named in one warning at start. Keys that were never Mimir's stay an error.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OriginalKey:
    """Our ``(section, key)`` that an original key sets, or (``target`` None) why it sets nothing."""

    target: tuple[str, str] | None
    reason: str = ""


def _ignored(reason: str) -> OriginalKey:
    return OriginalKey(None, reason)


ORIGINAL_KEYS: dict[tuple[str, str], OriginalKey] = {
    ("server", "api_key"): OriginalKey(("security", "api_key")),
    # Go's ReadTimeout bounds reading a whole request: here, the body's deadline (the head has its own).
    ("server", "read_timeout"): OriginalKey(("server", "body_timeout_seconds")),
    ("server", "write_timeout"): _ignored("answers are bounded by max_wait_seconds and the step caps"),
    ("plugins", "auto_discovery"): _ignored("plugin directories and entry points are always scanned"),
    ("plugins", "timeout"): OriginalKey(("plugins", "step_timeout_seconds")),
    ("plugins", "max_concurrent"): _ignored(
        "jobs run their steps one at a time; see queue.worker_concurrency"
    ),
    ("scheduler", "max_jobs"): _ignored("the number of schedules is not capped"),
    ("scheduler", "job_timeout"): OriginalKey(("queue", "job_timeout_seconds")),
    ("monitoring", "enabled"): OriginalKey(("monitoring", "metrics_enabled")),
    ("monitoring", "metrics_interval"): _ignored("Prometheus scrapes /metrics when it chooses"),
    ("monitoring", "health_check_interval"): _ignored("/health is checked by whoever asks"),
    ("monitoring", "retention_days"): _ignored("metric history is kept by Prometheus"),
    ("logging", "max_size"): OriginalKey(("logging", "max_bytes")),
    ("persistence", "enabled"): _ignored("jobs and schedules are always stored in the database"),
    ("persistence", "connection_string"): OriginalKey(("persistence", "database_url")),
    ("persistence", "vector_db_path"): _ignored("the original's embedded vector store is not used"),
    ("persistence", "enable_vector_db"): _ignored("the original's embedded vector store is not used"),
    ("persistence", "backup_enabled"): OriginalKey(("scheduler", "backups_enabled")),
    ("persistence", "backup_path"): OriginalKey(("scheduler", "backups_directory")),
    ("persistence", "retention_days"): OriginalKey(("scheduler", "retention_days")),
}
# ``persistence.backend`` picks which of the two database keys counts; it is not a setting of its own.
BACKEND_KEY = ("persistence", "backend")
CONNECTION_STRING_KEY = ("persistence", "connection_string")

# The original's short variables (besides MIMIR_<SECTION>_<KEY> of the keys above, which are read too).
ORIGINAL_VARIABLES: dict[str, tuple[str, str]] = {
    "MIMIR_PORT": ("server", "port"),
    "MIMIR_DATABASE_PATH": ("persistence", "database_path"),
    "MIMIR_LOG_LEVEL": ("logging", "level"),
}
