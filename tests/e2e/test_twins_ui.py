"""The digital twins pages in a real browser against a live stack: a twin made from JSON, a scenario added
through the form, run on the workers and followed live until its run is stored."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from mimir.testing.stack import ADMIN_KEY, ApiProcess
from tests.e2e.conftest import api_call, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _plant(name: str) -> str:
    # The line runs at 80%: a demand surge of half its load takes it to 120%, a bottleneck.
    return json.dumps(
        {
            "name": name,
            "model_type": "supply_chain",
            "entities": [
                {
                    "uri": "ex:press",
                    "type": "machine",
                    "label": "press",
                    "state": {"capacity": 100, "utilization": 0.5},
                },
                {
                    "uri": "ex:line",
                    "type": "machine",
                    "label": "line",
                    "state": {"capacity": 100, "utilization": 0.8},
                },
            ],
            "relationships": [
                {"source_uri": "ex:press", "target_uri": "ex:line", "type": "supplies", "strength": 1}
            ],
        }
    )


def test_a_twin_from_json_runs_a_scenario_live_to_a_bottleneck_and_a_recommendation(page: Any) -> None:
    name = f"plant-{uuid.uuid4().hex[:6]}"
    sign_in(page, ADMIN_KEY)
    page.get_by_role("link", name=re.compile("Digital twins")).click()
    page.get_by_role("button", name="New twin").click()
    page.get_by_label("Twin JSON").fill(_plant(name))
    page.get_by_role("button", name="Create twin").click()
    page.get_by_role("heading", name=name).wait_for()
    page.get_by_text("revision 1 · 2 entities · 1 relationships").wait_for()
    page.get_by_role("group", name="Twin graph: 2 entities").wait_for()

    page.get_by_role("tab", name="Scenarios").click()
    page.get_by_label("Scenario name").fill("surge")
    page.get_by_label("Steps", exact=True).fill("20")
    page.get_by_label("Target").select_option("ex:line")
    page.get_by_label("Step", exact=True).fill("2")
    page.get_by_label("Lasts (steps)").fill("3")
    page.get_by_label("Severity").fill("0.5")
    page.get_by_role("button", name="Create scenario").click()
    page.get_by_role("button", name="Run surge").click()

    watch = page.get_by_role("region", name="Run of surge")
    watch.get_by_text("succeeded").wait_for()
    watch.get_by_role("list", name="Bottlenecks").get_by_text(re.compile(r"line: from step 2")).wait_for()
    watch.get_by_role("list", name="Recommendations").get_by_text(
        re.compile("add capacity to line")
    ).wait_for()
    screenshot(page, "twins-01-run-finished")

    watch.get_by_role("link", name=re.compile("open run")).click()
    page.get_by_role("heading", name="Utilization timeline").wait_for()
    page.get_by_text("1 bottleneck interval shaded in red.").wait_for()
    screenshot(page, "twins-02-run-timeline")


def test_a_what_if_with_more_capacity_resolves_the_bottleneck_and_two_runs_compare(
    page: Any, stack: ApiProcess
) -> None:
    twin = api_call(stack, "POST", "/api/v1/twins", json=json.loads(_plant(f"plant-{uuid.uuid4().hex[:6]}")))
    surge = {
        "type": "demand_surge",
        "target_uri": "ex:line",
        "step": 2,
        "duration": 3,
        "impact": {"severity": 0.5},
    }
    api_call(
        stack,
        "POST",
        f"/api/v1/twins/{twin['id']}/scenarios",
        json={"name": "surge", "duration": 20, "events": [surge]},
    )
    sign_in(page, ADMIN_KEY)
    page.goto(f"/twins/{twin['id']}")
    page.get_by_role("tab", name="What-if").click()
    page.get_by_label("Entity").select_option("ex:line")
    page.get_by_label("New capacity").fill("150")
    page.get_by_role("button", name="Run what-if").click()
    watch = page.get_by_role("region", name="What-if")
    watch.get_by_text("succeeded").wait_for()
    watch.get_by_text("Resolved bottlenecks: ex:line").wait_for()
    screenshot(page, "twins-03-what-if")

    page.get_by_role("tab", name="Runs").click()
    runs = page.get_by_role("table", name="Runs")
    # Newest first: the what-if's baseline run is A, the run with more capacity is B.
    runs.get_by_role("radio", name=re.compile("Compare from")).last.check()
    runs.get_by_role("radio", name=re.compile("Compare to")).first.check()
    page.get_by_role("button", name="Compare A → B").click()
    page.get_by_role("heading", name="Compare runs").wait_for()
    page.get_by_role("table", name="Difference of figures").wait_for()
    screenshot(page, "twins-04-compare")
