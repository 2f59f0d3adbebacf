"""One typed settings object, read once from ``config.yaml`` and ``MIMIR_<SECTION>_<KEY>`` variables.

Precedence: explicit overrides > environment > config file > defaults. The short variables the design card
names (``DATABASE_URL``, ``REDIS_URL``, ``WORKER_CONCURRENCY``) are read too, and so are the original Mimir's
``config.yaml`` and variables (:mod:`shared.config_original`): its keys are translated, and the ones that
mean nothing here are named in one warning. String values in the file may use ``${VAR}``. A bad value stops
the start with a message naming the key and where it came from; every value remembers where it came from
(``Settings.sources``), which ``GET /api/v1/config`` shows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from shared import config_values as v
from shared.config_original import (
    BACKEND_KEY,
    CONNECTION_STRING_KEY,
    ORIGINAL_KEYS,
    ORIGINAL_VARIABLES,
)
from shared.errors import MimirError

log = logging.getLogger(__name__)


class ConfigError(MimirError):
    """A setting is unknown or has a bad value; the message names it."""


def is_loopback_host(host: str) -> bool:
    """Whether binding to ``host`` keeps the API on this machine."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_log_level = v.choice("debug", "info", "warning", "error", aliases={"warn": "warning"})
_backend = v.choice("sqlite", "postgresql", aliases={"postgres": "postgresql"})

# (section, key) in config.yaml / MIMIR_SECTION_KEY  ->  (Settings field, parser)
_KEYS: dict[tuple[str, str], tuple[str, Callable[[Any], Any]]] = {
    ("server", "host"): ("api_host", str),
    ("server", "port"): ("api_port", v.positive_int),
    ("server", "max_body_bytes"): ("max_body_bytes", v.byte_size),
    ("server", "max_wait_seconds"): ("max_wait_seconds", v.positive_seconds),
    ("server", "max_page_size"): ("max_page_size", v.positive_int),
    ("server", "processes"): ("api_processes", v.positive_int),
    ("server", "connections"): ("api_connections", v.positive_int),
    ("server", "max_connections_per_address"): ("max_connections_per_address", v.non_negative_int),
    ("server", "header_timeout_seconds"): ("header_timeout_seconds", v.positive_seconds),
    ("server", "body_timeout_seconds"): ("body_timeout_seconds", v.positive_seconds),
    ("persistence", "data_dir"): ("data_dir", v.path),
    ("persistence", "database_url"): ("database_url", v.database_url),
    ("persistence", "database_path"): ("database_path", v.optional_path),
    ("queue", "redis_url"): ("redis_url", v.optional_str),
    ("queue", "worker_concurrency"): ("worker_concurrency", v.positive_int),
    ("queue", "lease_seconds"): ("lease_seconds", v.positive_seconds),
    ("queue", "visibility_timeout_seconds"): ("visibility_timeout_seconds", v.positive_int),
    ("queue", "requeue_after_seconds"): ("requeue_after_seconds", v.positive_seconds),
    ("queue", "sweep_interval_seconds"): ("sweep_interval_seconds", v.positive_seconds),
    ("queue", "job_timeout_seconds"): ("job_timeout_seconds", v.optional_seconds),
    ("plugins", "directories"): ("plugin_directories", v.paths),
    ("plugins", "step_timeout_seconds"): ("step_timeout_seconds", v.optional_seconds),
    ("pipelines", "directory"): ("pipelines_dir", v.optional_str),
    ("pipelines", "max_rendered_value_bytes"): ("max_rendered_value_bytes", v.byte_size),
    ("pipelines", "max_step_output_bytes"): ("max_step_output_bytes", v.byte_size),
    ("pipelines", "max_context_bytes"): ("max_context_bytes", v.byte_size),
    ("files", "directories"): ("file_directories", v.paths),
    ("files", "output_directory"): ("output_dir", v.optional_str),
    ("http", "timeout_seconds"): ("http_timeout_seconds", v.positive_seconds),
    ("http", "max_bytes"): ("http_max_bytes", v.byte_size),
    ("http", "allow_private"): ("http_allow_private", v.boolean),
    ("http", "allowlist"): ("http_allowlist", v.allowlist),
    ("scheduler", "enabled"): ("scheduler_enabled", v.boolean),
    ("scheduler", "timezone"): ("scheduler_timezone", v.timezone),
    ("scheduler", "lease_seconds"): ("scheduler_lease_seconds", v.positive_seconds),
    ("scheduler", "tick_seconds"): ("scheduler_tick_seconds", v.positive_seconds),
    ("scheduler", "misfire_grace_seconds"): ("scheduler_misfire_grace_seconds", v.positive_seconds),
    ("scheduler", "max_catchup"): ("scheduler_max_catchup", v.positive_int),
    ("scheduler", "retention_days"): ("retention_days", v.positive_float),
    ("scheduler", "backups_enabled"): ("backups_enabled", v.boolean),
    ("scheduler", "backups_directory"): ("backups_directory", v.optional_path),
    ("scheduler", "backup_interval_hours"): ("backup_interval_hours", v.positive_float),
    ("scheduler", "backups_keep"): ("backups_keep", v.positive_int),
    ("scheduler", "checkpoint_interval_seconds"): ("checkpoint_interval_seconds", v.positive_seconds),
    ("security", "auth_enabled"): ("auth_enabled", v.boolean),
    ("security", "api_key"): ("bootstrap_api_key", v.optional_str),
    ("security", "public_health"): ("public_health", v.boolean),
    ("security", "public_metrics"): ("public_metrics", v.boolean),
    ("security", "rate_limit_enqueue"): ("rate_limit_enqueue", v.rate_limit),
    ("security", "rate_limit_reads"): ("rate_limit_reads", v.rate_limit),
    ("security", "rate_limit_writes"): ("rate_limit_writes", v.rate_limit),
    ("security", "rate_limit_auth"): ("rate_limit_auth", v.rate_limit),
    ("monitoring", "metrics_enabled"): ("metrics_enabled", v.boolean),
    ("monitoring", "metrics_dir"): ("metrics_dir", v.optional_str),
    ("monitoring", "celery_events"): ("celery_events", v.boolean),
    ("logging", "level"): ("log_level", _log_level),
    ("logging", "format"): ("log_format", v.choice("auto", "json", "text")),
    ("logging", "file"): ("log_file", v.optional_path),
    ("logging", "max_bytes"): ("log_max_bytes", v.byte_size),
    ("logging", "max_backups"): ("log_max_backups", v.non_negative_int),
    ("platform", "extra_slices"): ("extra_slices", v.strings),
}
# Settings that hold secrets: redacted wherever settings are shown.
SECRET_FIELDS = frozenset({"bootstrap_api_key", "database_url", "redis_url"})


