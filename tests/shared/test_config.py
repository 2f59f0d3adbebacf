from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from shared.config import ConfigError, load_settings, setting_sources


def test_defaults_put_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(environ={}, data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'mimir.db'}"


def test_environment_overrides_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("server:\n  port: 9000\nqueue:\n  worker_concurrency: 3\n")
    settings = load_settings(config, environ={"MIMIR_SERVER_PORT": "9100", "WORKER_CONCURRENCY": "4"})
    assert (settings.api_port, settings.worker_concurrency) == (9100, 4)


def test_short_variables_of_the_design_card_are_read() -> None:
    settings = load_settings(environ={"DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://r:1/0"})
    assert (settings.database_url, settings.redis_url) == ("postgresql://x/y", "redis://r:1/0")


def test_unknown_key_in_the_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("server:\n  prot: 9000\n")
    with pytest.raises(ConfigError, match=r"config.yaml: server.prot: unknown setting server.prot"):
        load_settings(config, environ={})


def test_bad_value_names_the_variable() -> None:
    with pytest.raises(
        ConfigError, match="environment variable MIMIR_SERVER_PORT: bad value for server.port"
    ):
        load_settings(environ={"MIMIR_SERVER_PORT": "eighty"})


def test_plugin_directories_split_on_the_path_separator() -> None:
    settings = load_settings(environ={"MIMIR_PLUGINS_DIRECTORIES": "/a:/b"})
    assert settings.plugin_directories == (Path("/a"), Path("/b"))


def test_http_allowlist_takes_hosts_and_networks_and_names_a_bad_entry() -> None:
    settings = load_settings(environ={"MIMIR_HTTP_ALLOWLIST": "10.0.0.0/8, intranet.example,fd00::1"})
    assert settings.http_allowlist == ("10.0.0.0/8", "intranet.example", "fd00::1")
    with pytest.raises(ConfigError, match="bad value for http.allowlist: 'not a host'"):
        load_settings(environ={"MIMIR_HTTP_ALLOWLIST": "10.0.0.0/8,not a host"})


# The original Mimir's documented config.yaml, exactly as its documentation gave it.
ORIGINAL_CONFIG = """\
server: {host: "0.0.0.0", port: 8080, api_key: "${MIMIR_API_KEY}", read_timeout: 30s, write_timeout: 30s}
plugins: {directories: ["./plugins", "/opt/mimir/plugins"], auto_discovery: true, timeout: 60s, max_concurrent: 10}
scheduler: {enabled: true, timezone: "UTC", max_jobs: 1000, job_timeout: 3600s}
monitoring: {enabled: true, metrics_interval: 30s, health_check_interval: 10s, retention_days: 30}
logging: {level: "info", format: "json", file: "./logs/mimir.log", max_size: "100MB", max_backups: 5}
persistence: {enabled: true, backend: "sqlite", database_path: "./data/mimir.db", connection_string: "", vector_db_path: "./data/chromem.db", enable_vector_db: true, backup_enabled: false, backup_path: "./backups", retention_days: 30}
"""  # noqa: E501
ORIGINAL_KEYS_WITHOUT_MEANING = [
    "server.write_timeout",
    "plugins.auto_discovery",
    "plugins.max_concurrent",
    "scheduler.max_jobs",
    "monitoring.metrics_interval",
    "monitoring.health_check_interval",
    "monitoring.retention_days",
    "persistence.enabled",
    "persistence.vector_db_path",
    "persistence.enable_vector_db",
]
API_KEY = "mimir_original-config-key-0123456789"


@pytest.fixture()
def original_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(ORIGINAL_CONFIG)
    return config


def test_the_original_mimir_config_loads_with_one_warning_naming_the_keys_without_meaning(
    original_config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="shared.config"):
        settings = load_settings(original_config, environ={"MIMIR_API_KEY": API_KEY})
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    for key in ORIGINAL_KEYS_WITHOUT_MEANING:
        assert key in warning
    assert list(settings.ignored_keys) == ORIGINAL_KEYS_WITHOUT_MEANING


