"""A live stack for the browser tests: the API (serving the built UI) and real worker processes on Redis and
SQLite, and Debian's chromium driven by Playwright. Screenshots go to ``test-output/e2e/`` (gitignored)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mimir.testing.servers import free_port
from mimir.testing.stack import (
    REPO_ROOT,
    ApiProcess,
    api_process,
    make_settings,
    migrated_database,
    worker_pool,
)
from shared.config import Settings

FRONTEND = REPO_ROOT / "frontend"
SCREENSHOTS = Path(os.environ.get("MIMIR_E2E_OUTPUT", REPO_ROOT / "test-output" / "e2e"))
CHROMIUM = os.environ.get("MIMIR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Each e2e module gets its own Redis database, so flushes by other tests' fixtures do not touch it.
REDIS_DB = 7


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the end-to-end tests must run)")
    pytest.skip(message)


def _ensure_built_ui() -> None:
    # scripts/build-ui rebuilds only when frontend/ changed since the last build, and says why it cannot.
    built = subprocess.run([str(REPO_ROOT / "scripts" / "build-ui")], capture_output=True, text=True)
    if not (FRONTEND / "dist" / "index.html").is_file():
        _unavailable(f"the web UI is not built: {built.stderr.strip()}")


@pytest.fixture(scope="module")
def stack_settings(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Settings:
    """One module's stack settings: a fresh SQLite file and data dir, its own Redis database (flushed)."""
    tmp = tmp_path_factory.mktemp("e2e")
    base = redis_url.rsplit("/", 1)[0]
    settings: Settings = make_settings(
        tmp, database_url=f"sqlite:///{tmp / 'mimir.db'}", redis_url=f"{base}/{REDIS_DB}"
    )
    import redis

    client = redis.Redis.from_url(settings.resolved_redis_url)
    client.flushdb()
    client.close()
    return settings


@pytest.fixture(scope="module")
def stack(stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """API + two single-process workers, fresh database, for one test module."""
    _ensure_built_ui()
    settings = stack_settings
    tmp = tmp_path_factory.mktemp("e2e-logs")
    # The README's sales data, which the editor's template pipeline reads.
    sales = settings.resolved_file_directories[0] / "sales.csv"
    sales.write_text("region,amount\nnorth,10\nsouth,5\nnorth,2.5\n")
    db = migrated_database(settings)
    try:
        with worker_pool(settings, tmp / "worker-logs") as pool:
            pool.start(2, concurrency=1)
            with api_process(settings, tmp / "api-logs", port=free_port()) as api:
                yield api
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Any, stack: ApiProcess) -> Iterator[Any]:
    """A fresh tab (fresh session storage) at a half-laptop-screen size."""
    context = browser.new_context(base_url=stack.url, viewport={"width": 960, "height": 900})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Save what the page shows now under the test output folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, key: str) -> None:
    """Sign in through the form and wait for the app's navigation to appear."""
    page.goto("/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()


def api_call(stack: ApiProcess, method: str, path: str, **kwargs: Any) -> Any:
    """A call to the stack's API with the admin key; the JSON body."""
    response = requests.request(method, f"{stack.url}{path}", headers=stack.headers, timeout=10, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else None
