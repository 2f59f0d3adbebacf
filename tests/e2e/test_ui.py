"""The web UI in a real browser against a live stack: what a user does, and what they see."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from mimir.testing.stack import ADMIN_KEY, REPO_ROOT, ApiProcess
from tests.e2e.conftest import api_call, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Line 6 holds the typo ("plugn"), so the problem must be marked there.
BROKEN_YAML = """name: {name}
description: made in the browser
steps:
  - name: nap
    plugin: Utility.sleep
    confg: {{seconds: 1}}
    output: nap
"""
FIXED_YAML = BROKEN_YAML.replace("confg:", "config:")


def _editor_text(page: Any, text: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def _stored_pipeline(stack: ApiProcess, yaml_text: str) -> dict[str, Any]:
    return dict(api_call(stack, "POST", "/api/v1/pipelines", json={"pipeline_yaml": yaml_text}))


def _sleepy(name: str, steps: int, seconds: float) -> str:
    body = "".join(
        f"  - {{name: nap{i}, plugin: Utility.sleep, config: {{seconds: {seconds}}}}}\n" for i in range(steps)
    )
    return f"name: {name}\nsteps:\n{body}"


def test_signing_in_with_the_admin_key_shows_the_dashboard(page: Any) -> None:
    page.goto("/pipelines")
    page.wait_for_url("**/signin")
    screenshot(page, "01-sign-in")
    sign_in(page, ADMIN_KEY)
    page.goto("/")
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.get_by_text("Workers online").wait_for()
    page.get_by_role("rowheader", name="database").wait_for()
    screenshot(page, "02-dashboard")


def test_a_wrong_key_is_refused_with_the_api_message(page: Any) -> None:
    page.goto("/signin")
    page.get_by_label("API key").fill("mimir_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").filter(has_text="not valid").wait_for()


def test_a_yaml_problem_is_marked_at_its_line_and_the_fixed_pipeline_is_created(page: Any) -> None:
    name = f"browser-{uuid.uuid4().hex[:6]}"
    sign_in(page, ADMIN_KEY)
    page.goto("/pipelines/new")
    _editor_text(page, BROKEN_YAML.format(name=name))
    status = page.get_by_test_id("validation-status")
    status.get_by_text(re.compile(r"Line 6: .*confg.*unknown field")).wait_for()
    page.locator(".cm-lintRange-error").filter(has_text="confg").wait_for()
    assert page.get_by_role("button", name="Create pipeline").is_disabled()
    screenshot(page, "03-pipeline-editor-error")

    _editor_text(page, FIXED_YAML.format(name=name))
    status.get_by_text("Valid").wait_for()
    page.get_by_role("button", name="Create pipeline").click()
    page.get_by_role("heading", name=name).wait_for()
    page.get_by_text("revision 1").wait_for()
    screenshot(page, "04-pipeline-detail")


def test_the_readme_sales_pipeline_is_created_from_the_template_and_run_live(page: Any) -> None:
    sign_in(page, ADMIN_KEY)
    page.goto("/pipelines/new")
    # The editor starts with the README's sales pipeline; a second run of this test would find the name taken.
    page.get_by_test_id("validation-status").get_by_text("Valid").wait_for()
    page.get_by_role("button", name="Create pipeline").click()
    page.get_by_role("heading", name="sales").wait_for()
    page.get_by_role("group", name=re.compile("read → totals → write")).wait_for()
    page.get_by_role("button", name="Run now").click()
    heading = page.get_by_role("heading", name=re.compile("^Job "))
    heading.get_by_text("succeeded").wait_for(timeout=30_000)
    page.get_by_role("button", name=re.compile("Show output totals")).click()
    totals = page.get_by_label("Output of totals")
    totals.get_by_text('"total": 12.5').wait_for()
    screenshot(page, "16-sales-succeeded")


def test_a_run_is_queued_and_reaches_succeeded_without_reloading(page: Any, stack: ApiProcess) -> None:
    stored = _stored_pipeline(stack, _sleepy(f"run-{uuid.uuid4().hex[:6]}", steps=3, seconds=0.7))
    sign_in(page, ADMIN_KEY)
    page.goto(f"/pipelines/{stored['id']}")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.get_by_role("button", name="Run now").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+$"))
    heading = page.get_by_role("heading", name=re.compile("^Job "))
    heading.get_by_text(re.compile("queued|running")).wait_for()
    page.get_by_text("Live", exact=True).wait_for()
    heading.get_by_text("succeeded").wait_for(timeout=30_000)
    # One client-side navigation to the job page, no reload of it.
    assert len([u for u in navigations if "/jobs/" in u]) == 1

    page.get_by_role("button", name=re.compile("Show output")).first.click()
    page.get_by_label("Output of nap0").get_by_text('"slept_seconds": 0.7').wait_for()
    screenshot(page, "05-job-succeeded")


def test_a_long_running_job_is_cancelled_from_its_page(page: Any, stack: ApiProcess) -> None:
    stored = _stored_pipeline(stack, _sleepy(f"long-{uuid.uuid4().hex[:6]}", steps=60, seconds=0.5))
    queued = api_call(stack, "POST", "/api/v1/queue/pipelines/enqueue", json={"pipeline_id": stored["id"]})
    sign_in(page, ADMIN_KEY)
    page.goto(f"/jobs/{queued['job_id']}")
    heading = page.get_by_role("heading", name=re.compile("^Job "))
    heading.get_by_text("running").wait_for(timeout=30_000)
    page.get_by_role("button", name="Cancel").click()
    heading.get_by_text("cancelled").wait_for(timeout=30_000)
    screenshot(page, "06-job-cancelled")


def test_the_jobs_list_filters_by_status(page: Any, stack: ApiProcess) -> None:
    sign_in(page, ADMIN_KEY)
    page.goto("/jobs")
    page.get_by_label("Status").select_option("succeeded")
    page.wait_for_url(re.compile("status=succeeded"))
    page.get_by_role("navigation", name="Pagination").wait_for()
    assert page.locator("tbody .badge").count() > 0
    assert set(page.locator("tbody .badge").all_inner_texts()) == {"succeeded"}
    screenshot(page, "07-jobs")


def test_a_new_schedule_previews_and_shows_its_next_runs(page: Any, stack: ApiProcess) -> None:
    stored = _stored_pipeline(stack, _sleepy(f"nightly-{uuid.uuid4().hex[:6]}", steps=1, seconds=0))
    sign_in(page, ADMIN_KEY)
    page.goto("/schedules/new")
    page.get_by_label("Name").fill("every morning")
    page.get_by_label("Pipeline").select_option(stored["id"])
    page.get_by_label(re.compile("^Cron expression")).fill("30 9 * * *")
    page.get_by_label(re.compile("^Time zone")).fill("Europe/Paris")
    preview = page.get_by_test_id("cron-preview")
    preview.locator("li").filter(has_text="(+01:00)").nth(4).wait_for()
    assert all(" 09:30:00 (+0" in t for t in preview.locator("li").all_inner_texts())
    screenshot(page, "08-schedule-editor")
    page.get_by_role("button", name="Create schedule").click()
    page.get_by_role("heading", name="every morning").wait_for()
    page.get_by_test_id("next-runs").locator("li").nth(4).wait_for()
    assert page.get_by_test_id("next-runs").locator("li").count() == 5
    screenshot(page, "09-schedule-detail")
    page.goto("/schedules")
    page.get_by_role("link", name="every morning").wait_for()
    screenshot(page, "10-schedules")


def test_a_schedule_triggered_now_runs_and_appears_in_its_history(page: Any, stack: ApiProcess) -> None:
    stored = _stored_pipeline(stack, _sleepy(f"triggered-{uuid.uuid4().hex[:6]}", steps=1, seconds=0))
    schedule = api_call(
        stack,
        "POST",
        "/api/v1/scheduler/jobs",
        json={"name": f"weekly-{uuid.uuid4().hex[:4]}", "pipeline_id": stored["id"], "cron_expr": "@weekly"},
    )
    sign_in(page, ADMIN_KEY)
    page.goto(f"/schedules/{schedule['id']}")
    page.get_by_role("button", name="Disable").click()
    page.get_by_role("heading", name=schedule["name"]).get_by_text("disabled").wait_for()
    page.get_by_role("button", name="Trigger now").click()
    page.get_by_role("heading", name=re.compile("^Job ")).get_by_text("succeeded").wait_for(timeout=30_000)
    page.get_by_text("manual").wait_for()
    page.go_back()
    page.get_by_role("region", name=re.compile("^History")).get_by_role("link").first.wait_for()
    screenshot(page, "18-schedule-history")


def test_a_viewer_key_sees_no_run_or_edit_actions(page: Any, stack: ApiProcess) -> None:
    stored = _stored_pipeline(stack, _sleepy(f"viewed-{uuid.uuid4().hex[:6]}", steps=2, seconds=0))
    viewer = api_call(stack, "POST", "/api/v1/auth/apikeys", json={"name": "e2e viewer", "role": "viewer"})
    sign_in(page, viewer["key"])
    page.goto(f"/pipelines/{stored['id']}")
    page.get_by_role("heading", name=stored["name"]).wait_for()
    page.get_by_text("Steps", exact=True).wait_for()
    assert page.get_by_role("button", name="Run now").count() == 0
    assert page.get_by_role("link", name="Edit").count() == 0
    assert page.get_by_role("link", name="API keys").count() == 0
    screenshot(page, "11-viewer-pipeline")


def test_at_half_a_laptop_screen_the_sidebar_becomes_a_top_bar(page: Any) -> None:
    page.set_viewport_size({"width": 680, "height": 800})
    sign_in(page, ADMIN_KEY)
    page.goto("/jobs")
    nav = page.get_by_role("navigation", name="Main").bounding_box()
    main = page.locator("main").bounding_box()
    assert nav is not None and main is not None
    assert main["y"] >= nav["y"] + nav["height"] - 1  # stacked, not side by side
    assert page.evaluate("document.documentElement.scrollWidth") <= 680
    screenshot(page, "17-jobs-narrow")


def test_catalogue_and_key_pages_render(page: Any) -> None:
    sign_in(page, ADMIN_KEY)
    page.goto("/plugins")
    page.get_by_text("Utility.sleep").click()
    page.get_by_role("cell", name="seconds").wait_for()
    screenshot(page, "12-plugins")
    page.goto("/settings/keys")
    page.get_by_label(re.compile("^Name")).fill("ci robot")
    page.get_by_role("button", name="Create key").click()
    issued = page.get_by_test_id("issued-key")
    issued.wait_for()
    assert issued.inner_text().startswith("mimir_")
    screenshot(page, "13-api-keys")


def test_an_edit_adds_a_revision_comparable_with_the_one_before(page: Any, stack: ApiProcess) -> None:
    name = f"revised-{uuid.uuid4().hex[:6]}"
    _stored_pipeline(stack, _sleepy(name, steps=2, seconds=0))
    sign_in(page, ADMIN_KEY)
    page.goto("/pipelines")
    page.get_by_label("Search").fill(name)
    page.get_by_role("link", name=name).wait_for()
    screenshot(page, "14-pipelines")
    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_test_id("validation-status").get_by_text("Valid").wait_for()
    _editor_text(page, _sleepy(name, steps=3, seconds=0))
    page.get_by_test_id("validation-status").get_by_text("Valid").wait_for()
    page.get_by_role("button", name="Save revision").click()
    page.get_by_text("revision 2").wait_for()
    page.get_by_role("tab", name="Revisions").click()
    page.get_by_role("button", name="Compare with current").click()
    page.get_by_text("Revision 1 (left) → revision 2 (right)").wait_for()
    page.locator(".cm-mergeView .cm-changedLine").first.wait_for()
    screenshot(page, "15-revision-diff")


AXE = REPO_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def _serious_violations(page: Any, path: str) -> list[str]:
    """What axe-core finds serious or critical on ``path`` once its data has loaded."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (cd frontend && npm ci)")
    page.goto(path)
    page.get_by_role("heading", level=1).first.wait_for()
    page.wait_for_timeout(1500)  # data settles (networkidle never comes: the event stream stays open)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "path", ["/", "/pipelines", "/pipelines/new", "/jobs", "/schedules/new", "/plugins", "/settings/keys"]
)
def test_pages_have_no_serious_accessibility_violations(page: Any, path: str) -> None:
    sign_in(page, ADMIN_KEY)
    assert _serious_violations(page, path) == []


def test_detail_pages_have_no_serious_accessibility_violations(page: Any, stack: ApiProcess) -> None:
    stored = _stored_pipeline(stack, _sleepy(f"a11y-{uuid.uuid4().hex[:6]}", steps=2, seconds=0))
    queued = api_call(stack, "POST", "/api/v1/queue/pipelines/enqueue", json={"pipeline_id": stored["id"]})
    sign_in(page, ADMIN_KEY)
    assert _serious_violations(page, f"/pipelines/{stored['id']}") == []
    assert _serious_violations(page, f"/jobs/{queued['job_id']}") == []
