"""The effective settings as a ``config.yaml``-shaped document, with every secret redacted."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shared.config import SECRET_FIELDS, Settings, setting_keys

REDACTED = "***"
# The config.yaml sections, in the order the settings table names them.
SECTIONS = tuple(dict.fromkeys(section for section, _, _ in setting_keys()))
# Settings whose effective value is derived when none is set (shown as the value in use).
_RESOLVED = {
    "database_url": "resolved_database_url",
    "redis_url": "resolved_redis_url",
    "pipelines_dir": "resolved_pipelines_dir",
    "file_directories": "resolved_file_directories",
    "output_dir": "resolved_output_dir",
    "metrics_dir": "resolved_metrics_dir",
    "backups_directory": "backups_dir",
}
_SECRET_QUERY_KEYS = frozenset({"password", "pass", "passwd", "secret", "token", "api_key", "key"})


def settings_document(settings: Settings) -> dict[str, dict[str, Any]]:
    """``{section: {key: value}}`` for every known key, in ``config.yaml`` order; secrets redacted."""
    document: dict[str, dict[str, Any]] = {}
    for section, key, field_name in setting_keys():
        value = getattr(settings, _RESOLVED.get(field_name, field_name))
        document.setdefault(section, {})[key] = _shown(field_name, value)
    return document


def redact_url(url: str) -> str:
    """``url`` with its password (and password-like query parameters) replaced by ``***``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return REDACTED
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if password is None and not any(k.lower() in _SECRET_QUERY_KEYS for k, _ in pairs):
        return url  # rebuilding could change it (sqlite:////abs/path loses a slash)
    netloc = parts.netloc
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{REDACTED}@{host}"
    query = urlencode([(k, REDACTED if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _shown(field_name: str, value: Any) -> Any:
    if field_name in SECRET_FIELDS and value is not None:
        return redact_url(str(value)) if "://" in str(value) else REDACTED
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [str(item) for item in value]
    return value