def setting_keys() -> list[tuple[str, str, str]]:
    """Every ``(section, key, Settings field)`` config.yaml knows, in the table's order."""
    return [(section, key, field_name) for (section, key), (field_name, _) in _KEYS.items()]


_ALIASES = {
    "DATABASE_URL": ("persistence", "database_url"),
    "REDIS_URL": ("queue", "redis_url"),
    "WORKER_CONCURRENCY": ("queue", "worker_concurrency"),
    "MIMIR_API_KEY": ("security", "api_key"),
    "MIMIR_AUTH_ENABLED": ("security", "auth_enabled"),
    **ORIGINAL_VARIABLES,
}
# Names of the variables `mimir up` set for its children: their values show as overrides, not environment.
SUPERVISOR_VARIABLES = "MIMIR_SET_BY_SUPERVISOR"
DEFAULT_SOURCE = "default"
OVERRIDE_SOURCE = "override"


@dataclass(frozen=True)
class Settings:
    """Every setting the API, the workers and the CLI read."""

    data_dir: Path = Path("mimir-data")
    database_url: str | None = None
    # The SQLite file when no database_url is set (default <data_dir>/mimir.db).
    database_path: Path | None = None
    redis_url: str | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    api_processes: int = 1
    # Connections one API process serves at once, each on a greenlet (a held /wait costs one, not a thread).
    api_connections: int = 4096
    # Open connections one client address may hold (0: no cap; behind a proxy, cap at the proxy instead).
    max_connections_per_address: int = 256
    # A request's head must arrive within this (also how long an idle keep-alive connection stays open).
    header_timeout_seconds: float = 10.0
    # A request's body must arrive within this, counted from the start of the request.
    body_timeout_seconds: float = 30.0
    worker_concurrency: int = 2
    max_body_bytes: int = 2 * 1024 * 1024
    max_wait_seconds: float = 300.0
    max_page_size: int = 200
    lease_seconds: float = 30.0
    visibility_timeout_seconds: int = 60
    requeue_after_seconds: float = 30.0
    sweep_interval_seconds: float = 10.0
    # Time limits for a whole job and for one step when the step sets none (None: no limit). Read by the
    # job runner and the engine.
    job_timeout_seconds: float | None = None
    step_timeout_seconds: float | None = None
    plugin_directories: tuple[Path, ...] = ()
    pipelines_dir: str | None = None
    max_rendered_value_bytes: int = 1024 * 1024  # text a step's config value renders to
    max_step_output_bytes: int = 16 * 1024 * 1024  # one step's output, as JSON
    max_context_bytes: int = 64 * 1024 * 1024  # a job's whole context: its input plus every output
    file_directories: tuple[Path, ...] = ()
    output_dir: str | None = None
    http_timeout_seconds: float = 10.0
    http_max_bytes: int = 10 * 1024 * 1024
    http_allow_private: bool = False
    http_allowlist: tuple[str, ...] = ()
    # False: beat still runs upkeep (retention, backups) but fires no schedule.
    scheduler_enabled: bool = True
    scheduler_timezone: str = "UTC"
    scheduler_lease_seconds: float = 10.0
    scheduler_tick_seconds: float = 0.5
    scheduler_misfire_grace_seconds: float = 60.0
    scheduler_max_catchup: int = 100
    retention_days: float = 30.0
    backups_enabled: bool = True
    backups_directory: Path | None = None
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
    # Raw values of the sections slices own ({section: {key: value}}); the platform types them
    # (shared.settings_sections), since which sections exist depends on the installed slices.
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    log_level: str = "info"
    log_format: str = "auto"
    # A rotating JSON-lines log file every process appends to, besides its stderr (None: stderr only).
    log_file: Path | None = None
    log_max_bytes: int = 100 * 1024 * 1024
    log_max_backups: int = 5
    # Slices installed after the built-in ones (module names): third-party job kinds, or a test's.
    extra_slices: tuple[str, ...] = ()
    # Where each field's value came from when not the default: "file:server.port", "env MIMIR_PORT",
    # "override". Not a setting: it describes the others.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    # Keys of the original Mimir that were given but mean nothing here, each with the reason.
    ignored_keys: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.auth_enabled and not is_loopback_host(self.api_host):
            raise ConfigError(
                f"security.auth_enabled: may be false only when server.host is a loopback address, "
                f"not {self.api_host!r}"
            )

    def source_of(self, field_name: str) -> str:
        """Where the value of ``field_name`` came from: ``default``, ``file:…``, ``env …`` or ``override``."""
        return self.sources.get(field_name, DEFAULT_SOURCE)

    @property
    def resolved_metrics_dir(self) -> Path:
        """Where every process of this installation writes its Prometheus metrics (multiprocess mode)."""
        return Path(self.metrics_dir) if self.metrics_dir else self.data_dir / "metrics"

    @property
    def resolved_database_url(self) -> str:
        """The database URL; SQLite at ``database_path`` (default under the data dir) when none is set."""
        return (
            self.database_url or f"sqlite:///{(self.database_path or self.data_dir / 'mimir.db').resolve()}"
        )

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None for PostgreSQL (and in-memory SQLite)."""
        url = self.resolved_database_url
        prefix = "sqlite:///"
        if not url.startswith(prefix) or url == prefix or url.endswith(":memory:"):
            return None
        return Path(url[len(prefix) :].split("?", 1)[0])

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
        return self.backups_directory or self.data_dir / "backups"

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests and the CLI use this)."""
        sources = {**self.sources, **dict.fromkeys(changes, OVERRIDE_SOURCE)}
        return replace(self, **changes, sources=sources)


