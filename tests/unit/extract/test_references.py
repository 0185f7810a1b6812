"""Aktenzeichen: every format seen in practice, after every label, and never the
numbers after Kassenzeichen, Rechnungsnummer, IBAN & Co."""

from __future__ import annotations

import pytest

from eakte.extract import Rules, analyse, load_rules, normalise_reference, reference_key


def refs(text: str, rules: Rules) -> tuple[str, ...]:
    return analyse(text, rules).references


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("32.10.05 - 0815 / 2024", "32.10.05-0815/2024"),
        ("Az.: 32.10.05-0815/2024", "32.10.05-0815/2024"),
        ("Aktenzeichen 60.2 – 123/24.", "60.2-123/24"),
        ("Unser Zeichen: III / 32 - 17.4", "III/32-17.4"),
        ("Ihr Zeichen:  60.2‐123/24;", "60.2-123/24"),
        ("Geschäftszeichen: 1.2—0007/2025", "1.2-0007/2025"),
        ("  6   K  1234/24 ", "6 K 1234/24"),
        ("6K1234/24", "6 K 1234/24"),
        ("12 Ls 123/24", "12 Ls 123/24"),
        ("(Bau-2024/117)", "Bau-2024/117"),
        ("Ill/32-17.4", "III/32-17.4"),
        ("I1/68-17.2", "II/68-17.2"),
        ("11l/26-28.7", "III/26-28.7"),
        ("1|/26-28.7", "II/26-28.7"),
        ("11/25", "11/25"),
        ("11/21-18.7", "11/21-18.7"),
    ],
)
def test_normalise_reference(text: str, expected: str) -> None:
    assert normalise_reference(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Az.: 32.10.05-0815/2024", "32.10.05-0815/2024"),
        ("Az. 32.10.05-0815/2024", "32.10.05-0815/2024"),
        ("AZ: 1.2-0007/2025", "1.2-0007/2025"),
        ("Aktenzeichen 60.2-123/24", "60.2-123/24"),
        ("Aktenzeichen: 60.2 - 123 / 24", "60.2-123/24"),
        ("Unser Zeichen: III/32-17.4", "III/32-17.4"),
        ("Unser Zeichen III/32-17.4", "III/32-17.4"),
        ("Ihr Zeichen: IV/60.2-12", "IV/60.2-12"),
        ("Ihre Zeichen: 51-654/24", "51-654/24"),
        ("Geschäftszeichen: 32.1-817/24", "32.1-817/24"),
        ("Geschaeftszeichen 32.1-817/24", "32.1-817/24"),
        ("Gz.: 10.3-0192/2025", "10.3-0192/2025"),
        ("Aktenzeichen: 6 K 1234/24", "6 K 1234/24"),
        ("Ihr Zeichen: Bau-2024/117", "Bau-2024/117"),
        ("Unser Zeichen: KD-17/0815", "KD-17/0815"),
        ("Widerspruch gegen den Bescheid vom 12.11.2024, Az. OA-2023/937", "OA-2023/937"),
        ("Bitte geben Sie stets das Aktenzeichen 32.10.05-0815/2024 an.", "32.10.05-0815/2024"),
        ("Zeichen: 60.2-123/24", "60.2-123/24"),
    ],
)
def test_labelled_reference(line: str, expected: str, rules: Rules) -> None:
    assert refs(line, rules) == (expected,)


@pytest.mark.parametrize(
    "line",
    [
        "Bauantrag 32.10.05-0815/2024 – Carport",  # the installation's own pattern
        "Bauantrag 60.2-123/24",
        "Ihre Eingabe III/32-17.4 vom 3. Dezember",
        "Betreff: Baugenehmigung 1.2-0007/2025-3",
    ],
)
def test_safe_shapes_found_without_label(line: str, rules: Rules) -> None:
    assert len(refs(line, rules)) == 1


