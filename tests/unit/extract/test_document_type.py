"""Document types by the weighted rules of the built-in rules file."""

from __future__ import annotations

import pytest

from eakte.extract import Rules, analyse


def kind(subject: str, body: str, rules: Rules) -> str | None:
    text = f"Stadt Musterstadt\n\nBetreff: {subject}\n\nSehr geehrte Damen und Herren,\n{body}\n"
    return analyse(text, rules).document_type


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Antrag auf Erteilung einer Baugenehmigung", "hiermit beantrage ich ...", "Antrag"),
        ("Sondernutzung", "ich beantrage die Erlaubnis für einen Stand.", "Antrag"),
        ("Lärm in der Hauptstraße", "ich beschwere mich über den unzumutbaren Lärm.", "Beschwerde"),
        ("Beschwerde über den Spielplatz", "der Zustand ist ein Ärgernis.", "Beschwerde"),
        ("Rechnung Nr. 2024-0815", "Gesamtbetrag 123,45 EUR, zahlbar bis 17.12.2024.", "Rechnung"),
        ("Wartungsarbeiten", "Rechnungsbetrag 99,00 EUR zzgl. MwSt.", "Rechnung"),
        (
            "Gebührenbescheid 2024",
            "ergeht folgender Bescheid. Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann "
            "innerhalb eines Monats Widerspruch erhoben werden.",
            "Bescheid",
        ),
        ("Anfrage zum Bebauungsplan", "ich bitte um Auskunft über den Stand.", "Anfrage"),
        ("Fördermittel", "ich bitte um Auskunft, ob ein Zuschuss möglich ist.", "Anfrage"),
        (
            "Widerspruch gegen den Bescheid vom 12.11.2024",
            "hiermit lege ich gegen den Bescheid Widerspruch ein.",
            "Widerspruch",
        ),
        (
            "Zahlungserinnerung",
            "unsere Rechnung vom 01.10.2024 ist noch nicht beglichen. Mahngebühr 5,00 EUR.",
            "Mahnung",
        ),
        ("2. Mahnung", "Bitte begleichen Sie die Rechnung.", "Mahnung"),
        ("Wartungsvertrag", "Vertragsgegenstand ist die Wartung der Heizung.", "Vertrag"),
        ("Einladung zur Sitzung", "Die Tagesordnung liegt bei.", "Einladung"),
        ("Versammlung", "hiermit laden wir Sie herzlich zur Versammlung ein.", "Einladung"),
        ("Geänderte Öffnungszeiten", "ab dem 1. Januar sind wir montags für Sie da.", "Sonstiges"),
    ],
)
def test_types(subject: str, body: str, expected: str, rules: Rules) -> None:
    assert kind(subject, body, rules) == expected


def test_subject_outweighs_the_body(rules: Rules) -> None:
    body = "Die Anfrage Ihres Nachbarn liegt uns vor."
    assert kind("Beschwerde über Lärm", body, rules) == "Beschwerde"


def test_subject_without_label_above_salutation(rules: Rules) -> None:
    text = "Stadt Musterstadt\n\nWiderspruch gegen den Gebührenbescheid\n\nSehr geehrte Damen,\n..."
    assert analyse(text, rules).document_type == "Widerspruch"


def test_empty_text_has_no_type(rules: Rules) -> None:
    assert analyse("  \n", rules).document_type is None
