"""Cron expressions evaluated in a time zone, so that daylight-saving changes neither skip nor double a run.

Expressions have the standard five fields (minute hour day-of-month month day-of-week, with ranges, lists,
steps and names) or six with a leading seconds field, or a macro (``@hourly``, ``@daily``/``@midnight``,
``@weekly``, ``@monthly``, ``@yearly``/``@annually``). croniter expands the fields over local wall-clock
time; this module turns wall times into instants with zoneinfo:

* a wall time that does not exist (the spring gap) fires at the same offset after the jump: a daily
  02:30 in America/New_York fires at 03:30 on the day clocks go forward (never skipped);
* a wall time that happens twice (the autumn overlap) fires once, at its first occurrence, unless the hour
  field is ``*`` (hourly or finer), in which case both real hours fire (an hourly job runs every hour
  that really passes). This is what Vixie cron does.

Instants are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import CroniterBadCronError, CroniterBadDateError, CroniterError, croniter

from shared.errors import InvalidInput

_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_DST_MARGIN = timedelta(hours=3)
_MAX_CANDIDATES = 200_000


@dataclass(frozen=True)
class CronSchedule:
    """A validated cron expression and the IANA time zone it is read in."""

    expression: str
    timezone: str

    @classmethod
    def parse(cls, expression: str, timezone: str) -> CronSchedule:
        """The schedule, or :class:`InvalidInput` saying what is wrong with the expression or zone."""
        zone_problem = timezone_problem(timezone)
        if zone_problem:
            raise InvalidInput.at("timezone", zone_problem)
        normalised = " ".join(str(expression).split())
        expanded = _MACROS.get(normalised.lower(), normalised)
        fields = expanded.split(" ")
        if len(fields) not in (5, 6):
            raise InvalidInput.at(
                "cron_expr",
                f"{expression!r} has {len(fields)} fields; expected 5 (minute hour day month weekday), "
                "6 (with leading seconds) or a macro such as @hourly",
            )
        try:
            croniter(expanded, datetime(2000, 1, 1), second_at_beginning=True)
        except (CroniterBadCronError, CroniterError, ValueError, KeyError) as exc:
            raise InvalidInput.at("cron_expr", f"{expression!r} is invalid: {exc}") from exc
        schedule = cls(expanded, timezone)
        if schedule.next_after(datetime.now(UTC)) is None:
            raise InvalidInput.at("cron_expr", f"{expression!r} never fires")
        return schedule

    @property
    def has_seconds(self) -> bool:
        """Whether the expression has a seconds field."""
        return len(self.expression.split(" ")) == 6

    @property
    def _hour_is_wildcard(self) -> bool:
        hour = self.expression.split(" ")[2 if self.has_seconds else 1]
        return hour in ("*", "*/1")

    @property
    def zone(self) -> ZoneInfo:
        """The time zone."""
        return ZoneInfo(self.timezone)

    def next_after(self, instant: datetime) -> datetime | None:
        """The first fire time strictly after ``instant`` (aware), in UTC; None if there is none."""
        return next(self.fires_after(instant), None)

    def fires_after(self, instant: datetime) -> Iterator[datetime]:
        """Fire times strictly after ``instant``, in order, in UTC."""
        after = instant.astimezone(UTC)
        zone = self.zone
        start_wall = after.astimezone(zone).replace(tzinfo=None)
        if _offset_changes_near(after, zone):
            start_wall -= _DST_MARGIN  # wall time runs backwards in an overlap; look behind it
        walls = croniter(self.expression, start_wall - timedelta(seconds=1), second_at_beginning=True)
        last = after
        pending: list[datetime] = []
        for _ in range(_MAX_CANDIDATES):
            try:
                wall = walls.get_next(datetime)
            except CroniterBadDateError:
                break
            instants = self._instants(wall, zone)
            pending.extend(i for i in instants if i > last)
            # A later wall time maps to an instant at most one DST shift before this one, so near a change
            # keep a margin of candidates back; elsewhere release everything up to this wall time's instant.
            horizon = min(instants)
            if _offset_changes_near(horizon, zone):
                horizon -= _DST_MARGIN
            pending.sort()
            while pending and pending[0] <= horizon:
                released = pending.pop(0)
                if released > last:
                    last = released
                    yield released
        yield from sorted(p for p in set(pending) if p > last)

    def fires_between(self, start: datetime, end: datetime, limit: int) -> list[datetime]:
        """Fire times in ``(start, end]``, at most ``limit`` of them (the earliest)."""
        found: list[datetime] = []
        for fire in self.fires_after(start):
            if fire > end or len(found) >= limit:
                break
            found.append(fire)
        return found

    def _instants(self, wall: datetime, zone: ZoneInfo) -> list[datetime]:
        first = wall.replace(tzinfo=zone, fold=0)
        second = wall.replace(tzinfo=zone, fold=1)
        if first.utcoffset() == second.utcoffset():
            return [first.astimezone(UTC)]
        exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
        if not exists:  # the spring gap: shift forward by the gap (fold=0 uses the offset before it)
            return [first.astimezone(UTC)]
        if self._hour_is_wildcard:
            return [first.astimezone(UTC), second.astimezone(UTC)]
        return [first.astimezone(UTC)]


def _offset_changes_near(instant: datetime, zone: ZoneInfo) -> bool:
    before = (instant - _DST_MARGIN).astimezone(zone).utcoffset()
    after = (instant + _DST_MARGIN).astimezone(zone).utcoffset()
    return before != after


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not a usable IANA time zone, or None when it is."""
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        return f"unknown time zone {name!r}; use an IANA name such as 'Europe/Paris' or 'UTC'"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = sorted(z for z in available_timezones() if z.lower() == name.lower())
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown time zone {name!r}{hint}; use an IANA name such as 'Europe/Paris' or 'UTC'"
    return None