# Fields that describe the settings rather than being settings.
_DESCRIPTIVE_FIELDS = frozenset({"sources", "ignored_keys"})


def setting_sources(settings: Settings) -> dict[str, str]:
    """``{"section.key": where its value came from}`` for every key config.yaml knows."""
    return {f"{section}.{key}": settings.source_of(name) for section, key, name in setting_keys()}


def settings_environment_variables(settings: Settings) -> dict[str, str]:
    """``MIMIR_<SECTION>_<KEY>`` variables that give a child process exactly ``settings``."""
    env = {
        environment_variable(section, key): text
        for (section, key), (field_name, parse) in _KEYS.items()
        if (text := _as_text(getattr(settings, field_name), parse)) is not None
    }
    for section, entries in settings.sections.items():
        for key, value in entries.items():
            env[environment_variable(section, key)] = str(value)
    return env


def overridden_environment_variables(settings: Settings) -> dict[str, str]:
    """The variables a child process needs to see what ``settings`` got from overrides (command-line
    options), and :data:`SUPERVISOR_VARIABLES` naming them; the rest it reads from the same file and
    environment, so their sources stay true."""
    env = {
        environment_variable(section, key): text
        for (section, key), (field_name, parse) in _KEYS.items()
        if settings.source_of(field_name) == OVERRIDE_SOURCE
        and (text := _as_text(getattr(settings, field_name), parse)) is not None
    }
    env[SUPERVISOR_VARIABLES] = ",".join(sorted(env))
    return env


