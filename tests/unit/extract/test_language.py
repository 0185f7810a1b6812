from __future__ import annotations

import pytest

from eakte.extract import Rules, analyse

GERMAN = (
    "Sehr geehrte Damen und Herren, hiermit beantrage ich die Genehmigung für den Bau "
    "eines Carports auf dem Grundstück. Die Unterlagen reiche ich nach. Mit freundlichen Grüßen"
)
ENGLISH = (
    "Dear Sir or Madam, please find attached the invoice for the services we have provided "
    "in November. We would be grateful if you could pay it by the end of the month. Regards"
)
FRENCH = (
    "Madame, Monsieur, nous vous remercions pour votre lettre. Nous avons bien reçu les "
    "documents et nous sommes heureux de vous informer que la demande est acceptée par le service."
)


@pytest.mark.parametrize(("text", "expected"), [(GERMAN, "de"), (ENGLISH, "en"), (FRENCH, "fr")])
def test_language(text: str, expected: str, rules: Rules) -> None:
    assert analyse(text, rules).language == expected


@pytest.mark.parametrize("text", ["Rechnung 2024-0815", "OK", "12345 67890", "Az.: 60.2-123/24"])
def test_too_short_to_tell(text: str, rules: Rules) -> None:
    assert analyse(text, rules).language is None
