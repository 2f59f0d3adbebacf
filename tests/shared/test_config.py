from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import ConfigError, load_settings


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


def test_qdrant_url_points_every_process_at_a_vector_server() -> None:
    settings = load_settings(environ={"QDRANT_URL": "http://qdrant:6333", "QDRANT_API_KEY": "k"})

    assert (settings.vectors_url, settings.vectors_api_key) == ("http://qdrant:6333", "k")


def test_a_vector_server_url_that_is_not_http_stops_the_start_naming_it() -> None:
    with pytest.raises(ConfigError, match="QDRANT_URL: bad value for vectors.url: expected an http"):
        load_settings(environ={"QDRANT_URL": "qdrant:6333"})
