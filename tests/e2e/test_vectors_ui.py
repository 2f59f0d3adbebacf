"""The vectors pages in a real browser against a live stack with the vector store's owner: a collection made
through the form, documents pasted in, a search whose best hit is the expected document, and the collection
deleted."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mimir.testing.stack import ADMIN_KEY, ApiProcess
from mimir.testing.vector_owner import OwnerProcess
from shared.config import Settings
from tests.e2e.conftest import screenshot, sign_in
from tests.shared.vectors.corpus import DOCUMENTS, LEXICAL_QUERIES

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def owner(stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnerProcess]:
    """The owner of the stack's local vector store (``mimir up`` starts one; the e2e stack starts it here)."""
    log: Path = tmp_path_factory.mktemp("e2e-owner") / "owner.log"
    process = OwnerProcess(stack_settings, log).start()
    yield process
    process.stop()


@pytest.mark.usefixtures("owner")
def test_a_collection_is_filled_searched_for_its_best_document_and_deleted(
    page: Any, stack: ApiProcess
) -> None:
    name = f"docs-{uuid.uuid4().hex[:6]}"
    keys = list(DOCUMENTS)  # pasted in this order: the form keys line N as doc-N
    query, expected = next(iter(LEXICAL_QUERIES.items()))
    expected_key = f"doc-{keys.index(expected) + 1}"
    page.on("dialog", lambda dialog: dialog.accept())  # the delete confirmation
    sign_in(page, ADMIN_KEY)

    page.get_by_role("link", name=re.compile("Vectors")).click()
    page.get_by_role("button", name="New collection").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create collection").click()
    page.wait_for_url(f"**/vectors/{name}")
    page.get_by_text("0 points · dimension 384 · cosine · embedder hashing").wait_for()

    page.get_by_label("Documents (one per line)").fill("\n".join(DOCUMENTS.values()))
    page.get_by_role("button", name="Add documents").click()
    page.get_by_text(f"Stored {len(DOCUMENTS)} documents.").wait_for()
    page.get_by_text(f"{len(DOCUMENTS)} points · dimension 384").wait_for()

    page.get_by_label("Query").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    hits = page.get_by_role("table", name="Search hits")
    hits.wait_for()
    top = hits.get_by_role("row").nth(1)  # row 0 is the header
    assert top.get_by_role("cell").nth(1).inner_text() == expected_key
    assert DOCUMENTS[expected][:30] in top.get_by_role("cell").nth(2).inner_text()
    assert hits.get_by_role("row").count() == 1 + len(DOCUMENTS)  # limit 10: every document, best first
    screenshot(page, "vectors-01-search")

    page.get_by_role("button", name="Delete collection").click()
    page.wait_for_url(re.compile(r"/vectors$"))
    page.get_by_role("heading", name="Vectors").wait_for()
    page.get_by_role("link", name=name).wait_for(state="detached")
    gone = requests.get(f"{stack.url}/api/v1/vectors/collections/{name}", headers=stack.headers, timeout=10)
    assert gone.status_code == 404
