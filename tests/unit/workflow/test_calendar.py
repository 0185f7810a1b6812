"""Working days: weekends and the Bundesland's public holidays do not count."""

from __future__ import annotations

from datetime import date

from eakte.workflow import add_working_days, is_working_day


def test_weekends_do_not_count() -> None:
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1, "NW") == date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 10, "NW") == date(2026, 12, 4)


def test_public_holidays_of_the_state_do_not_count() -> None:
    # Allerheiligen (1 Nov) is a holiday in NRW and Bavaria, not in Berlin
    assert not is_working_day(date(2027, 11, 1), "NW")
    assert is_working_day(date(2027, 11, 1), "BE")
    # Christmas: 24 Dec 2026 is a Thursday (a working day), 25 and 26 are holidays
    assert add_working_days(date(2026, 12, 24), 1, "NW") == date(2026, 12, 28)
    # Fronleichnam 2026 (4 June) in NRW, but not in Lower Saxony
    assert add_working_days(date(2026, 6, 3), 1, "NW") == date(2026, 6, 5)
    assert add_working_days(date(2026, 6, 3), 1, "NI") == date(2026, 6, 4)


def test_ten_working_days_over_easter() -> None:
    # Karfreitag 3 April and Ostermontag 6 April 2026
    assert add_working_days(date(2026, 3, 31), 10, "NW") == date(2026, 4, 16)
