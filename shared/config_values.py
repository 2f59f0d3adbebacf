"""Parsers for setting values: each takes what a file or variable gave and returns the typed value, or raises
``ValueError`` with a message that the loader prefixes with the key and where it came from.

Durations and sizes also accept the original Mimir's spellings (``30s``, ``1h30m``, ``100MB``), so a copied
``config.yaml`` loads unchanged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_SIZE = re.compile(r"(\d+(?:\.\d*)?)\s*(?:([kmgt])i?)?b?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def positive_int(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"must be at least 1, got {number}")
    return number


def non_negative_int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"must be 0 or more, got {number}")
    return number


def positive_float(value: Any) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError(f"must be greater than 0, got {number}")
    return number


def duration_seconds(value: Any) -> float:
    """Seconds from a number or a Go-style duration (``30s``, ``1h30m``, ``250ms``)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30 or '30s', got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"expected a duration such as 30, '30s', '5m' or '1h30m', got {value!r}")
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


def positive_seconds(value: Any) -> float:
    return positive_float(duration_seconds(value))


def optional_seconds(value: Any) -> float | None:
    """A time limit in seconds; empty or 0 means none."""
    if value in (None, ""):
        return None
    seconds = duration_seconds(value)
    if seconds < 0:
        raise ValueError(f"must be 0 (no limit) or more, got {value!r}")
    return seconds or None


def byte_size(value: Any) -> int:
    """Bytes from a number or a size such as ``100MB``, ``512KiB``, ``2g`` (K, M, G are powers of 1024)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 1048576 or '100MB', got {value!r}")
    if isinstance(value, int):
        return positive_int(value)
    match = _SIZE.fullmatch(str(value).strip())
    if match is None:
        raise ValueError(f"expected a size such as 1048576 or '100MB', got {value!r}")
    number, unit = match.groups()
    return positive_int(float(number) * _SIZE_UNITS[(unit or "").lower()])


def paths(value: Any) -> tuple[Path, ...]:
    items = value.split(os.pathsep) if isinstance(value, str) else list(value or [])
    return tuple(Path(str(p)).expanduser() for p in items if str(p).strip())


def optional_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def optional_http_url(value: Any) -> str | None:
    text = optional_str(value)
    if text is not None and not text.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return text


def path(value: Any) -> Path:
    return Path(str(value)).expanduser()


def optional_path(value: Any) -> Path | None:
    return Path(str(value)).expanduser() if value not in (None, "") else None


def strings(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return tuple(str(item).strip() for item in items if str(item).strip())


def timezone(value: Any) -> str:
    from shared.scheduling.cron import timezone_problem

    problem = timezone_problem(str(value))
    if problem:
        raise ValueError(problem)
    return str(value)


def allowlist(value: Any) -> tuple[str, ...]:
    from shared.plugins.netguard import HttpPolicy

    entries = strings(value)
    HttpPolicy.from_allowlist(entries)  # a ValueError names the entry that is neither a host nor a network
    return entries


def rate_limit(value: Any) -> str:
    from limits import parse_many

    text = str(value).strip()
    try:
        parse_many(text)
    except ValueError:
        raise ValueError(
            f"expected a rate such as '100/second' or '1000 per minute', got {value!r}"
        ) from None
    return text


def choice(*allowed: str, aliases: Mapping[str, str] | None = None) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        text = (aliases or {}).get(text, text)
        if text not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return text

    return parse


def database_url(value: Any) -> str | None:
    """A database URL; the original's libpq keyword form (``host=db dbname=mimir user=…``) becomes one."""
    text = optional_str(value)
    if text is None or "://" in text:
        return text
    from psycopg.conninfo import conninfo_to_dict
    from sqlalchemy.engine import URL

    try:
        params = {key: str(item) for key, item in conninfo_to_dict(text).items()}
    except Exception as exc:  # psycopg raises its own ProgrammingError for a malformed string
        raise ValueError(f"expected a URL or 'host=… dbname=…' connection string: {exc}") from None
    port = params.pop("port", None)
    url = URL.create(
        "postgresql+psycopg",
        username=params.pop("user", None),
        password=params.pop("password", None),
        host=params.pop("host", None),
        port=int(port) if port else None,
        database=params.pop("dbname", None),
        query=params,
    )
    return url.render_as_string(hide_password=False)


def interpolate(value: Any, environ: Mapping[str, str]) -> Any:
    """``value`` with ``${VAR}`` (or ``${VAR:-default}``) in its strings replaced from ``environ``; an unset
    variable (or an empty one) without a default becomes empty, as in the original Mimir."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: environ.get(m.group(1)) or m.group(2) or "", value)
    if isinstance(value, list):
        return [interpolate(item, environ) for item in value]
    return value
