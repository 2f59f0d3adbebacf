"""AI_Models.llm against a local server speaking the chat-completions protocol."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from shared.errors import PluginError
from tests.shared.plugins.steps import config_problems, run_step
from tests.shared.vectors.chat_server import ChatServer, Reply, chat_answer, chat_server

LOCAL = {"http_allowlist": ("127.0.0.1",)}


@pytest.fixture()
def server() -> Iterator[ChatServer]:
    with chat_server() as running:
        yield running


def _config(server: ChatServer, **extra: Any) -> dict[str, Any]:
    return {
        "base_url": server.url,
        "model": "tiny",
        "messages": [{"role": "user", "content": "Say hi"}],
        "backoff_seconds": 0.01,
        **extra,
    }


def test_the_answer_comes_back_with_the_model_and_usage(server: ChatServer) -> None:
    result = run_step("AI_Models.llm", _config(server, temperature=0.2, max_tokens=5), **LOCAL)

    assert result["content"] == "echo: Say hi" and result["attempts"] == 1
    assert server.requests[0]["path"] == "/v1/chat/completions"
    assert server.requests[0]["body"] == {
        "model": "tiny",
        "messages": [{"role": "user", "content": "Say hi"}],
        "temperature": 0.2,
        "max_tokens": 5,
    }


def test_a_429_is_retried_after_the_time_the_server_asks(server: ChatServer) -> None:
    server.script += [Reply(429, {"error": {"message": "slow down"}}, headers={"retry-after": "0.2"})]
    started = time.monotonic()

    result = run_step("AI_Models.llm", _config(server), **LOCAL)

    assert (result["content"], result["attempts"]) == ("echo: Say hi", 2)
    assert time.monotonic() - started >= 0.2


def test_server_errors_are_retried_until_the_retries_run_out(server: ChatServer) -> None:
    server.script += [Reply(503, {"error": {"message": "overloaded"}}) for _ in range(3)]

    with pytest.raises(PluginError, match=r"HTTP 503: overloaded \(after 3 attempt\(s\)\)"):
        run_step("AI_Models.llm", _config(server, retries=2), **LOCAL)


def test_a_client_error_is_not_retried(server: ChatServer) -> None:
    server.script += [Reply(400, {"error": {"message": "bad model"}})]

    with pytest.raises(PluginError, match="HTTP 400: bad model"):
        run_step("AI_Models.llm", _config(server), **LOCAL)
    assert len(server.requests) == 1


def test_a_server_slower_than_the_total_timeout_fails_the_step_in_time(server: ChatServer) -> None:
    server.script += [Reply(200, chat_answer("late"), delay=3)]
    started = time.monotonic()

    with pytest.raises(PluginError, match="no answer within the total timeout of 0.5s"):
        run_step("AI_Models.llm", _config(server, timeout_seconds=0.5), **LOCAL)
    assert time.monotonic() - started < 2


def test_a_json_answer_is_parsed_and_checked_against_the_schema(server: ChatServer) -> None:
    server.script += [Reply(200, chat_answer('```json\n{"sentiment": "positive", "score": 0.9}\n```'))]
    schema = {
        "type": "object",
        "required": ["sentiment"],
        "properties": {"sentiment": {"enum": ["positive"]}},
    }

    result = run_step("AI_Models.llm", _config(server, json_schema=schema), **LOCAL)

    assert result["json"] == {"sentiment": "positive", "score": 0.9}
    assert server.requests[0]["body"]["response_format"] == {"type": "json_object"}


def test_malformed_json_fails_the_step_quoting_the_answer(server: ChatServer) -> None:
    server.script += [Reply(200, chat_answer('{"sentiment": "positive",'))]

    with pytest.raises(PluginError, match=r"answer is not valid JSON .*'\{\"sentiment\": \"positive\",'"):
        run_step("AI_Models.llm", _config(server, json_output=True), **LOCAL)


def test_json_that_breaks_the_schema_fails_naming_where(server: ChatServer) -> None:
    server.script += [Reply(200, chat_answer('{"sentiment": 3}'))]
    schema = {"type": "object", "properties": {"sentiment": {"type": "string"}}}

    with pytest.raises(
        PluginError, match=r"does not match json_schema at answer.sentiment: 3 is not of type"
    ):
        run_step("AI_Models.llm", _config(server, json_schema=schema), **LOCAL)


def test_per_row_the_messages_take_each_rows_values(server: ChatServer) -> None:
    table = {"columns": ["id", "title"], "rows": [{"id": 1, "title": "Cats"}, {"id": 2, "title": "Dogs"}]}
    config = _config(
        server,
        input="docs",
        output_column="summary",
        messages=[{"role": "user", "content": "Sum [[ title ]]"}],
    )

    result = run_step("AI_Models.llm", config, values={"docs": table}, **LOCAL)

    assert result["columns"] == ["id", "title", "summary"]
    assert [r["summary"] for r in result["rows"]] == ["echo: Sum Cats", "echo: Sum Dogs"]


def test_the_api_key_is_sent_from_the_named_variable_and_never_shown(
    server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", "sk-secret-value")
    server.script += [Reply(401, {"error": {"message": "no"}})]

    with pytest.raises(PluginError) as caught:
        run_step("AI_Models.llm", _config(server, api_key_env="TEST_LLM_KEY"), **LOCAL)

    assert server.requests[0]["headers"]["Authorization"] == "Bearer sk-secret-value"
    assert "sk-secret-value" not in str(caught.value)


def test_a_missing_key_variable_is_named(server: ChatServer) -> None:
    with pytest.raises(PluginError, match="environment variable NOT_SET_ANYWHERE_KEY"):
        run_step("AI_Models.llm", _config(server, api_key_env="NOT_SET_ANYWHERE_KEY"), **LOCAL)


def test_a_private_address_is_refused_unless_allowed(server: ChatServer) -> None:
    with pytest.raises(PluginError, match="non-public address"):
        run_step("AI_Models.llm", _config(server))
    assert server.requests == []


def test_a_json_schema_that_is_no_schema_is_refused_at_validation() -> None:
    problems = config_problems(
        "AI_Models.llm",
        {
            "base_url": "http://x",
            "model": "m",
            "messages": [{"role": "user", "content": "hi"}],
            "json_schema": {"type": 5},
        },
    )

    assert problems and problems[0].startswith("config.json_schema: not a valid JSON Schema")
