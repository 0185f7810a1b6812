"""The sender: sender line, letterhead, first address block, signature."""

from __future__ import annotations

import pytest

from eakte.extract import Rules, analyse


def sender(text: str, rules: Rules) -> str | None:
    return analyse(text, rules).sender


@pytest.mark.parametrize(
    "sender_line",
    [
        "Stadtwerke Musterstadt GmbH · Hauptstr. 1 · 12345 Musterstadt",
        "Stadtwerke Musterstadt GmbH • Hauptstr. 1 • 12345 Musterstadt",
        "Stadtwerke Musterstadt GmbH | Hauptstr. 1 | 12345 Musterstadt",
        "Stadtwerke Musterstadt GmbH - Hauptstr. 1 - 12345 Musterstadt",
        "Stadtwerke Musterstadt GmbH - Hauptstr. 1 : 12345 Musterstadt",
        "Stadtwerke Musterstadt GmbH, Postfach 1203, 12345 Musterstadt".replace(", ", " · "),
    ],
)
def test_sender_line_above_the_window(sender_line: str, rules: Rules) -> None:
    recipient = "Herrn\nMax Mustermann\nLindenweg 7\n12345 Musterstadt\n"
    text = f"Energie für Musterstadt\n\n{sender_line}\n{recipient}"
    assert sender(text, rules) == "Stadtwerke Musterstadt GmbH"


def test_letterhead_organisation(rules: Rules) -> None:
    text = (
        "Landratsamt Musterkreis\nJugendamt\n\nFrau\nErika Musterfrau\nLindenweg 7\n"
        "12345 Musterstadt\n\nSehr geehrte Frau Musterfrau,\n"
    )
    assert sender(text, rules) == "Landratsamt Musterkreis"


def test_citizen_address_block_first(rules: Rules) -> None:
    text = (
        "Max Mustermann\nLindenweg 7\n12345 Musterstadt\n\n"
        "Stadtverwaltung Musterstadt\nBauordnungsamt\nAm Markt 1\n12345 Musterstadt\n\n"
        "Musterstadt, 03.12.2024\n\nAntrag auf Baugenehmigung\n\nSehr geehrte Damen und Herren,\n"
    )
    assert sender(text, rules) == "Max Mustermann"


def test_recipient_first_then_the_signature(rules: Rules) -> None:
    text = (
        "An die\nStadt Musterstadt\nAm Markt 1\n12345 Musterstadt\n\n"
        "Sehr geehrte Damen und Herren,\nich beschwere mich über den Lärm.\n\n"
        "Mit freundlichen Grüßen\n\ni. A.\nErika Musterfrau\n"
    )
    assert sender(text, rules) == "Erika Musterfrau"


def test_email_from_line(rules: Rules) -> None:
    text = "From: Max Mustermann <max@example.org>\nSubject: Anfrage\n\nHallo,\nwie geht es?"
    assert sender(text, rules) == "Max Mustermann"


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("Sabine Schneider EINGEGANGEN", "Sabine Schneider"),
        ("Sabine Schneider , EINGEGANGEN 05. DEZ. 2024", "Sabine Schneider"),
        ("„ Sabine Schneider.", "Sabine Schneider"),
        ("| Sportverein Musterstadt e.V.", "Sportverein Musterstadt e.V."),
        ("STADT MUSTERSTADT", "STADT MUSTERSTADT"),
    ],
)
def test_cleaning(first_line: str, expected: str, rules: Rules) -> None:
    text = f"{first_line}\nLindenweg 7\n12345 Musterstadt\n\nSehr geehrte Damen und Herren,\n"
    assert sender(text, rules) == expected


def test_no_sender(rules: Rules) -> None:
    assert sender("Sehr geehrte Damen und Herren,\nkurze Mitteilung.\n", rules) is None


def test_citizen_sender_line_with_commas_above_the_city_address(rules: Rules) -> None:
    text = (
        "Erika Musterfrau, Lindenweg 7, 12345 Musterstadt\n\n"
        "Stadt Musterstadt\nOrdnungsamt\nAm Markt 1\n12345 Musterstadt\n\n"
        "Musterstadt, 14.11.2026\n\nAntrag auf Sondernutzung des Marktplatzes\n"
    )
    assert sender(text, rules) == "Erika Musterfrau"


def test_an_address_in_the_body_with_commas_is_no_sender_line(rules: Rules) -> None:
    text = (
        "Landratsamt Musterkreis\n\nFrau\nErika Musterfrau\nLindenweg 7\n12345 Musterstadt\n\n"
        "Sehr geehrte Frau Musterfrau,\nbitte kommen Sie zur Sitzung, Raum 3, 2. Stock.\n"
    )
    assert sender(text, rules) == "Landratsamt Musterkreis"
