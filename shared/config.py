"""One typed settings object, read once from ``config.yaml`` and ``MIMIR_<SECTION>_<KEY>`` variables.

Precedence: explicit overrides > environment > config file > defaults. The short variables the design card
names (``DATABASE_URL``, ``REDIS_URL``, ``WORKER_CONCURRENCY``) are read too. A bad value stops the start
with a message naming the key and where it came from.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from shared.errors import MimirError


class ConfigError(MimirError):
    """A setting is unknown or has a bad value; the message names it."""


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _positive_int(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"must be at least 1, got {number}")
    return number


def _positive_float(value: Any) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError(f"must be greater than 0, got {number}")
    return number


def _paths(value: Any) -> tuple[Path, ...]:
    items = value.split(os.pathsep) if isinstance(value, str) else list(value or [])
    return tuple(Path(str(p)).expanduser() for p in items if str(p).strip())


def _optional_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _optional_http_url(value: Any) -> str | None:
    text = _optional_str(value)
    if text is not None and not text.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return text


def _timezone(value: Any) -> str:
    from shared.scheduling.cron import timezone_problem

    problem = timezone_problem(str(value))
    if problem:
        raise ValueError(problem)
    return str(value)


def _path(value: Any) -> Path:
    return Path(str(value)).expanduser()


def _strings(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return tuple(str(item).strip() for item in items if str(item).strip())


def _allowlist(value: Any) -> tuple[str, ...]:
    from shared.plugins.netguard import HttpPolicy

    entries = _strings(value)
    HttpPolicy.from_allowlist(entries)  # a ValueError names the entry that is neither a host nor a network
    return entries


def _rate_limit(value: Any) -> str:
    from limits import parse_many

    text = str(value).strip()
    try:
        parse_many(text)
    except ValueError:
        raise ValueError(
            f"expected a rate such as '100/second' or '1000 per minute', got {value!r}"
        ) from None
    return text


def _choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return text

    return parse


def is_loopback_host(host: str) -> bool:
    """Whether binding to ``host`` keeps the API on this machine."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# (section, key) in config.yaml / MIMIR_SECTION_KEY  ->  (Settings field, parser)
_KEYS: dict[tuple[str, str], tuple[str, Callable[[Any], Any]]] = {
    ("server", "host"): ("api_host", str),
    ("server", "port"): ("api_port", _positive_int),
    ("server", "max_body_bytes"): ("max_body_bytes", _positive_int),
    ("server", "max_wait_seconds"): ("max_wait_seconds", _positive_float),
    ("server", "max_page_size"): ("max_page_size", _positive_int),
    ("server", "processes"): ("api_processes", _positive_int),
    ("server", "threads"): ("api_threads", _positive_int),
    ("persistence", "data_dir"): ("data_dir", _path),
    ("persistence", "database_url"): ("database_url", _optional_str),
    ("queue", "redis_url"): ("redis_url", _optional_str),
    ("queue", "worker_concurrency"): ("worker_concurrency", _positive_int),
    ("queue", "lease_seconds"): ("lease_seconds", _positive_float),
    ("queue", "visibility_timeout_seconds"): ("visibility_timeout_seconds", _positive_int),
    ("queue", "requeue_after_seconds"): ("requeue_after_seconds", _positive_float),
    ("queue", "sweep_interval_seconds"): ("sweep_interval_seconds", _positive_float),
    ("plugins", "directories"): ("plugin_directories", _paths),
    ("pipelines", "directory"): ("pipelines_dir", _optional_str),
    ("files", "directories"): ("file_directories", _paths),
    ("files", "output_directory"): ("output_dir", _optional_str),
    ("http", "timeout_seconds"): ("http_timeout_seconds", _positive_float),
    ("http", "max_bytes"): ("http_max_bytes", _positive_int),
    ("http", "allow_private"): ("http_allow_private", _bool),
    ("http", "allowlist"): ("http_allowlist", _allowlist),
    ("scheduler", "timezone"): ("scheduler_timezone", _timezone),
    ("scheduler", "lease_seconds"): ("scheduler_lease_seconds", _positive_float),
    ("scheduler", "tick_seconds"): ("scheduler_tick_seconds", _positive_float),
    ("scheduler", "misfire_grace_seconds"): ("scheduler_misfire_grace_seconds", _positive_float),
    ("scheduler", "max_catchup"): ("scheduler_max_catchup", _positive_int),
    ("scheduler", "retention_days"): ("retention_days", _positive_float),
    ("scheduler", "backup_interval_hours"): ("backup_interval_hours", _positive_float),
    ("scheduler", "backups_keep"): ("backups_keep", _positive_int),
    ("scheduler", "checkpoint_interval_seconds"): ("checkpoint_interval_seconds", _positive_float),
    ("security", "auth_enabled"): ("auth_enabled", _bool),
    ("security", "api_key"): ("bootstrap_api_key", _optional_str),
    ("security", "public_health"): ("public_health", _bool),
    ("security", "public_metrics"): ("public_metrics", _bool),
    ("security", "rate_limit_enqueue"): ("rate_limit_enqueue", _rate_limit),
    ("security", "rate_limit_reads"): ("rate_limit_reads", _rate_limit),
    ("security", "rate_limit_writes"): ("rate_limit_writes", _rate_limit),
    ("security", "rate_limit_auth"): ("rate_limit_auth", _rate_limit),
    ("monitoring", "metrics_enabled"): ("metrics_enabled", _bool),
    ("monitoring", "metrics_dir"): ("metrics_dir", _optional_str),
    ("monitoring", "celery_events"): ("celery_events", _bool),
    ("vectors", "url"): ("vectors_url", _optional_http_url),
    ("vectors", "api_key"): ("vectors_api_key", _optional_str),
    ("vectors", "max_batch"): ("vectors_max_batch", _positive_int),
    ("vectors", "timeout_seconds"): ("vectors_timeout_seconds", _positive_float),
    ("logging", "level"): ("log_level", _choice("debug", "info", "warning", "error")),
    ("logging", "format"): ("log_format", _choice("auto", "json", "text")),
}
# Settings that hold secrets: redacted wherever settings are shown.
SECRET_FIELDS = frozenset({"bootstrap_api_key", "database_url", "redis_url", "vectors_api_key"})


