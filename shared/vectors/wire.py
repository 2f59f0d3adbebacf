"""The bytes of one request or reply between a process and the local store's owner.

A JSON header and the raw float32 bytes of any arrays after it: a batch of 384-dimension vectors travels
as 1.5 KB per vector instead of ~8 KB of JSON numbers, and neither side parses floats one by one. No
pickle: whoever can write to Redis must not be able to run code in the owner.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

from shared.errors import MimirError
from shared.vectors import errors as vector_errors

# The list requests are pushed to, and the key the owner keeps alive while it serves them.
REQUEST_QUEUE = "mimir:vectors:requests"
OWNER_KEY = "mimir:vectors:owner"
MAGIC = b"MV1"
_LENGTH = struct.Struct(">I")


class WireError(ValueError):
    """The bytes are not a message of this protocol."""


def encode(header: dict[str, Any], arrays: dict[str, np.ndarray] | None = None) -> bytes:
    """``header`` (JSON-able) and ``arrays`` as one message."""
    layout = []
    blobs = []
    for name, array in (arrays or {}).items():
        contiguous = np.ascontiguousarray(array, dtype=np.float32)
        layout.append([name, list(contiguous.shape)])
        blobs.append(contiguous.tobytes())
    head = json.dumps({**header, "_arrays": layout}, separators=(",", ":"), allow_nan=False).encode()
    return b"".join([MAGIC, _LENGTH.pack(len(head)), head, *blobs])


def as_bytes(value: bytes | str) -> bytes:
    """A message as Redis handed it over (bytes, as the clients here are made without decoding)."""
    return value if isinstance(value, bytes) else value.encode()


def decode(message: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and arrays of a message made by :func:`encode`."""
    if message[:3] != MAGIC or len(message) < 7:
        raise WireError("not a vector-store message")
    (length,) = _LENGTH.unpack_from(message, 3)
    start = 7 + length
    try:
        header = json.loads(message[7:start])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"bad header: {exc}") from exc
    arrays: dict[str, np.ndarray] = {}
    offset = start
    for name, shape in header.pop("_arrays", []):
        if not all(isinstance(n, int) and n >= 0 for n in shape):
            raise WireError(f"array {name!r} has a bad shape {shape!r}")
        count = int(np.prod(shape, dtype=np.int64))
        if offset + count * 4 > len(message):
            raise WireError(f"array {name!r} is truncated")
        arrays[str(name)] = np.frombuffer(message, dtype=np.float32, count=count, offset=offset).reshape(
            shape
        )
        offset += count * 4
    return header, arrays


# The errors a reply may carry; anything else arrives as a plain MimirError (500).
_ERRORS: dict[str, type[MimirError]] = {
    cls.__name__: cls
    for cls in (
        vector_errors.CollectionNotFound,
        vector_errors.CollectionExists,
        vector_errors.VectorInputError,
        vector_errors.EmbedderMismatch,
        vector_errors.BatchTooLarge,
        vector_errors.VectorStoreUnavailable,
    )
}


def error_header(error: MimirError) -> dict[str, Any]:
    """A reply header that carries ``error``."""
    return {"ok": False, "error": type(error).__name__, "message": error.message, "errors": error.errors}


def raise_carried_error(header: dict[str, Any]) -> None:
    """Raise the error a reply header carries, as the class the owner raised."""
    cls = _ERRORS.get(str(header.get("error")), MimirError)
    error = cls.__new__(cls)
    MimirError.__init__(error, str(header.get("message")), errors=header.get("errors"))
    raise error
