from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.errors import InvalidInput
from shared.scheduling.cron import CronSchedule

NEW_YORK = ZoneInfo("America/New_York")


def local_fires(expression: str, zone: str, start: datetime, end: datetime) -> list[str]:
    cron = CronSchedule.parse(expression, zone)
    return [f.astimezone(cron.zone).isoformat() for f in cron.fires_between(start, end, 1000)]


def test_daily_0230_across_the_spring_change_fires_every_day_once() -> None:
    # 2026-03-08 02:00 EST -> 03:00 EDT: 02:30 does not exist that day; it fires at 03:30 (gap-shifted).
    assert local_fires(
        "30 2 * * *", "America/New_York", datetime(2026, 3, 6, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC)
    ) == [
        "2026-03-06T02:30:00-05:00",
        "2026-03-07T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:30:00-04:00",
    ]


def test_daily_0230_across_the_autumn_change_fires_every_day_once() -> None:
    assert local_fires(
        "30 2 * * *",
        "America/New_York",
        datetime(2026, 10, 30, tzinfo=UTC),
        datetime(2026, 11, 3, tzinfo=UTC),
    ) == [
        "2026-10-30T02:30:00-04:00",
        "2026-10-31T02:30:00-04:00",
        "2026-11-01T02:30:00-05:00",
        "2026-11-02T02:30:00-05:00",
    ]


def test_daily_time_inside_the_repeated_hour_fires_once_at_its_first_occurrence() -> None:
    assert local_fires(
        "30 1 * * *",
        "America/New_York",
        datetime(2026, 10, 31, 12, tzinfo=UTC),
        datetime(2026, 11, 2, 12, tzinfo=UTC),
    ) == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]


def test_hourly_fires_every_real_hour_across_both_changes() -> None:
    spring = local_fires(
        "@hourly",
        "America/New_York",
        datetime(2026, 3, 8, 5, tzinfo=UTC),
        datetime(2026, 3, 8, 9, tzinfo=UTC),
    )
    assert spring == [
        "2026-03-08T01:00:00-05:00",
        "2026-03-08T03:00:00-04:00",
        "2026-03-08T04:00:00-04:00",
        "2026-03-08T05:00:00-04:00",
    ]
    autumn = local_fires(
        "0 * * * *",
        "America/New_York",
        datetime(2026, 11, 1, 4, tzinfo=UTC),
        datetime(2026, 11, 1, 9, tzinfo=UTC),
    )
    assert autumn == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T02:00:00-05:00",
        "2026-11-01T03:00:00-05:00",
        "2026-11-01T04:00:00-05:00",
    ]


@pytest.mark.parametrize(
    ("expression", "zone"),
    [
        ("*/15 * * * *", "America/New_York"),
        ("30 2 * * *", "Europe/London"),
        ("0 */3 * * 1-5", "Australia/Lord_Howe"),  # a 30-minute DST shift
        ("*/20 * * * * *", "America/New_York"),
    ],
)
def test_fire_times_strictly_increase_and_never_repeat_around_changes(expression: str, zone: str) -> None:
    cron = CronSchedule.parse(expression, zone)
    for start in (
        datetime(2026, 3, 7, 12, tzinfo=UTC),
        datetime(2026, 10, 31, 12, tzinfo=UTC),
        datetime(2026, 4, 4, 10, tzinfo=UTC),
    ):
        fires = cron.fires_between(start, start + timedelta(days=2), 100_000)
        assert fires, expression
        assert all(a < b for a, b in zip(fires, fires[1:], strict=False))
        assert fires[0] > start


def test_next_after_resumes_inside_the_repeated_hour() -> None:
    cron = CronSchedule.parse("*/30 * * * *", "America/New_York")
    inside_second_pass = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 EST, the second 01:xx
    assert cron.next_after(inside_second_pass) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    inside_first_pass = datetime(2026, 11, 1, 5, 40, tzinfo=UTC)  # 01:40 EDT
    assert cron.next_after(inside_first_pass) == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # 01:00 EST


def test_seconds_field_and_macros() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert CronSchedule.parse("*/2 * * * * *", "UTC").fires_between(
        start, start + timedelta(seconds=6), 10
    ) == [start + timedelta(seconds=s) for s in (2, 4, 6)]
    assert CronSchedule.parse("@daily", "UTC").expression == "0 0 * * *"
    assert CronSchedule.parse("0 9 * JAN-MAR MON", "Europe/Paris").next_after(start) == datetime(
        2026, 1, 5, 8, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("expression", "zone", "message"),
    [
        ("* * *", "UTC", "cron_expr: '* * *' has 3 fields"),
        ("61 * * * *", "UTC", "cron_expr: '61 * * * *' is invalid"),
        ("* * * * * * *", "UTC", "has 7 fields"),
        ("@fortnightly", "UTC", "has 1 fields"),
        ("0 0 30 2 *", "UTC", "never fires"),
        ("* * * * *", "Mars/Olympus", "timezone: unknown time zone 'Mars/Olympus'"),
        ("* * * * *", "america/new_york", "did you mean 'America/New_York'"),
        ("* * * * *", "../../etc/passwd", "unknown time zone"),
    ],
)
def test_bad_expressions_and_zones_say_why(expression: str, zone: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("*", r"\*").replace("(", r"\(")):
        CronSchedule.parse(expression, zone)