def setting_keys() -> list[tuple[str, str, str]]:
    """Every ``(section, key, Settings field)`` config.yaml knows, in the table's order."""
    return [(section, key, field_name) for (section, key), (field_name, _) in _KEYS.items()]


_ALIASES = {
    "DATABASE_URL": ("persistence", "database_url"),
    "REDIS_URL": ("queue", "redis_url"),
    "WORKER_CONCURRENCY": ("queue", "worker_concurrency"),
    "MIMIR_API_KEY": ("security", "api_key"),
    "MIMIR_AUTH_ENABLED": ("security", "auth_enabled"),
    "QDRANT_URL": ("vectors", "url"),
    "QDRANT_API_KEY": ("vectors", "api_key"),
}


@dataclass(frozen=True)
class Settings:
    """Every setting the API, the workers and the CLI read."""

    data_dir: Path = Path("mimir-data")
    database_url: str | None = None
    redis_url: str | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    api_processes: int = 1
    # A request waiting on a job (/wait) holds its thread; idle threads cost nothing (created on demand).
    api_threads: int = 256
    worker_concurrency: int = 2
    max_body_bytes: int = 2 * 1024 * 1024
    max_wait_seconds: float = 300.0
    max_page_size: int = 200
    lease_seconds: float = 30.0
    visibility_timeout_seconds: int = 60
    requeue_after_seconds: float = 30.0
    sweep_interval_seconds: float = 10.0
    plugin_directories: tuple[Path, ...] = ()
    pipelines_dir: str | None = None
    file_directories: tuple[Path, ...] = ()
    output_dir: str | None = None
    http_timeout_seconds: float = 10.0
    http_max_bytes: int = 10 * 1024 * 1024
    http_allow_private: bool = False
    http_allowlist: tuple[str, ...] = ()
    scheduler_timezone: str = "UTC"
    scheduler_lease_seconds: float = 10.0
    scheduler_tick_seconds: float = 0.5
    scheduler_misfire_grace_seconds: float = 60.0
    scheduler_max_catchup: int = 100
    retention_days: float = 30.0
    backup_interval_hours: float = 24.0
    backups_keep: int = 7
    checkpoint_interval_seconds: float = 300.0
    auth_enabled: bool = True
    bootstrap_api_key: str | None = None
    public_health: bool = True
    public_metrics: bool = True
    rate_limit_enqueue: str = "500/second"
    rate_limit_reads: str = "2000/second"
    rate_limit_writes: str = "100/second"
    rate_limit_auth: str = "30/minute"
    metrics_enabled: bool = True
    metrics_dir: str | None = None
    # Celery task events from the start. Off: publishing three events per job kept a worker's main process
    # busy and cut throughput by a third; Flower turns them on at run time when it connects.
    celery_events: bool = False
    # A Qdrant server every process talks to; None: Qdrant's local mode under <data_dir>/vectors, owned by
    # one process that the others reach through Redis (shared/vectors/owner.py).
    vectors_url: str | None = None
    vectors_api_key: str | None = None
    vectors_max_batch: int = 1000
    vectors_timeout_seconds: float = 30.0
    log_level: str = "info"
    log_format: str = "auto"

    def __post_init__(self) -> None:
        if not self.auth_enabled and not is_loopback_host(self.api_host):
            raise ConfigError(
                f"security.auth_enabled: may be false only when server.host is a loopback address, "
                f"not {self.api_host!r}"
            )

    @property
    def resolved_metrics_dir(self) -> Path:
        """Where every process of this installation writes its Prometheus metrics (multiprocess mode)."""
        return Path(self.metrics_dir) if self.metrics_dir else self.data_dir / "metrics"

    @property
    def resolved_database_url(self) -> str:
        """The database URL; SQLite under the data dir when none is set."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'mimir.db').resolve()}"

    @property
    def resolved_redis_url(self) -> str:
        """The broker URL; a local Redis on the default port when none is set."""
        return self.redis_url or "redis://127.0.0.1:6379/0"

    @property
    def resolved_pipelines_dir(self) -> Path:
        """Where ``pipeline_file`` paths are looked up."""
        return Path(self.pipelines_dir) if self.pipelines_dir else self.data_dir / "pipelines"

    @property
    def resolved_file_directories(self) -> tuple[Path, ...]:
        """The directories file-reading steps may read from."""
        return self.file_directories or (self.data_dir / "files",)

    @property
    def resolved_output_dir(self) -> Path:
        """Where output steps write relative paths."""
        return Path(self.output_dir) if self.output_dir else self.data_dir / "output"

    @property
    def backups_dir(self) -> Path:
        """Where SQLite backups are written."""
        return self.data_dir / "backups"

    @property
    def lease_renew_seconds(self) -> float:
        """How often a running job's lease is renewed: three times per lease."""
        return max(self.lease_seconds / 3, 0.2)

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests and the CLI use this)."""
        return replace(self, **changes)


def settings_environment_variables(settings: Settings) -> dict[str, str]:
    """``MIMIR_<SECTION>_<KEY>`` variables that give a child process exactly ``settings``."""
    env: dict[str, str] = {}
    for (section, key), (field_name, parse) in _KEYS.items():
        value = getattr(settings, field_name)
        if value is None:
            continue
        if isinstance(value, bool):
            text = str(value).lower()
        elif isinstance(value, tuple):
            text = (os.pathsep if parse is _paths else ",").join(str(item) for item in value)
        else:
            text = str(value)
        env[f"MIMIR_{section.upper()}_{key.upper()}"] = text
    return env


def load_settings(
    config_file: Path | str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from defaults, ``config_file`` (or ``MIMIR_CONFIG``), the environment, then ``overrides``."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or env.get("MIMIR_CONFIG")
    if path:
        _apply_file(Path(path), values)
    for name, (section, key) in _ALIASES.items():
        if name in env:
            _set(values, section, key, env[name], f"environment variable {name}")
    for (section, key), _ in _KEYS.items():
        name = f"MIMIR_{section.upper()}_{key.upper()}"
        if name in env:
            _set(values, section, key, env[name], f"environment variable {name}")
    known = {f.name for f in fields(Settings)}
    for name, value in overrides.items():
        if name not in known:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = value
    return Settings(**values)


def _apply_file(path: Path, values: dict[str, Any]) -> None:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"config file {path} must be a mapping of sections")
    for section, entries in document.items():
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: section {section!r} must be a mapping")
        for key, value in entries.items():
            _set(values, str(section), str(key), value, f"{path}: {section}.{key}")


def _set(values: dict[str, Any], section: str, key: str, raw: Any, source: str) -> None:
    entry = _KEYS.get((section, key))
    if entry is None:
        allowed = ", ".join(f"{s}.{k}" for s, k in _KEYS)
        raise ConfigError(f"{source}: unknown setting {section}.{key} (known: {allowed})")
    field_name, parse = entry
    try:
        values[field_name] = parse(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: bad value for {section}.{key}: {exc}") from exc