def test_the_original_config_sets_our_settings(original_config: Path) -> None:
    settings = load_settings(original_config, environ={"MIMIR_API_KEY": API_KEY})
    assert settings.bootstrap_api_key == API_KEY
    assert (settings.api_host, settings.api_port) == ("0.0.0.0", 8080)
    assert settings.plugin_directories == (Path("plugins"), Path("/opt/mimir/plugins"))
    assert settings.step_timeout_seconds == 60.0
    assert (settings.scheduler_enabled, settings.scheduler_timezone) == (True, "UTC")
    assert settings.job_timeout_seconds == 3600.0
    assert settings.body_timeout_seconds == 30.0  # read_timeout: reading a whole request
    assert settings.metrics_enabled is True
    assert (settings.log_level, settings.log_format) == ("info", "json")
    assert settings.log_file == Path("logs/mimir.log")
    assert (settings.log_max_bytes, settings.log_max_backups) == (100 * 1024 * 1024, 5)
    assert settings.database_url is None
    assert settings.resolved_database_url == f"sqlite:///{Path('data/mimir.db').resolve()}"
    assert (settings.backups_enabled, settings.backups_dir) == (False, Path("backups"))
    assert settings.retention_days == 30


def test_the_api_key_comes_from_the_variable_the_file_names(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text('server: {api_key: "${SOME_SECRET}"}\nlogging: {file: "${LOGS:-/var/log}/m.log"}\n')
    settings = load_settings(config, environ={"SOME_SECRET": API_KEY})
    assert settings.bootstrap_api_key == API_KEY
    assert settings.source_of("bootstrap_api_key") == "file:server.api_key"
    assert settings.log_file == Path("/var/log/m.log")


def test_an_unset_variable_in_the_file_leaves_the_value_unset(original_config: Path) -> None:
    assert load_settings(original_config, environ={}).bootstrap_api_key is None


def test_the_original_variables_are_read(caplog: pytest.LogCaptureFixture) -> None:
    environ = {
        "MIMIR_SERVER_HOST": "0.0.0.0",
        "MIMIR_PORT": "9001",
        "MIMIR_API_KEY": API_KEY,
        "MIMIR_PLUGINS_DIRECTORIES": "/p1:/p2",
        "MIMIR_PLUGINS_TIMEOUT": "45s",
        "MIMIR_PLUGINS_MAX_CONCURRENT": "4",
        "MIMIR_SCHEDULER_ENABLED": "false",
        "MIMIR_SCHEDULER_TIMEZONE": "Europe/Oslo",
        "MIMIR_SCHEDULER_MAX_JOBS": "10",
        "MIMIR_MONITORING_ENABLED": "false",
        "MIMIR_MONITORING_METRICS_INTERVAL": "15s",
        "MIMIR_DATABASE_PATH": "/srv/mimir/mimir.db",
        "MIMIR_LOG_LEVEL": "warn",
        "WORKER_CONCURRENCY": "3",
        "REDIS_URL": "redis://r:6379/1",
    }
    with caplog.at_level(logging.WARNING, logger="shared.config"):
        settings = load_settings(environ=environ)
    assert (settings.api_host, settings.api_port, settings.bootstrap_api_key) == ("0.0.0.0", 9001, API_KEY)
    assert settings.plugin_directories == (Path("/p1"), Path("/p2"))
    assert settings.step_timeout_seconds == 45.0
    assert (settings.scheduler_enabled, settings.scheduler_timezone) == (False, "Europe/Oslo")
    assert settings.metrics_enabled is False
    assert settings.resolved_database_url == "sqlite:////srv/mimir/mimir.db"
    assert settings.log_level == "warning"
    assert (settings.worker_concurrency, settings.redis_url) == (3, "redis://r:6379/1")
    [warning] = [r.getMessage() for r in caplog.records]
    for name in (
        "MIMIR_PLUGINS_MAX_CONCURRENT",
        "MIMIR_SCHEDULER_MAX_JOBS",
        "MIMIR_MONITORING_METRICS_INTERVAL",
    ):
        assert name in warning


def test_our_own_spelling_wins_over_the_originals_in_one_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"security: {{api_key: ours-{API_KEY}}}\nserver: {{api_key: theirs-{API_KEY}}}\n")
    assert load_settings(config, environ={}).bootstrap_api_key == f"ours-{API_KEY}"