@pytest.mark.parametrize(
    "line",
    [
        "Kassenzeichen: 5.1234.567.8",
        "Kassenzeichen 5.1234.567.8, bitte bei Zahlung angeben",
        "Rechnungsnummer: 2024-0815",
        "Rechnung Nr. 2024-0815 vom 03.12.2024",
        "Rechnungsnr. 2024-0815/03",
        "Kundennummer 10023456",
        "Kunden-Nr.: KD-2024/117",
        "IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX",
        "Steuernummer 123/456/78901",
        "USt-IdNr. DE123456789",
        "Telefon 0341 123-456",
        "Tel. 030/1234-56",
        "Telefax 0341 60.2-123/24",
        "Postfach 10 02 03, 12345 Musterstadt",
        "Flurstück 123/4, Gemarkung Musterstadt",
        "Seite 1/2",
        "Datum: 03.12.2024",
        "6 K 1234/24 without a label is a court file number, but no Aktenzeichen of ours",
        "Vertragsnummer: 2023-3321/01",
    ],
)
def test_distractors_are_no_references(line: str, rules: Rules) -> None:
    assert refs(line, rules) == ()


def test_after_distractor_a_real_label_counts_again(rules: Rules) -> None:
    line = "Kassenzeichen 5.1234.567.8   Az.: 60.2-123/24"
    assert refs(line, rules) == ("60.2-123/24",)


def test_table_style_info_block(rules: Rules) -> None:
    text = (
        "Ihr Zeichen      Unser Zeichen      Ihre Nachricht vom      Datum\n"
        "9 K 292/23      III/32-17.4      12.11.2024      03.12.2024\n"
    )
    assert refs(text, rules) == ("9 K 292/23", "III/32-17.4")


def test_table_with_distractor_column_keeps_only_safe_shapes(rules: Rules) -> None:
    text = "Kundennummer      Unser Zeichen\nKD-2024/117      60.2-123/24\n"
    assert refs(text, rules) == ("60.2-123/24",)


def test_label_in_running_text_does_not_reach_the_next_line(rules: Rules) -> None:
    text = "Bitte nennen Sie bei Antwort das Aktenzeichen unseres Schreibens.\nKD-2024/117 lautet"
    assert refs(text, rules) == ()


def test_labelled_first_then_unlabelled_deduplicated(rules: Rules) -> None:
    text = (
        "Betreff: Bauantrag 32.10.05-0815/2024\n"
        "Unser Zeichen: III/32-17.4\n"
        "Az.: 32.10.05 - 0815/2024\n"
    )
    assert refs(text, rules) == ("III/32-17.4", "32.10.05-0815/2024")


def test_reference_inside_a_longer_one_is_not_reported(rules: Rules) -> None:
    assert refs("Aktenzeichen: 6 K 1234/24", rules) == ("6 K 1234/24",)


def test_ocr_spaces_around_separators(rules: Rules) -> None:
    assert refs("Az. : 32.10.05 - 0815 / 2024", rules) == ("32.10.05-0815/2024",)


def test_own_pattern_from_settings(rules: Rules) -> None:
    custom = load_rules(reference_pattern="{orgunit}/{year}-{seq:05}")
    text = "Ihre Akte 32/2024-00017 wurde angelegt."
    assert refs(text, custom) == ("32/2024-00017",)
    assert refs(text, rules) == ()


def test_date_after_label_is_no_reference(rules: Rules) -> None:
    assert refs("Ihr Zeichen: 03.12.2024", rules) == ()


@pytest.mark.parametrize(
    "text",
    [
        "Az.: 11/28-19.6\nBitte geben Sie das Aktenzeichen II/28-19.6 an.",
        "Az.: II/28-19.6\nBitte geben Sie das Aktenzeichen 11/28-19.6 an.",
    ],
)
def test_one_spelling_of_a_reference_that_ocr_read_twice(text: str, rules: Rules) -> None:
    assert refs(text, rules) == ("II/28-19.6",)


def test_ocr_dropped_spaces_in_court_number(rules: Rules) -> None:
    assert refs("Aktenzeichen: 7K435/23", rules) == ("7 K 435/23",)


@pytest.mark.parametrize("spelling", ["II/21-18.7", "11/21-18.7", "Il/21-18.7", "Az. ii/21 - 18.7"])
def test_reference_key_folds_what_ocr_confuses(spelling: str) -> None:
    assert reference_key(spelling) == reference_key("II/21-18.7")


def test_reference_key_keeps_references_apart() -> None:
    assert reference_key("32.10.05-0815/2024") != reference_key("32.10.05-0816/2024")
    assert reference_key("Bau-2024/1O7") == reference_key("BAU-2024/107")
