"""The letter's own date line, not a deadline, receipt stamp, birth date or quotation."""

from __future__ import annotations

from datetime import date

import pytest

from eakte.extract import Rules, analyse

OWN = date(2024, 12, 3)


def document_date(text: str, rules: Rules) -> date | None:
    return analyse(text, rules).document_date


def letter(head: str, body: str = "") -> str:
    return (
        "Stadtwerke Musterstadt GmbH · Hauptstr. 1 · 12345 Musterstadt\n"
        "Herrn\nMax Mustermann\nLindenweg 7\n12345 Musterstadt\n\n"
        f"{head}\n\nBetreff: Ihre Anfrage\n\nSehr geehrter Herr Mustermann,\n\n"
        f"{body}\n\nMit freundlichen Grüßen\nErika Musterfrau\n"
    )


@pytest.mark.parametrize(
    "head",
    [
        "Musterstadt, 03.12.2024",
        "Musterstadt, den 03.12.2024",
        "Musterstadt, den 3. Dezember 2024",
        "Frankfurt am Main, 3. Dez. 2024",
        "Freiburg im Breisgau, den 03.12.24",
        "Halle (Saale), 2024-12-03",
        "Dienstag, 3. Dezember 2024",
        "Datum: 03.12.2024",
        "Datum 03.12.2024",
        "Rechnungsdatum: 03.12.2024",
        "                                        03.12.2024",
        "Ihr Zeichen: 60.2-123/24\nIhre Nachricht vom: 12.11.2024\nDatum: 03.12.2024",
        "Ihre Nachricht vom 12.11.2024    Datum: 03.12.2024",
        "Ihr Schreiben vom    Unser Zeichen    Datum\n12.11.2024    60.2-123/24    03.12.2024",
        "Ihr Schreiben vom Unser Zeichen Datum\n12.11.2024 60.2-123/24 03.12.2024",
        "Am Markt 41 Datum: 03.12.2024",
        "EINGEGANGEN\n05. DEZ. 2024\n\nMusterstadt, 03.12.2024",
        "Eingang: 05.12.2024\nDatum: 03.12.2024",
    ],
)
def test_date_line_layouts(head: str, rules: Rules) -> None:
    assert document_date(letter(head), rules) == OWN


@pytest.mark.parametrize(
    "body",
    [
        "Bitte zahlen Sie bis zum 17.12.2024.",
        "Bitte zahlen Sie bis\n17.12.2024 auf unser Konto.",
        "Die Frist endet am 17.12.2024.",
        "Zahlungsfrist: 17.12.2024",
        "Antworten Sie spätestens 17.12.2024.",
        "Ihr Schreiben vom 12.11.2024 haben wir erhalten.",
        "Gegen den Bescheid vom 12. November 2024 lege ich Widerspruch ein.",
        "Frau Müller, geb. 03.04.1958, wohnhaft in Musterstadt",
        "Leistungszeitraum 01.11.2024 - 30.11.2024",
        "Der Termin am 15. Januar 2025 findet im Rathaus statt.",
        "Eingegangen am 05.12.2024",
    ],
)
def test_body_dates_do_not_beat_the_date_line(body: str, rules: Rules) -> None:
    assert document_date(letter("Musterstadt, 03.12.2024", body), rules) == OWN


@pytest.mark.parametrize(
    "head",
    [
        "Eingegangen am 05.12.2024",
        "Eingang: 05.12.2024",
        "EINGEGANGEN\n05. DEZ. 2024",
        "Max Mustermann EINGEGANGEN\nLindenweg 7 05. DEZ. 2024",
        "Eingangsdatum: 05.12.2024",
        "Ihre Nachricht vom: 12.11.2024",
        "Ihr Schreiben vom\n12.11.2024",
        "Frist: 17.12.2024",
        "geb. 03.04.1958",
        "Lieferdatum: 28.11.2024",
    ],
)
def test_letter_without_date_line_has_no_document_date(head: str, rules: Rules) -> None:
    assert document_date(letter(head, "Bitte zahlen Sie bis zum 17.12.2024."), rules) is None


def test_date_in_body_without_context_is_not_the_letter_date(rules: Rules) -> None:
    assert document_date(letter("", "Die Sitzung 15.01.2025 fällt aus."), rules) is None


def test_date_line_beats_earlier_bare_date(rules: Rules) -> None:
    head = "Lindenweg 7 12.11.2024 Abschrift\nMusterstadt, 03.12.2024"
    assert document_date(letter(head), rules) == OWN


def test_email_date_header(rules: Rules) -> None:
    text = "From: Max Mustermann <max@example.org>\nDate: Tue, 3 Dec 2024 10:15 +0100\n\nHallo,\n"
    assert document_date(text, rules) == OWN


def test_text_without_dates(rules: Rules) -> None:
    assert document_date("Sehr geehrte Damen und Herren,\nkein Datum hier.", rules) is None


def test_ocr_comma_after_a_deadline_word(rules: Rules) -> None:
    body = "Der Vertrag beginnt am, 13. Mai 2025 und läuft zwei Jahre."
    assert document_date(letter("Musterstadt, 03.12.2024", body), rules) == OWN
    assert document_date(letter("", body), rules) is None


def test_date_line_that_ocr_read_after_the_salutation(rules: Rules) -> None:
    text = letter("", "Musterstadt, 3. Dezember 2024\nwir bitten um Zahlung bis 17.12.2024.")
    assert document_date(text, rules) == OWN


def test_unrelated_line_above_a_date_alone(rules: Rules) -> None:
    head = "12345 Frankfurt am Main Az.: 51-264/24\n3. Dezember 2024"
    assert document_date(letter(head), rules) == OWN
