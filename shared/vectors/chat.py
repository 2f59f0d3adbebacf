"""Chat completions against any OpenAI-compatible endpoint, with a total deadline and bounded retries.

A 429 or a 5xx is retried with exponential backoff (``Retry-After`` is honoured) while the total timeout
allows; each attempt gets only the time left. Anything else fails at once with the endpoint's own reason.
A run's stop signal (a cancel, a time limit) ends a request or a pause between attempts at once.
The key comes from the environment variable the config names and is never put in a message or a log.
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass
from typing import Any

import jsonschema

from shared.errors import PluginError
from shared.stopping import StopSignal
from shared.vectors.http import HttpAccess, HttpStatusError, api_key_header, join_url, post_json

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion to ask for."""

    base_url: str
    model: str
    messages: list[dict[str, str]]
    temperature: float | None = None
    max_tokens: int | None = None
    api_key_env: str | None = None
    timeout_seconds: float = 60.0
    retries: int = 3
    backoff_seconds: float = 1.0
    json_output: bool = False


@dataclass(frozen=True)
class ChatAnswer:
    """The model's answer: its text, how many attempts it took, and the token usage it reported."""

    content: str
    attempts: int
    usage: dict[str, Any]


def complete(request: ChatRequest, access: HttpAccess, *, stop: StopSignal | None = None) -> ChatAnswer:
    """The model's answer to ``request``; a :class:`PluginError` saying why there is none, or ``stop``'s
    reason when the run must stop."""
    stop = stop or StopSignal()
    url = join_url(request.base_url, "chat/completions")
    body: dict[str, Any] = {"model": request.model, "messages": request.messages}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        body["max_tokens"] = request.max_tokens
    if request.json_output:
        body["response_format"] = {"type": "json_object"}
    headers = api_key_header(request.api_key_env, "AI_Models.llm")
    deadline = time.monotonic() + request.timeout_seconds
    attempt = 0
    while True:
        stop.raise_if_stopped()
        attempt += 1
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PluginError(f"{url}: no answer within the total timeout of {request.timeout_seconds:g}s")
        try:
            answer = post_json(url, body, headers, access, timeout_seconds=remaining, stop=stop)
        except HttpStatusError as exc:
            retryable = exc.status == 429 or exc.status >= 500
            if not retryable or attempt > request.retries:
                raise PluginError(f"{exc.message} (after {attempt} attempt(s))") from exc
            pause = (
                exc.retry_after if exc.retry_after is not None else _backoff(request.backoff_seconds, attempt)
            )
            if time.monotonic() + pause >= deadline:
                raise PluginError(
                    f"{exc.message}; no time left to retry within {request.timeout_seconds:g}s"
                ) from exc
            stop.wait(pause)  # a cancel wakes it; the loop's first line raises the reason
            continue
        except PluginError as exc:
            if time.monotonic() >= deadline - 0.05:  # the attempt used up the time left
                raise PluginError(
                    f"{url}: no answer within the total timeout of {request.timeout_seconds:g}s"
                ) from exc
            raise
        return ChatAnswer(_content(answer, url), attempt, _usage(answer))


def _backoff(base: float, attempt: int) -> float:
    return base * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)  # jitter: parallel rows don't retry in step


def _content(answer: Any, url: str) -> str:
    try:
        content = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise PluginError(f"{url}: the answer has no choices[0].message.content") from None
    if not isinstance(content, str):
        raise PluginError(f"{url}: choices[0].message.content is not text")
    return content


def _usage(answer: Any) -> dict[str, Any]:
    usage = answer.get("usage") if isinstance(answer, dict) else None
    return dict(usage) if isinstance(usage, dict) else {}


def parse_json_answer(content: str, schema: dict[str, Any] | None) -> Any:
    """The JSON the model answered (a fenced ```json block is accepted), checked against ``schema``."""
    fenced = _FENCE.match(content)
    text = fenced.group(1) if fenced else content
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PluginError(
            f"the model's answer is not valid JSON ({exc.msg} at char {exc.pos}): {content[:200]!r}"
        ) from exc
    if schema is not None:
        errors = sorted(
            jsonschema.Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path)
        )
        if errors:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in errors[0].absolute_path)
            raise PluginError(
                f"the model's JSON does not match json_schema at answer{where}: {errors[0].message}"
            )
    return value