def environment_variable(section: str, key: str) -> str:
    """The variable that sets ``section.key``: ``MIMIR_SECTION_KEY``."""
    return f"MIMIR_{section.upper()}_{key.upper()}"


def _as_text(value: Any, parse: Callable[[Any], Any]) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return (os.pathsep if parse is v.paths else ",").join(str(item) for item in value)
    return str(value)


@dataclass
class _Loaded:
    """What the file and the environment gave so far, and from where."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    # persistence.backend of the original: (sqlite | postgresql, where it was given)
    backend: tuple[str, str] | None = None


def load_settings(
    config_file: Path | str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    slice_sections: Collection[str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from defaults, ``config_file`` (or ``MIMIR_CONFIG``), the environment, then ``overrides``.

    ``slice_sections`` names the sections slices own (default: those of the listed slices and of
    ``extra_slices``); their values are kept raw in ``Settings.sections`` for the platform to type."""
    env = os.environ if environ is None else environ
    loaded = _Loaded()
    unowned: dict[str, str] = {}  # a section no core key uses -> where it was given
    path = config_file or env.get("MIMIR_CONFIG")
    if path:
        _apply_file(Path(path), loaded, env, unowned)
    _apply_environment(env, loaded)
    _apply_backend(loaded)
    known = {f.name for f in fields(Settings)} - _DESCRIPTIVE_FIELDS
    for name, value in overrides.items():
        if name not in known:
            raise ConfigError(f"unknown setting {name!r}")
        loaded.values[name] = value
        loaded.sources[name] = OVERRIDE_SOURCE
    # Which sections slices own depends on which slices are installed, known only now.
    extra_slices = loaded.values.get("extra_slices", ())
    owned = _slice_sections(extra_slices) if slice_sections is None else slice_sections
    _refuse_unowned(loaded.values, unowned, owned)
    _apply_slice_environment(env, loaded.values, owned)
    if loaded.ignored:
        log.warning(
            "config: ignoring settings of the original Mimir that have no meaning here: %s",
            "; ".join(f"{key} ({reason})" for key, reason in loaded.ignored.items()),
        )
    return Settings(**loaded.values, sources=loaded.sources, ignored_keys=loaded.ignored)


def _slice_sections(extra_slices: Collection[str]) -> Collection[str]:
    from shared.slices import load_platform

    return load_platform(extra_slices).settings_sections.names()


def _refuse_unowned(values: dict[str, Any], unowned: dict[str, str], owned: Collection[str]) -> None:
    for section, source in unowned.items():
        if section not in owned:
            key = next(iter(values["sections"][section]), "")
            raise ConfigError(
                f"{source}: {section}.{key}: unknown setting {section}.{key} "
                f"(no core setting, and no installed slice owns a section {section!r})"
            )


