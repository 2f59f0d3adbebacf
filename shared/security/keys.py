"""Creating, listing, revoking and checking API keys. A key's secret is shown once and never stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import InvalidInput, NotFound
from shared.security.permissions import Role
from shared.security.records import ApiKeyRecord

KEY_PREFIX = "mimir_"
_SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: its record and the secret, which the caller must show once and then forget."""

    record: ApiKeyRecord
    secret: str


def key_digest(secret: str) -> str:
    """The stored form of a key. Keys carry 256 random bits, so a fast digest is as safe as a slow one."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A fresh key secret: ``mimir_`` and 43 URL-safe characters."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_api_key(db: Database, *, name: str, role: str, secret: str | None = None) -> IssuedKey:
    """Store a new key for ``name`` with ``role``; ``secret`` is generated unless given (bootstrap keys)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput.at("name", "must be 1 to 200 characters")
    try:
        role = Role(role).value
    except ValueError:
        raise InvalidInput.at("role", f"must be one of {', '.join(r.value for r in Role)}") from None
    secret = secret or new_secret()
    if len(secret) < 20:
        raise InvalidInput.at("key", "must be at least 20 characters")
    record = ApiKeyRecord(
        id=str(uuid.uuid4()),
        name=name,
        role=role,
        prefix=secret[:_SHOWN_PREFIX_LENGTH],
        digest=key_digest(secret),
        created_at=utcnow(),
    )
    with db.session() as session:
        session.add(record)
    return IssuedKey(record=record, secret=secret)


def find_active_key(db: Database, secret: str) -> ApiKeyRecord | None:
    """The unrevoked key whose secret is ``secret``, if any."""
    with db.session() as session:
        return session.scalars(
            select(ApiKeyRecord).where(
                ApiKeyRecord.digest == key_digest(secret), ApiKeyRecord.revoked_at.is_(None)
            )
        ).one_or_none()


def list_api_keys(db: Database) -> list[ApiKeyRecord]:
    """Every key, newest first (secrets are not stored, so none is shown)."""
    with db.session() as session:
        return list(session.scalars(select(ApiKeyRecord).order_by(ApiKeyRecord.created_at.desc())))


def revoke_api_key(db: Database, key_id: str) -> ApiKeyRecord:
    """Revoke a key; revoking twice is harmless."""
    with db.session() as session:
        record = session.get(ApiKeyRecord, key_id)
        if record is None:
            raise NotFound(f"no API key with id {key_id!r}")
        if record.revoked_at is None:
            record.revoked_at = utcnow()
        return record


def has_active_admin_key(db: Database) -> bool:
    """Whether any unrevoked admin key exists."""
    with db.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(ApiKeyRecord)
            .where(ApiKeyRecord.role == Role.ADMIN.value, ApiKeyRecord.revoked_at.is_(None))
        )
    return bool(count)


def ensure_bootstrap_key(db: Database, secret: str) -> bool:
    """Make ``secret`` (from ``MIMIR_API_KEY``) a valid admin key; True when it had to be stored."""
    if find_active_key(db, secret) is not None:
        return False
    with db.session() as session:
        existing = session.scalars(
            select(ApiKeyRecord).where(ApiKeyRecord.digest == key_digest(secret))
        ).first()
        if existing is not None:  # the operator revoked it; their decision stands
            return False
    create_api_key(db, name="bootstrap (MIMIR_API_KEY)", role=Role.ADMIN.value, secret=secret)
    return True
