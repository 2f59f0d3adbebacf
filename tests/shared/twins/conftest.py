"""A real SQLite database built by the migrations, for the tests of stored twins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.db.engine import Database
from shared.db.migrate import upgrade_to_head


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'twins.db'}"
    upgrade_to_head(url)
    database = Database.connect(url)
    yield database
    database.dispose()