def _apply_slice_environment(env: Mapping[str, str], values: dict[str, Any], owned: Collection[str]) -> None:
    for section in owned:
        prefix = f"MIMIR_{section.upper()}_"
        for name, value in env.items():
            if name.startswith(prefix):
                values.setdefault("sections", {}).setdefault(section, {})[name[len(prefix) :].lower()] = value


_CORE_SECTIONS = frozenset(section for section, _ in _KEYS)


def _apply_file(path: Path, loaded: _Loaded, env: Mapping[str, str], unowned: dict[str, str]) -> None:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"config file {path} must be a mapping of sections")
    given: list[tuple[str, str, Any]] = []
    for section, entries in document.items():
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: section {section!r} must be a mapping")
        if str(section) not in _CORE_SECTIONS and entries:
            # Perhaps a slice's section: kept raw, refused later if no installed slice owns it.
            raw = {str(key): v.interpolate(value, env) for key, value in entries.items()}
            loaded.values.setdefault("sections", {})[str(section)] = raw
            unowned[str(section)] = str(path)
            continue
        given += [(str(section), str(key), value) for key, value in entries.items()]
    # The original's spelling of a key first, so that our own key wins when a file has both.
    for section, key, value in sorted(given, key=lambda item: item[:2] in _KEYS):
        name = f"{section}.{key}"
        _set(loaded, section, key, v.interpolate(value, env), f"{path}: {name}", f"file:{name}", name)


def _apply_environment(env: Mapping[str, str], loaded: _Loaded) -> None:
    set_by_supervisor = set(v.strings(env.get(SUPERVISOR_VARIABLES, "")))
    names = [
        *((name, key) for name, key in _ALIASES.items()),
        *((environment_variable(*key), key) for key in [*ORIGINAL_KEYS, BACKEND_KEY]),
        *((environment_variable(*key), key) for key in _KEYS),
    ]
    for name, (section, key) in names:
        if name in env:
            source = OVERRIDE_SOURCE if name in set_by_supervisor else f"env {name}"
            _set(loaded, section, key, env[name], f"environment variable {name}", source, name)


def _set(loaded: _Loaded, section: str, key: str, raw: Any, where: str, source: str, label: str) -> None:
    """Record ``section.key = raw`` from ``where`` (for errors) as ``source``; ``label`` names it when it is
    one of the original's keys that mean nothing here."""
    if (section, key) == BACKEND_KEY:
        loaded.backend = (_parsed(_backend, raw, where, section, key), where)
        return
    original = ORIGINAL_KEYS.get((section, key)) if (section, key) not in _KEYS else None
    if original is not None and original.target is None:
        loaded.ignored[label] = original.reason
        return
    target = original.target if original is not None and original.target else (section, key)
    entry = _KEYS.get(target)
    if entry is None:
        allowed = ", ".join(f"{s}.{k}" for s, k in _KEYS)
        raise ConfigError(f"{where}: unknown setting {section}.{key} (known: {allowed})")
    field_name, parse = entry
    loaded.values[field_name] = _parsed(parse, raw, where, section, key)
    loaded.sources[field_name] = source


def _parsed(parse: Callable[[Any], Any], raw: Any, where: str, section: str, key: str) -> Any:
    try:
        return parse(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: bad value for {section}.{key}: {exc}") from exc


def _apply_backend(loaded: _Loaded) -> None:
    """The original's ``persistence.backend``: ``sqlite`` uses ``database_path`` and ignores
    ``connection_string``; ``postgres`` needs a connection string (or ``DATABASE_URL``)."""
    if loaded.backend is None:
        return
    backend, where = loaded.backend
    from_connection_string = loaded.sources.get("database_url", "").endswith(
        (".".join(CONNECTION_STRING_KEY), environment_variable(*CONNECTION_STRING_KEY))
    )
    if backend == "sqlite" and from_connection_string:
        if loaded.values.pop("database_url", None) is not None:
            loaded.ignored[".".join(CONNECTION_STRING_KEY)] = "persistence.backend is sqlite"
        loaded.sources.pop("database_url")
    if backend == "postgresql" and loaded.values.get("database_url") is None:
        raise ConfigError(
            f"{where}: persistence.backend is postgres, but no persistence.connection_string "
            "(or DATABASE_URL) is set"
        )
