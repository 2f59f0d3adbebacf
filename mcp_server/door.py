"""What every tool call goes through after its access was checked (``mcp_server.access``): the process's
services, a bounded worker thread for the blocking service call, and the domain's errors as tool errors."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import anyio
from marshmallow import Schema, ValidationError
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from backend.auth import KeyCache
from backend.ratelimit import RateLimiter
from shared.errors import InvalidInput, MimirError
from shared.jobs.events import JobWaiter
from shared.jobs.records import JobRecord
from shared.mcp.settings import McpSettings
from shared.services import Services, build_services

T = TypeVar("T")


@dataclass
class Door:
    """The services of one MCP server process, and the key of a stdio server (None over HTTP, where each
    request carries its own)."""

    services: Services
    waiter: JobWaiter
    keys: KeyCache
    limiter: RateLimiter
    stdio_key: str | None = None
    _calls: anyio.CapacityLimiter = field(init=False)
    _waits: anyio.CapacityLimiter = field(init=False)

    def __post_init__(self) -> None:
        mcp = self.mcp
        self._calls = anyio.CapacityLimiter(mcp.max_concurrent_calls)
        self._waits = anyio.CapacityLimiter(mcp.max_waits)

    @classmethod
    def from_services(cls, services: Services) -> Door:
        """A door over ``services`` (nothing connects until a tool is called)."""
        settings = services.settings
        return cls(
            services=services,
            waiter=JobWaiter(settings.resolved_redis_url),
            keys=KeyCache(services.db),
            limiter=RateLimiter.from_settings(settings),
        )

    @classmethod
    def from_settings(cls, settings: Any) -> Door:
        """A door with services built for ``settings``."""
        return cls.from_services(build_services(settings))

    @property
    def mcp(self) -> McpSettings:
        """The ``mcp:`` settings section."""
        return self.services.section(McpSettings)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread (at most ``mcp.max_concurrent_calls`` at once), the domain's
        errors turned into tool errors the model can read."""
        with translated_errors():
            return await anyio.to_thread.run_sync(partial(fn, *args), limiter=self._calls)

    async def wait_for_job(self, job_id: str, timeout: float) -> JobRecord:
        """The job once finished, or as it stands after ``timeout`` seconds, through the API's waiter (woken
        by the workers' finish notification); a caller that goes away frees its thread within 0.5 s."""
        gone = threading.Event()
        wait = partial(self.waiter.wait, self.services.db, job_id, timeout, should_stop=gone.is_set)
        try:
            with translated_errors():
                return await anyio.to_thread.run_sync(wait, limiter=self._waits, abandon_on_cancel=True)
        finally:
            gone.set()

    def close(self) -> None:
        """Stop the waiter and close the services' connections."""
        self.waiter.close()
        self.services.close()


def door_of(ctx: Context) -> Door:
    """The door of the server handling ``ctx`` (its lifespan context)."""
    door = ctx.request_context.lifespan_context
    if not isinstance(door, Door):  # a server built only to describe its tools
        raise ToolError("internal: this server was built without services")
    return door


def load(schema: Schema, arguments: dict[str, Any]) -> dict[str, Any]:
    """``arguments`` checked by the HTTP API's request ``schema`` (same fields, caps and messages); the
    arguments left out (None) are not sent."""
    given = {k: v for k, v in arguments.items() if v is not None}
    with translated_errors():
        loaded: dict[str, Any] = schema.load(given)
    return loaded


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn what the domain raises on purpose into a tool error naming its kind, like the HTTP error body;
    anything else stays a crash (logged; the model sees only that the tool failed)."""
    try:
        yield
    except ToolError:
        raise
    except ValidationError as exc:
        raise ToolError(describe(InvalidInput(_validation_message(exc.messages)))) from exc
    except MimirError as exc:
        raise ToolError(describe(exc)) from exc
    except (OperationalError, RedisError) as exc:
        raise ToolError("unavailable: the database or the broker did not answer; try again") from exc


def refuse(message: str) -> ToolError:
    """A tool error for arguments that cannot be right (``invalid_input: ...``)."""
    return ToolError(describe(InvalidInput(message)))


def describe(error: MimirError) -> str:
    """``<kind>: <message>`` and one line per located problem (at most 20)."""
    lines = [f"{error.kind.value}: {error.message}"]
    if isinstance(error.errors, list):
        for problem in error.errors[:20]:
            if isinstance(problem, dict) and "message" in problem:
                where = problem.get("location") or ""
                lines.append(f"- {where}: {problem['message']}" if where else f"- {problem['message']}")
    return "\n".join(lines)


def _validation_message(messages: Any, location: str = "") -> str:
    if isinstance(messages, dict):
        return "; ".join(
            _validation_message(v, f"{location}.{k}" if location else str(k)) for k, v in messages.items()
        )
    text = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
    return f"{location}: {text}" if location else text
