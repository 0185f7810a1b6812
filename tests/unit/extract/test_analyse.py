"""Whole letters, as Tika or OCR give them, through analyse()."""

from __future__ import annotations

from datetime import date

from eakte.extract import Facts, Rules, analyse

INVOICE = """\
Stadtwerke Musterstadt GmbH
Energie und Wasser                                   EINGEGANGEN
                                                     05. DEZ. 2024
Stadtwerke Musterstadt GmbH · Hauptstr. 1 · 12345 Musterstadt
Herrn                                                Ihr Zeichen: 60.2-123/24
Max Mustermann                                       Unser Zeichen: III/32-17.4
Lindenweg 7                                          Ihre Nachricht vom: 12.11.2024
12345 Musterstadt                                    Datum: 03.12.2024

Rechnung Nr. 2024-0815 für den Zeitraum 01.11.2024 - 30.11.2024

Sehr geehrter Herr Mustermann,

bitte überweisen Sie den Rechnungsbetrag von 123,45 EUR bis zum 17.12.2024 unter
Angabe des Kassenzeichens 5.1234.567.8 auf unser Konto.

Mit freundlichen Grüßen
i. A.
Erika Musterfrau

Sparkasse Musterstadt · IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX
Steuernummer 123/456/78901 · Telefon 0341 123-456 · Telefax 0341 123-457
"""

OBJECTION = """\
Max Mustermann
Lindenweg 7
12345 Musterstadt

Stadt Musterstadt
Steueramt
Am Markt 1
12345 Musterstadt
                                        Musterstadt, den 3. Dezember 2024

Widerspruch gegen den Gebührenbescheid vom 12. Nov. 2024, Az. 32.10.05-0815/2024

Sehr geehrte Damen und Herren,

hiermit lege ich gegen den oben genannten Bescheid Widerspruch ein. Der Bescheid ist
mir am 15.11.2024 zugegangen. Die Begründung reiche ich bis zum 31.12.2024 nach.
Geburtsdatum: 03.04.1958

Mit freundlichen Grüßen

Max Mustermann
"""

OCR_SCAN = """\
Ingenieurbüro Schneider GmbH EINGEGANGEN
Verwaltung 24. JUNI 2024

Ingenieurbüro Schneider GmbH - Rathausplatz 40 : 04109 Leipzig

Frau

Erika Musterfrau

Ihr Schreiben vom Unser Zeichen Datum
10.05.2024 51 - 425/24 22.05.2024

Anfrage zum Bebauungsplan Nr. 819/2
Sehr geehrte Damen und Herren,

ich bitte um Auskunft, welche Unterlagen für das Vorhaben benötigt werden.
Eine Antwort bis zum 09.06.2024 wäre sehr hilfreich. Telefon: 0341 885-58.
"""


def test_invoice(rules: Rules) -> None:
    facts = analyse(INVOICE, rules)
    assert facts.references == ("60.2-123/24", "III/32-17.4")
    assert facts.document_date == date(2024, 12, 3)
    assert facts.sender == "Stadtwerke Musterstadt GmbH"
    assert facts.document_type == "Rechnung"
    assert facts.language == "de"
    assert date(2024, 12, 17) in facts.dates
    assert date(2024, 12, 5) in facts.dates


def test_objection_from_a_citizen(rules: Rules) -> None:
    facts = analyse(OBJECTION, rules)
    assert facts.references == ("32.10.05-0815/2024",)
    assert facts.document_date == date(2024, 12, 3)
    assert facts.sender == "Max Mustermann"
    assert facts.document_type == "Widerspruch"


def test_ocr_text_of_a_scan(rules: Rules) -> None:
    facts = analyse(OCR_SCAN, rules)
    assert facts.references == ("51-425/24",)
    assert facts.document_date == date(2024, 5, 22)
    assert facts.sender == "Ingenieurbüro Schneider GmbH"
    assert facts.document_type == "Anfrage"


def test_nothing_in_empty_text(rules: Rules) -> None:
    assert analyse("", rules) == Facts((), None, None, None, None, ())


def test_unusual_spaces_and_line_ends(rules: Rules) -> None:
    text = INVOICE.replace("Datum: 03.12.2024", "Datum:\u00a003.12.2024").replace("\n", "\r\n")
    assert analyse(text, rules).document_date == date(2024, 12, 3)