@pytest.mark.parametrize(
    "yaml_text",
    ["server: {api_kee: x}\n", "persistence: {vector_path: x}\n", "vectors: {path: x}\n"],
)
def test_keys_that_were_never_mimirs_stay_an_error(tmp_path: Path, yaml_text: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml_text)
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(config, environ={})


@pytest.mark.parametrize(
    ("connection_string", "url"),
    [
        ("postgres://mimir:pw@db:5432/mimir", "postgres://mimir:pw@db:5432/mimir"),
        (
            "host=db port=5432 user=mimir password=pw dbname=mimir sslmode=disable",
            "postgresql+psycopg://mimir:pw@db:5432/mimir?sslmode=disable",
        ),
    ],
)
def test_the_postgres_backend_uses_the_connection_string(
    tmp_path: Path, connection_string: str, url: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({"persistence": {"backend": "postgres", "connection_string": connection_string}})
    )
    settings = load_settings(config, environ={})
    assert settings.database_url == url
    assert settings.source_of("database_url") == "file:persistence.connection_string"


def test_the_postgres_backend_without_a_connection_string_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text('persistence: {backend: postgres, connection_string: ""}\n')
    with pytest.raises(
        ConfigError, match="persistence.backend is postgres, but no persistence.connection_string"
    ):
        load_settings(config, environ={})


def test_the_sqlite_backend_ignores_a_connection_string(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "persistence: {backend: sqlite, connection_string: 'postgres://x/y', database_path: a.db}\n"
    )
    settings = load_settings(config, environ={})
    assert settings.resolved_database_url == f"sqlite:///{Path('a.db').resolve()}"
    assert "persistence.connection_string" in settings.ignored_keys


def test_an_unknown_backend_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("persistence: {backend: badger}\n")
    with pytest.raises(
        ConfigError, match="bad value for persistence.backend: expected one of sqlite, postgresql"
    ):
        load_settings(config, environ={})


def test_each_value_knows_where_it_came_from(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("server: {port: 9000}\nplugins: {timeout: 5s}\n")
    settings = load_settings(
        config, environ={"MIMIR_PORT": "9100", "WORKER_CONCURRENCY": "3"}, api_connections=8
    )
    sources = setting_sources(settings)
    assert sources["server.port"] == "env MIMIR_PORT"
    assert sources["plugins.step_timeout_seconds"] == "file:plugins.timeout"
    assert sources["queue.worker_concurrency"] == "env WORKER_CONCURRENCY"
    assert sources["server.connections"] == "override"
    assert sources["server.max_body_bytes"] == "default"


def test_variables_set_by_mimir_up_show_as_overrides() -> None:
    settings = load_settings(
        environ={"MIMIR_SERVER_PORT": "9000", "MIMIR_SET_BY_SUPERVISOR": "MIMIR_SERVER_PORT"}
    )
    assert settings.source_of("api_port") == "override"


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30.0), ("1h30m", 5400.0), ("250ms", 0.25), ("2.5", 2.5), (7, 7.0)]
)
def test_durations_take_the_originals_spelling(text: object, seconds: float) -> None:
    assert load_settings(environ={"MIMIR_QUEUE_LEASE_SECONDS": str(text)}).lease_seconds == seconds


@pytest.mark.parametrize(("text", "size"), [("100MB", 100 * 1024**2), ("512KiB", 512 * 1024), ("4096", 4096)])
def test_sizes_take_the_originals_spelling(text: str, size: int) -> None:
    assert load_settings(environ={"MIMIR_SERVER_MAX_BODY_BYTES": text}).max_body_bytes == size


def test_a_bad_duration_is_named() -> None:
    with pytest.raises(ConfigError, match="MIMIR_PLUGINS_TIMEOUT: bad value for plugins.timeout"):
        load_settings(environ={"MIMIR_PLUGINS_TIMEOUT": "a minute"})
