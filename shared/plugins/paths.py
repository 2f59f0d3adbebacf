"""Confining file steps to the configured data directories."""

from __future__ import annotations

from pathlib import Path

from shared.errors import PluginError
from shared.plugins.base import RunEnvironment


def resolve_read_path(raw: str, env: RunEnvironment) -> Path:
    """The real path of a file a step may read: inside one of ``env.data_dirs`` after resolving links."""
    return _confine(raw, env.data_dirs, "read")


def resolve_write_path(raw: str, env: RunEnvironment) -> Path:
    """The real path a step may write: inside the output directory after resolving links (inside a data
    directory only when no output directory is configured), so a symlinked folder cannot lead elsewhere."""
    roots = (env.output_dir,) if env.output_dir else env.data_dirs
    path = _confine(raw, roots, "write")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _confine(raw: str, roots: tuple[Path, ...], verb: str) -> Path:
    if not raw or "\x00" in raw:
        raise PluginError(f"cannot {verb} {raw!r}: not a valid path")
    if not roots:
        raise PluginError(f"cannot {verb} {raw!r}: no data directory is configured")
    candidate = Path(raw)
    if ".." in candidate.parts:
        # Refused outright rather than resolved: a path that climbs is a mistake or an attack either way.
        raise PluginError(f"cannot {verb} {raw!r}: path is outside the allowed directories ('..' is refused)")
    real_roots = [root.resolve() for root in roots]
    bases = [candidate] if candidate.is_absolute() else [root / candidate for root in real_roots]
    for base in bases:
        real = base.resolve()
        if any(real == root or root in real.parents for root in real_roots):
            if verb == "read" and not real.is_file():
                continue
            return real
    allowed = ", ".join(str(r) for r in real_roots)
    if verb == "read" and any((b.resolve().is_relative_to(r)) for b in bases for r in real_roots):
        raise PluginError(f"cannot read {raw!r}: no such file in the data directories ({allowed})")
    raise PluginError(f"cannot {verb} {raw!r}: path is outside the allowed directories ({allowed})")
