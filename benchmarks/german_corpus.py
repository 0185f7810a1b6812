"""Generated German municipal documents for benchmarks (deterministic for a seed).

Letters and decisions of the demo's org units (10 Hauptamt, 32 Ordnungsamt, 33
Bürgerbüro, 63 Bauordnung, 70 Abfallwirtschaft) with their vocabulary:
compounds (Sperrmüllabfuhr, Baugenehmigungsverfahren), umlauts and ß next to
their spellings without (Müller/Mueller, Straße/Strasse), names, dates,
amounts and Aktenzeichen such as ``32.10.05-0815/2024``. The body is drawn from
a pool of sentences per org unit plus a few sentences written for each document,
so the texts repeat like real correspondence but no two are the same.

    from german_corpus import documents
    for doc in documents(1000, seed=1): ...
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

YEARS = range(2019, 2026)
FIRST = ["Jürgen", "Erika", "Özlem", "Thomas", "Anna", "Klaus", "Monika", "Sören", "Jörg",
         "Günther", "Bärbel", "Max", "Sabine", "Mehmet", "Katharina", "Hans-Peter"]  # fmt: skip
LAST = ["Müller", "Mueller", "Weißmüller", "Weissmueller", "Schäfer", "Schaefer", "Köhler",
        "Koehler", "Schröder", "Groß", "Gross", "Schmidt", "Meyer", "Fischer", "Weber",
        "Becker", "Hoffmann", "Krüger", "Yılmaz", "Nowak", "Wagner", "Lößer"]  # fmt: skip
STREETS = ["Hauptstraße", "Hauptstrasse", "Bahnhofstraße", "Bahnhofstrasse", "Schloßstraße",
           "Schlossstrasse", "Lindenallee", "Am Mühlbach", "Kirchgasse", "Goethestraße",
           "Rathausplatz", "Gartenweg", "Industriestraße", "Im Grünen Winkel"]  # fmt: skip
FIRMS = ["Stadtwerke Musterstadt GmbH", "Wohnbau Musterstadt mbH", "Ingenieurbüro Köhler GmbH",
         "Rechtsanwälte Groß & Partner", "Architekturbüro Schäfer", "Sportverein Musterstadt e.V.",
         "Entsorgungsbetrieb Süd GmbH", "Bäckerei Weißmüller", "Gaststätte Zum Löwen"]  # fmt: skip

#: per org unit: (plan code of its Aktenzeichen, document types, topics, sentence templates)
UNITS: dict[str, tuple[str, list[str], list[str], list[str]]] = {
    "10": ("10.01.02", ["Einladung", "Vertrag", "Anfrage", "Sonstiges"],
           ["Ratssitzung", "Stellenausschreibung", "Dienstvereinbarung", "Beschlussvorlage",
            "Tagesordnung", "Niederschrift", "Fortbildung", "Dienstreise", "Haushaltssperre",
            "Personalratsbeteiligung", "Geschäftsverteilungsplan", "Ausschusssitzung"],
           ["Die {topic} für den Haupt- und Finanzausschuss wird am {date} beraten.",
            "Der Personalrat wurde zur {topic} ordnungsgemäß beteiligt.",
            "Bitte senden Sie die Unterlagen zur {topic} bis zum {date} an das Hauptamt.",
            "Die Niederschrift der Ratssitzung vom {date} liegt im Ratsinformationssystem vor.",
            "Für die Stellenausschreibung Sachbearbeitung Entgeltgruppe 9a sind Bewerbungen "
            "bis zum {date} einzureichen.",
            "Die Dienstreise nach {city} wird genehmigt; die Reisekosten betragen {amount}.",
            "Die Beschlussvorlage zur {topic} wurde in der Verwaltungskonferenz abgestimmt."]),
    "32": ("32.10.05", ["Antrag", "Bescheid", "Beschwerde", "Widerspruch", "Anfrage"],
           ["Sondernutzung", "Gewerbeanmeldung", "Gaststättenerlaubnis", "Lärmbeschwerde",
            "Ordnungswidrigkeit", "Bußgeldbescheid", "Parkverstoß", "Halteverbot",
            "Straßenfest", "Verwarnungsgeld", "Hundesteuer", "Marktzulassung"],
           ["Hiermit beantrage ich die Sondernutzung des Gehwegs vor dem Grundstück {street} "
            "für ein Baugerüst.",
            "Die Gebühr für die Sondernutzungserlaubnis beträgt {amount}.",
            "Wegen des Parkverstoßes in der {street} wird ein Verwarnungsgeld von {amount} "
            "erhoben.",
            "Die Anwohner beschweren sich über Lärm der Gaststätte in der {street}.",
            "Für das Straßenfest am {date} wird ein absolutes Halteverbot eingerichtet.",
            "Die Gewerbeanmeldung der Firma {firm} wurde am {date} bestätigt.",
            "Gegen den Bußgeldbescheid vom {date} lege ich hiermit Widerspruch ein.",
            "Die Ordnungswidrigkeit wird mit einem Bußgeld von {amount} geahndet.",
            "Die Gaststättenerlaubnis gilt nur mit der Auflage zur Sperrzeit ab 22 Uhr."]),
    "33": ("33.20.01", ["Antrag", "Anfrage", "Bescheid", "Sonstiges"],
           ["Personalausweis", "Reisepass", "Meldebescheinigung", "Anmeldung", "Ummeldung",
            "Führungszeugnis", "Wohnungsgeberbestätigung", "Beglaubigung", "Fundsache",
            "Kinderreisepass", "Aufenthaltsbescheinigung", "Briefwahlunterlagen"],
           ["Ich beantrage einen neuen Personalausweis, da mein alter am {date} abläuft.",
            "Die Ummeldung in die {street} erfolgte fristgerecht zum {date}.",
            "Bitte legen Sie die Wohnungsgeberbestätigung Ihres Vermieters vor.",
            "Der Reisepass kann ab dem {date} im Bürgerbüro abgeholt werden.",
            "Für die Meldebescheinigung wird eine Gebühr von {amount} erhoben.",
            "Das Führungszeugnis wird direkt an die Behörde in {city} übersandt.",
            "Die Fundsache (Geldbörse mit Schlüsselbund) wurde am {date} abgegeben.",
            "Die Briefwahlunterlagen werden an die Anschrift {street} zugestellt."]),
    "63": ("63.30.02", ["Antrag", "Bescheid", "Widerspruch", "Anfrage", "Rechnung"],
           ["Baugenehmigung", "Bauantrag", "Bauvoranfrage", "Abbruchgenehmigung",
            "Nutzungsänderung", "Bebauungsplan", "Abstandsfläche", "Stellplatznachweis",
            "Brandschutzkonzept", "Baulast", "Genehmigungsverfahren", "Dachgeschossausbau"],
           ["Wir beantragen die Erteilung einer Baugenehmigung für das Grundstück {street}, "
            "{parcel}.",
            "Die Baugenehmigung wird unter Auflagen zum Brandschutz erteilt.",
            "Der Stellplatznachweis für {n} Stellplätze ist nicht vollständig.",
            "Die Abstandsflächen zum Nachbargrundstück werden nicht eingehalten.",
            "Das Vorhaben liegt im Geltungsbereich des Bebauungsplans Nr. {n} "
            "„Am Mühlbach“.",
            "Der Bauherr {name} reicht die Statik und das Brandschutzkonzept nach.",
            "Für die Nutzungsänderung vom Laden zur Gaststätte ist eine Genehmigung "
            "erforderlich.",
            "Die Gebühr für das Genehmigungsverfahren beträgt {amount}.",
            "Auf dem Grundstück {parcel} ist eine Baulast eingetragen."]),
    "70": ("70.10.03", ["Antrag", "Beschwerde", "Rechnung", "Mahnung", "Bescheid"],
           ["Sperrmüllabfuhr", "Sperrmüll", "Abfallgebühren", "Restmülltonne", "Biotonne",
            "Wertstoffhof", "Abholtermin", "Grünschnitt", "Elektroschrott", "Papiertonne",
            "Müllgebührenbescheid", "Containerstellplatz"],
           ["Ich bitte um einen Termin für die Sperrmüllabfuhr in der {street}.",
            "Die Sperrmüllabfuhr am {date} hat den Sperrmüll nicht abgeholt.",
            "Die Restmülltonne wurde am {date} nicht geleert.",
            "Der Müllgebührenbescheid für das Jahr {year} weist {amount} aus.",
            "Elektroschrott und Grünschnitt nimmt der Wertstoffhof kostenlos an.",
            "Bitte stellen Sie die Biotonne am Abholtag bis 6 Uhr an die Straße.",
            "Die Abfallgebühren werden zum {date} fällig.",
            "Der Containerstellplatz in der {street} ist dauerhaft überfüllt."]),
}  # fmt: skip
GENERAL = [
    "Sehr geehrte Damen und Herren,",
    "Sehr geehrte Frau {last}, sehr geehrter Herr {last},",
    "bezugnehmend auf Ihr Schreiben vom {date} teilen wir Ihnen Folgendes mit.",
    "Ihr Antrag vom {date} ist am {date} bei uns eingegangen.",
    "Bitte geben Sie bei Rückfragen stets das Aktenzeichen {az} an.",
    "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch "
    "erhoben werden.",
    "Der Widerspruch ist schriftlich oder zur Niederschrift bei der Stadt Musterstadt einzulegen.",
    "Die Frist endet am {date}.",
    "Wir bitten Sie, die fehlenden Unterlagen bis zum {date} nachzureichen.",
    "Sollten die Unterlagen nicht fristgerecht vorliegen, müssen wir nach Aktenlage entscheiden.",
    "Der Betrag von {amount} ist auf das Konto der Stadtkasse zu überweisen.",
    "Die Verwaltungsgebühr richtet sich nach der Verwaltungsgebührensatzung.",
    "Eine Anhörung nach § 28 VwVfG wurde am {date} durchgeführt.",
    "Für Rückfragen steht Ihnen {name} montags bis freitags zur Verfügung.",
    "Die Stellungnahme des Fachamts liegt seit dem {date} vor.",
    "Die Zustellung erfolgt mit Postzustellungsurkunde.",
    "Wir haben Ihre Angaben geprüft und können dem Antrag entsprechen.",
    "Leider können wir Ihrem Anliegen nicht entsprechen, weil die Voraussetzungen fehlen.",
    "Anlagen: Lageplan, Kopie des Personalausweises, Vollmacht",
    "Mit freundlichen Grüßen",
    "Im Auftrag",
]
CITIES = ["Musterstadt", "Beispielstadt", "Köln", "München", "Düsseldorf", "Görlitz"]
#: free sentences: subject, verb phrase, object; with compounds of HEADS and TAILS
HEADS = ["Bau", "Abfall", "Gewerbe", "Verkehrs", "Melde", "Personal", "Haushalts", "Grundstücks",
         "Straßen", "Wasser", "Friedhofs", "Schul", "Sport", "Kultur", "Sozial", "Ordnungs",
         "Bürger", "Rats", "Miet", "Energie", "Brandschutz", "Denkmal", "Spielplatz", "Lärm",
         "Umwelt", "Grünflächen", "Kanal", "Gebühren", "Park", "Markt"]  # fmt: skip
TAILS = ["antrag", "bescheid", "gebühr", "verfahren", "ordnung", "satzung", "plan", "stelle",
         "recht", "kosten", "fläche", "genehmigung", "verwaltung", "leistung", "angelegenheit",
         "prüfung", "konzept", "beitrag", "vertrag", "zuschuss", "bericht", "kontrolle",
         "verordnung", "aufsicht", "anlage", "maßnahme", "förderung", "erhebung"]  # fmt: skip
_ARTICLES = {"antrag": "den", "bescheid": "den", "plan": "den", "beitrag": "den", "vertrag": "den",
             "zuschuss": "den", "bericht": "den", "verfahren": "das", "recht": "das",
             "konzept": "das"}  # fmt: skip
SUBJECTS = ["Die Verwaltung", "Das Fachamt", "Der Antragsteller", "Die Antragstellerin",
            "Der Eigentümer", "Die Eigentümerin", "Die Hausverwaltung", "Der Gemeinderat",
            "Das Landratsamt", "Die Bürgermeisterin", "Der Bauausschuss", "Die Nachbarschaft",
            "Der Bevollmächtigte", "Die Sachbearbeiterin", "Der Sachverständige"]  # fmt: skip
VERBS = ["prüft", "bestätigt", "beanstandet", "genehmigt", "versagt", "verlängert",
         "übermittelt", "ergänzt", "widerruft", "berücksichtigt", "bewertet", "erläutert",
         "begründet", "beschränkt", "überprüft", "bearbeitet", "unterstützt"]  # fmt: skip
ENDINGS = ["fristgerecht", "unverzüglich", "im Rahmen der gesetzlichen Vorgaben",
           "nach pflichtgemäßem Ermessen", "vorbehaltlich weiterer Prüfung",
           "gemäß der geltenden Satzung", "im Einvernehmen mit dem Landkreis",
           "bis zur nächsten Sitzung", "unter Berücksichtigung der Einwendungen",
           "für den Zeitraum {year} bis {year2}", "mit Schreiben vom {date}"]  # fmt: skip
_POOL_PER_UNIT = 2_000
_FRESH_PER_DOC = 4


@dataclass(frozen=True)
class CorpusDocument:
    title: str
    orgunit: str  # code
    document_type: str
    sender: str
    document_date: date | None
    received: datetime
    reference: str
    text: str


class _Filler:
    """Fills the ``{slots}`` of a template with random values."""

    def __init__(self, rng: random.Random, unit: str) -> None:
        self.rng, self.unit = rng, unit

    def free(self) -> str:
        """A sentence put together from the word lists."""
        r = self.rng
        tail = r.choice(TAILS)
        noun = r.choice(HEADS) + tail
        article = _ARTICLES.get(tail, "die")
        return self.fill(
            f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {article} {noun} {r.choice(ENDINGS)}.", noun
        )

    def fill(self, template: str, topic: str) -> str:
        r = self.rng
        year = r.choice(YEARS)
        return template.format(
            topic=topic,
            date=_german(_some_day(r)),
            year=year,
            year2=year + r.randint(1, 4),
            street=f"{r.choice(STREETS)} {r.randint(1, 120)}",
            name=f"{r.choice(FIRST)} {r.choice(LAST)}",
            last=r.choice(LAST),
            firm=r.choice(FIRMS),
            city=r.choice(CITIES),
            amount=f"{r.randint(5, 4000)},{r.choice(('00', '50', '90'))} EUR",
            parcel=f"Gemarkung {r.choice(CITIES)}, Flur {r.randint(1, 40)}, "
            f"Flurstück {r.randint(1, 999)}/{r.randint(1, 20)}",
            n=r.randint(1, 200),
            az=_reference(r, self.unit),
        )


def _some_day(rng: random.Random) -> date:
    return date(rng.choice(YEARS), 1, 1) + timedelta(days=rng.randrange(365))


def _german(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _reference(rng: random.Random, unit: str) -> str:
    return f"{UNITS[unit][0]}-{rng.randrange(10_000):04d}/{rng.choice(YEARS)}"


def _pool(rng: random.Random, unit: str) -> list[tuple[str, int]]:
    """Sentences of this unit and general ones, with their word counts."""
    filler = _Filler(rng, unit)
    _, _, topics, templates = UNITS[unit]
    sentences = []
    for _ in range(_POOL_PER_UNIT):
        kind = rng.random()
        if kind < 0.3:
            sentence = filler.free()
        else:
            template = rng.choice(templates if kind < 0.8 else GENERAL)
            sentence = filler.fill(template, rng.choice(topics))
        sentences.append((sentence, len(sentence.split())))
    return sentences


def documents(count: int, seed: int = 1, words: int = 300) -> Iterator[CorpusDocument]:
    """``count`` documents of about ``words`` words, spread over units, types and years."""
    rng = random.Random(seed)
    pools = {unit: _pool(rng, unit) for unit in UNITS}
    units = list(UNITS)
    for _ in range(count):
        unit = rng.choice(units)
        _, types, topics, templates = UNITS[unit]
        filler = _Filler(rng, unit)
        doc_type, topic = rng.choice(types), rng.choice(topics)
        day = _some_day(rng)
        reference = _reference(rng, unit)
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        sender = (
            f"Stadt Musterstadt, Amt {unit}"
            if doc_type == "Bescheid"
            else rng.choice((person, person, rng.choice(FIRMS)))
        )
        street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        head = [
            f"{sender}, {street}, 12345 Musterstadt",
            f"Musterstadt, den {_german(day)}",
            f"Aktenzeichen: {reference}",
            f"Betreff: {doc_type} {topic}",
        ]
        head += [filler.fill(rng.choice(templates), topic) for _ in range(_FRESH_PER_DOC)]
        head += [filler.free() for _ in range(_FRESH_PER_DOC)]
        target = rng.randint(words - 60, words + 60)
        total = sum(len(line.split()) for line in head)
        body = []
        pool = pools[unit]
        while total < target:
            sentence, length = pool[rng.randrange(len(pool))]
            body.append(sentence)
            total += length
        rng.shuffle(body)
        received = datetime.combine(day + timedelta(days=rng.randint(0, 10)), datetime.min.time())
        yield CorpusDocument(
            title=f"{doc_type} {topic} {street}",
            orgunit=unit,
            document_type=doc_type,
            sender=sender,
            document_date=None if rng.random() < 0.1 else day,
            received=received.replace(hour=rng.randint(7, 17), tzinfo=UTC),
            reference=reference,
            text="\n".join(head[:4]) + "\n\n" + " ".join(head[4:] + body),
        )
