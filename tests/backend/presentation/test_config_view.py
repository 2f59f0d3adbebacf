from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backend.presentation.config_view import redact_url, settings_document
from shared.config import load_settings, setting_keys

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://user:pw@host/db", "postgresql://user:***@host/db"),
        ("postgresql+psycopg://u:p%40ss@[::1]:5432/d", "postgresql+psycopg://u:***@[::1]:5432/d"),
        ("redis://:hunter2@r:6379/0", "redis://:***@r:6379/0"),
        ("postgresql://host/db?user=u&password=pw", "postgresql://host/db?user=u&password=***"),
        ("sqlite:////abs/mimir.db", "sqlite:////abs/mimir.db"),
        ("redis://r:6379/0", "redis://r:6379/0"),
    ],
)
def test_passwords_inside_urls_are_redacted(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_the_document_names_every_key_and_hides_every_secret() -> None:
    settings = load_settings(
        environ={},
        database_url="postgresql://mimir:s3cret-db@db/mimir",
        redis_url="redis://:s3cret-redis@redis:6379/0",
        bootstrap_api_key="mimir_s3cret-key-0123456789abcdef",
    )
    document = settings_document(settings)
    assert [(s, k) for s, k, _ in setting_keys()] == [(s, k) for s in document for k in document[s]]
    assert "s3cret" not in repr(document)
    assert document["security"]["api_key"] == "***"


def test_the_example_config_covers_every_key_and_loads() -> None:
    example = REPO_ROOT / "config.example.yaml"
    document = yaml.safe_load(example.read_text())
    assert {(s, k) for s in document for k in document[s]} == {(s, k) for s, k, _ in setting_keys()}
    load_settings(example, environ={})
