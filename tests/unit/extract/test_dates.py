"""German (and English) dates in running text; impossible dates are none."""

from __future__ import annotations

from datetime import date

import pytest

from eakte.extract import Rules, analyse


def dates(text: str, rules: Rules) -> tuple[date, ...]:
    return analyse(text, rules).dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03.12.2024", date(2024, 12, 3)),
        ("3.12.2024", date(2024, 12, 3)),
        ("3.12.24", date(2024, 12, 3)),
        ("03.12.98", date(1998, 12, 3)),
        ("03. 12. 2024", date(2024, 12, 3)),
        ("3. Dezember 2024", date(2024, 12, 3)),
        ("3.Dezember 2024", date(2024, 12, 3)),
        ("12. Sept. 2023", date(2023, 9, 12)),
        ("12. Sep 2023", date(2023, 9, 12)),
        ("1. März 2025", date(2025, 3, 1)),
        ("1. Maerz 2025", date(2025, 3, 1)),
        ("14. MÄRZ 2025", date(2025, 3, 14)),
        ("5. Nov. 2023", date(2023, 11, 5)),
        ("24. DEZ. 2023", date(2023, 12, 24)),
        ("3. Mai 2024", date(2024, 5, 3)),
        ("2024-12-03", date(2024, 12, 3)),
        ("3 December 2024", date(2024, 12, 3)),
        ("December 3, 2024", date(2024, 12, 3)),
        ("Tue, 3 Dec 2024 10:15:00 +0100", date(2024, 12, 3)),
    ],
)
def test_formats(text: str, expected: date, rules: Rules) -> None:
    assert dates(f"Es geschah am {text} in Musterstadt.", rules) == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "31.02.2024",
        "30. Februar 2024",
        "2024-13-01",
        "00.12.2024",
        "03.12.1850",
        "Az.: 32.10.05-0815/2024",
        "Az.: 12.10.05-0815/2024",
        "Kassenzeichen 5.1234.567.8",
        "Rechnungsnr. 2024-0815",
        "Betrag 1.500,00 EUR",
        "Telefon 0341 12.34",
    ],
)
def test_not_dates(text: str, rules: Rules) -> None:
    assert dates(text, rules) == ()


def test_all_dates_in_reading_order_once_each(rules: Rules) -> None:
    text = (
        "Musterstadt, 03.12.2024\n"
        "Ihr Schreiben vom 12. November 2024 und vom 03.12.2024\n"
        "Frist: 2025-01-15\n"
    )
    assert dates(text, rules) == (date(2024, 12, 3), date(2024, 11, 12), date(2025, 1, 15))
