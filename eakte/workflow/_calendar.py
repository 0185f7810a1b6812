"""Working days: Monday to Friday without the public holidays of one Bundesland."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays.countries.germany import Germany

LOCAL = ZoneInfo("Europe/Berlin")


def today() -> date:
    """The date in the administration's time zone (deadlines are local days)."""
    return datetime.now(LOCAL).date()


@lru_cache(maxsize=16)
def _holidays(state: str) -> Germany:
    return Germany(subdiv=state)


def is_working_day(day: date, state: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(state)


def add_working_days(start: date, days: int, state: str) -> date:
    """The working day ``days`` working days after ``start`` (which itself does not count)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, state):
            counted += 1
    return day
