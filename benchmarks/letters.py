"""Realistic German test letters with ground truth, rendered as scanned A4 pages.

Each letter has a letterhead or a private sender's address, the recipient in
the address window, a date line in one of several layouts, a subject and often
an Aktenzeichen in one of several formats, and a body full of distractors:
deadlines, quoted dates, a receipt stamp, Kassenzeichen, invoice and customer
numbers, IBAN, tax and phone numbers; about half of the letters also have a
sentence with English words (a company name, "Customer Service", a line in
English), listed in the ground truth as ``english``. ``letter_NNNN.json`` holds
the ground truth; each letter is rendered in four qualities: at 300 dpi in grey
(the PNG states no resolution; ingest assumes 300 dpi) clean, medium (±1°
rotation, noise, light blur) and heavy (±3°, stronger noise and blur, JPEG
artefacts, speckles); and ``bw200``, what many scan stations deliver: 200 dpi,
1 bit, ±0.5° (the PNG states 200 dpi). Deterministic for a given seed.

    .venv/bin/python benchmarks/letters.py OUT_DIR [--count 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian package fonts-dejavu-core
FACES = {"sans": "DejaVuSans", "serif": "DejaVuSerif"}
DPI, PAGE_MM = 300, (210, 297)
LEVELS = ("clean", "medium", "heavy", "bw200")
MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
SHORT_MONTHS = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
                "Nov.", "Dez."]  # fmt: skip

CITIES = [("12345", "Musterstadt"), ("54321", "Beispielstadt"), ("60311", "Frankfurt am Main"),
          ("04109", "Leipzig"), ("79098", "Freiburg im Breisgau"), ("24103", "Kiel"),
          ("99084", "Erfurt"), ("67433", "Neustadt an der Weinstraße")]  # fmt: skip
STREETS = ["Hauptstraße", "Lindenweg", "Am Markt", "Bahnhofstraße", "Schillerstraße",
           "Goethestraße", "Kirchgasse", "Mühlenweg", "Rathausplatz"]  # fmt: skip
FIRST = ["Max", "Erika", "Jürgen", "Sabine", "Özlem", "Thomas", "Anna", "Klaus", "Monika"]
LAST = ["Mustermann", "Musterfrau", "Müller", "Schmidt", "Schneider", "Fischer", "Weber",
        "Becker", "Wagner", "Hoffmann", "Schäfer", "Köhler"]  # fmt: skip
ORGS = {  # kind -> name template
    "city": "Stadt {city}", "works": "Stadtwerke {city} GmbH", "housing": "Wohnbau {city} mbH",
    "lawyers": "Rechtsanwälte {last} & {last2}", "club": "Sportverein {city} e.V.",
    "engineers": "Ingenieurbüro {last} GmbH",
}  # fmt: skip
TYPES = {  # document type -> possible senders
    "Rechnung": ["works", "engineers"], "Mahnung": ["works", "housing"], "Bescheid": ["city"],
    "Antrag": ["citizen"], "Beschwerde": ["citizen"], "Anfrage": ["citizen", "engineers"],
    "Widerspruch": ["citizen", "lawyers"], "Einladung": ["city", "club"],
    "Vertrag": ["housing", "engineers"], "Sonstiges": ["city", "citizen"],
}  # fmt: skip


def german(d: date, style: int) -> str:
    if style == 0:
        return f"{d:%d.%m.%Y}"
    if style == 1:
        return f"{d.day}. {MONTHS.split()[d.month - 1]} {d.year}"
    if style == 2:
        return f"{d.day}. {SHORT_MONTHS[d.month - 1]} {d.year}"
    return f"{d.day}.{d.month}.{d:%y}"


def reference(rng: random.Random, year: int) -> tuple[str, str]:
    """(as printed, as normalised) in one of the formats seen in practice."""
    plan = rng.choice(["32.10.05", "1.2", "60.20.01", "10.3"])
    seq = rng.randint(1, 999)
    kind = rng.randrange(5)
    if kind == 0:
        ref = f"{plan}-{seq:04}/{year}"
    elif kind == 1:
        ref = f"{rng.choice(['60.2', '32.1', '51'])}-{seq}/{year % 100:02}"
    elif kind == 2:
        unit = rng.choice(["II", "III", "IV"])
        ref = f"{unit}/{rng.randint(10, 68)}-{rng.randint(1, 30)}.{rng.randint(1, 9)}"
    elif kind == 3:
        ref = f"{rng.choice(['Bau', 'OA', 'KD'])}-{year}/{seq}"
    else:
        ref = f"{rng.randint(1, 12)} K {seq}/{year % 100:02}"
    printed = ref.replace("-", " - ", 1) if kind < 2 and rng.random() < 0.2 else ref
    return printed, ref


BODIES = {  # type -> (subjects, paragraphs); fields are filled in by _fields()
    "Rechnung": (["Rechnung Nr. {rnr}", "Rechnung {rnr} – Wartungsarbeiten"], [
        "für unsere Leistungen im Zeitraum {p1} - {p2} stellen wir Ihnen folgenden Betrag in "
        "Rechnung: Gesamtbetrag {amount} EUR (zzgl. MwSt.).",
        "Bitte überweisen Sie den Rechnungsbetrag bis zum {deadline} unter Angabe des "
        "Kassenzeichens {kz} auf das unten genannte Konto. Kundennummer: {kd}."]),
    "Mahnung": (["Zahlungserinnerung zur Rechnung Nr. {rnr}", "2. Mahnung"], [
        "unsere Rechnung vom {quoted} über {amount} EUR ist leider noch nicht beglichen.",
        "Wir bitten Sie, den offenen Betrag zuzüglich einer Mahngebühr von 5,00 EUR "
        "spätestens bis {deadline} zu überweisen. Kassenzeichen: {kz}, Kundennummer {kd}."]),
    "Bescheid": (["Gebührenbescheid über Abfallgebühren {year}",
                  "Bescheid über Ihre Baugenehmigung"], [
        "auf Ihren Antrag vom {quoted} ergeht folgender Bescheid: Die Gebühr wird hiermit auf "
        "{amount} EUR festgesetzt. Der Betrag ist fällig am {deadline}. Bitte geben Sie bei der "
        "Zahlung das Kassenzeichen {kz} an.",
        "Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats nach "
        "Bekanntgabe Widerspruch erhoben werden."]),
    "Antrag": (["Antrag auf Erteilung einer Baugenehmigung",
                "Antrag auf Sondernutzungserlaubnis"], [
        "hiermit beantrage ich, {name}, geb. {birth}, die Genehmigung für den Bau eines Carports "
        "auf dem Grundstück Flurstück {flur}.",
        "Die fehlenden Unterlagen reiche ich bis zum {deadline} nach. Für Rückfragen erreichen "
        "Sie mich unter Telefon 0341 {phone}."]),
    "Beschwerde": (["Beschwerde über Lärmbelästigung",
                    "Beschwerde über den Zustand des Spielplatzes"], [
        "seit dem {quoted} kommt es in unserer Straße regelmäßig zu erheblichen Störungen.",
        "Ich beschwere mich hiermit ausdrücklich über diesen unzumutbaren Zustand und bitte "
        "Sie, bis zum {deadline} tätig zu werden."]),
    "Anfrage": (["Anfrage zum Bebauungsplan Nr. {flur}", "Anfrage zu Fördermitteln"], [
        "ich bitte um Auskunft, welche Unterlagen für das Vorhaben benötigt werden. Auf Ihr "
        "Schreiben vom {quoted} nehme ich Bezug.",
        "Eine Antwort bis zum {deadline} wäre sehr hilfreich. Telefon: 0341 {phone}."]),
    "Widerspruch": (["Widerspruch gegen den Bescheid vom {quoted}"], [
        "hiermit lege ich gegen den oben genannten Bescheid fristgerecht Widerspruch ein. Der "
        "Bescheid ist mir am {received} zugegangen.",
        "Die Begründung reiche ich bis zum {deadline} nach. Kassenzeichen des Bescheids: {kz}."]),
    "Einladung": (["Einladung zur Sitzung des Bauausschusses",
                   "Einladung zur Mitgliederversammlung"], [
        "hiermit laden wir Sie herzlich zur Sitzung am {future} um 18:00 Uhr in den "
        "Ratssaal ein. Die Tagesordnung liegt diesem Schreiben bei.",
        "Bitte teilen Sie uns bis zum {deadline} mit, ob Sie teilnehmen."]),
    "Vertrag": (["Wartungsvertrag für die Heizungsanlage", "Mietvertrag über Stellplatz {flur}"], [
        "zwischen den Vertragsparteien wird folgender Vertrag geschlossen. Vertragsgegenstand "
        "ist die jährliche Wartung der Anlage.",
        "Der Vertrag beginnt am {future} und hat eine Laufzeit von zwei Jahren. "
        "Vertragsnummer: {rnr}."]),
    "Sonstiges": (["Geänderte Öffnungszeiten", "Umzug unseres Büros"], [
        "wir möchten Sie darüber informieren, dass sich ab dem {future} unsere "
        "Öffnungszeiten ändern.",
        "Wir sind dann montags bis freitags von 8 bis 12 Uhr für Sie da."]),
}  # fmt: skip
#: Sentences with English words, as German letters have them; (sentence, its English words).
ENGLISH = [
    ("Please note: an English version of this letter is available on request.",
     "Please note an English version of this letter is available on request"),
    ("Für Rückfragen steht Ihnen unser Customer Service Team gerne zur Verfügung.",
     "Customer Service Team"),
    ("Die Software stellt Brightfield Software Solutions Ltd. aus Cambridge bereit.",
     "Brightfield Software Solutions Ltd Cambridge"),
    ("Kopie an: Green Energy Partners Ltd., Attention: Accounts Payable Department.",
     "Green Energy Partners Ltd Attention Accounts Payable Department"),
    ("Alle Unterlagen finden Sie auch in unserem Download Center unter Frequently Asked "
     "Questions.", "Download Center Frequently Asked Questions"),
    ("We kindly ask our international customers to quote the reference number in all "
     "correspondence.", "We kindly ask our international customers to quote the reference "
     "number in all correspondence"),
]  # fmt: skip
LINE_MM = {"head": 8.0, "body": 4.6, "bold": 4.6, "small": 3.4, "stamp": 5.2}
STYLE_PT = {"head": (16, True), "body": (10, False), "bold": (10, True), "small": (7, False),
            "stamp": (11, True)}  # fmt: skip
WRAP = 84


@dataclass
class Letter:
    """What is printed (blocks of lines with their position) and the truth about it."""

    blocks: list[tuple[float, float, str, list[str]]] = field(default_factory=list)
    truth: dict[str, object] = field(default_factory=dict)

    def add(self, x_mm: float, y_mm: float, style: str, *lines: str) -> float:
        if lines:
            self.blocks.append((x_mm, y_mm, style, list(lines)))
        return y_mm + len(lines) * LINE_MM[style]

    @property
    def text(self) -> str:
        """The page's text in reading order: side-by-side lines are read as one (as OCR does)."""
        placed = sorted(
            (y + n * LINE_MM[style], x, line)
            for x, y, style, lines in self.blocks
            for n, line in enumerate(lines)
            if line
        )
        rows: list[tuple[float, list[tuple[float, str]]]] = []
        for y, x, line in placed:
            if rows and y - rows[-1][0] < 2.0:
                rows[-1][1].append((x, line))
            else:
                rows.append((y, [(x, line)]))
        return "\n".join(" ".join(line for _, line in sorted(parts)) for _, parts in rows)


def _person(rng: random.Random) -> tuple[str, str, str]:
    postcode, city = rng.choice(CITIES)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return name, f"{rng.choice(STREETS)} {rng.randint(1, 120)}", f"{postcode} {city}"


def _sender(rng: random.Random, kind: str) -> tuple[str, str, str]:
    if kind == "citizen":
        return _person(rng)
    postcode, city = rng.choice(CITIES)
    name = ORGS[kind].format(city=city, last=rng.choice(LAST), last2=rng.choice(LAST))
    return name, f"{rng.choice(STREETS)} {rng.randint(1, 40)}", f"{postcode} {city}"


def _head(rng: random.Random, letter: Letter, kind: str) -> tuple[str, str]:
    """Letterhead or private address, sender line, recipient; returns sender and city."""
    name, street, place = _sender(rng, kind)
    if kind == "citizen":
        letter.add(25, 15, "body", name, street, place)
        postcode, city = rng.choice(CITIES)
        office = rng.choice(["Bauordnungsamt", "Bürgeramt", "Ordnungsamt"])
        recipient = [f"Stadt {city}", office, f"{rng.choice(STREETS)} 1", f"{postcode} {city}"]
    else:
        letter.add(25, 12, "head", name)
        letter.add(25, 21, "body", rng.choice(["Kundenservice", "Verwaltung", "Geschäftsstelle"]))
        letter.add(25, 47, "small", f"{name} · {street} · {place}")
        person = _person(rng)
        recipient = [rng.choice(["Herrn", "Frau"]), *person]
    letter.add(25, 52, "body", *recipient)
    return name, place.split(" ", 1)[1]


def _info(rng: random.Random, letter: Letter, city: str, day: date, refs: list[str]) -> float:
    """The date line and the references in one of several layouts; returns the next free y."""
    layout = rng.randrange(5)
    quoted = german(day - timedelta(days=rng.randint(10, 40)), 0)
    labels = ["Unser Zeichen:", "Ihr Zeichen:", "Az.:", "Geschäftszeichen:", "Aktenzeichen:"]
    label = rng.choice(labels)
    rows = [f"{label} {ref}" for ref in refs]
    if layout == 0:  # DIN 5008 information block beside the address
        rows += [f"Ihre Nachricht vom: {quoted}", f"Datum: {german(day, 0)}"]
        letter.add(125, 52, "body", *rows)
        return 100
    if layout == 1:  # old style: a row of labels, the values below
        head, values = "Ihr Schreiben vom", quoted
        if refs:
            head, values = f"{head}      Unser Zeichen", f"{values}      {refs[0]}"
        letter.add(25, 90, "body", f"{head}      Datum", f"{values}      {german(day, 0)}")
        return letter.add(25, 100, "body", *rows[1:]) if refs[1:] else 100
    if rows:
        letter.add(125, 60, "body", *rows)
    prefix = {2: f"{city}, den ", 3: f"{city}, ", 4: ""}[layout]  # 4: the date alone
    letter.add(125, 88, "body", prefix + german(day, rng.randrange(4)))
    return 96


def _fields(rng: random.Random, day: date, name: str) -> dict[str, str]:
    later, n = day + timedelta(days=rng.randint(14, 30)), rng.randint(1, 9)
    birth = date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "rnr": f"{day.year}-{rng.randint(100, 9999):04}", "kd": f"{rng.randint(10**7, 10**8)}",
        "kz": f"{rng.randint(1, 9)}.{rng.randint(1000, 9999)}.{rng.randint(100, 999)}.{n % 10}",
        "amount": f"{rng.randint(20, 2000)},{rng.randint(0, 99):02}", "name": name,
        "deadline": german(later, rng.randrange(3)), "received": german(day - timedelta(days=3), 0),
        "quoted": german(day - timedelta(days=rng.randint(5, 60)), rng.randrange(3)),
        "future": german(later + timedelta(days=7), 1), "birth": german(birth, 0),
        "p1": german(day - timedelta(days=60), 0), "p2": german(day - timedelta(days=31), 0),
        "flur": f"{rng.randint(10, 999)}/{rng.randint(1, 9)}", "year": str(day.year),
        "phone": f"{rng.randint(100, 999)}-{rng.randint(10, 99)}",
    }  # fmt: skip


def _body(
    rng: random.Random, letter: Letter, y: float, kind: str, refs: list[str], english: str
) -> None:
    subjects, paragraphs = BODIES[kind]
    values = _fields(rng, date.fromisoformat(str(letter.truth["document_date"] or "2024-06-03")),
                     str(letter.truth["sender"]))  # fmt: skip
    subject = rng.choice(subjects).format(**values)
    if refs and letter.truth["sender_kind"] == "citizen":
        subject += f", Az. {refs[0]}"
    y = letter.add(25, y + 4, "bold", subject) + 5
    lines = ["Sehr geehrte Damen und Herren,", ""]
    for paragraph in paragraphs:
        lines += [*textwrap.wrap(paragraph.format(**values), WRAP), ""]
    if english:
        lines += [*textwrap.wrap(english, WRAP), ""]
    if refs and rng.random() < 0.3:
        lines += [f"Bitte geben Sie bei Antwort stets das Aktenzeichen {refs[-1]} an.", ""]
    signer = str(letter.truth["sender"]) if letter.truth["sender_kind"] == "citizen" else (
        f"i. A. {rng.choice(FIRST)} {rng.choice(LAST)}")  # fmt: skip
    letter.add(25, y, "body", *lines, "Mit freundlichen Grüßen", "", "", signer)


def _footer(rng: random.Random, letter: Letter) -> None:
    iban = "DE" + "".join(str(rng.randint(0, 9)) for _ in range(20))
    iban = " ".join(iban[i : i + 4] for i in range(0, 22, 4))
    tax = f"{rng.randint(100, 999)}/{rng.randint(100, 999)}/{rng.randint(10000, 99999)}"
    phone = rng.randint(100, 999)
    letter.add(25, 272, "small", f"Bankverbindung: Sparkasse · IBAN {iban} · BIC WELADED1XXX",
               f"Steuernummer {tax} · Telefon 0341 {phone}-0 · Fax 0341 {phone}-99")  # fmt: skip


def compose(rng: random.Random, extra: random.Random | None = None) -> Letter:
    """One letter: what is printed and where, and the ground truth.

    ``extra`` chooses the English sentence (none without it), apart from ``rng``
    so that the rest of each letter stays as it was before there were any.
    """
    kind = rng.choice(list(TYPES))
    sender_kind = rng.choice(TYPES[kind])
    letter = Letter()
    day = date(2023, 1, 1) + timedelta(days=rng.randint(0, 800))
    name, city = _head(rng, letter, sender_kind)
    if rng.random() < 0.5:  # receipt stamp of the town hall
        stamped = day + timedelta(days=rng.randint(1, 6))
        stamp = f"{stamped.day:02}. {SHORT_MONTHS[stamped.month - 1].upper()} {stamped.year}"
        letter.add(140, 14, "stamp", "EINGEGANGEN", stamp)
    refs = [reference(rng, day.year) for _ in range(rng.choice([0, 1, 1, 1, 2]))]
    if sender_kind == "citizen":
        refs = refs[:1]
    printed = [p for p, _ in refs]
    with_date = rng.random() > 0.05
    letter.truth.update(type=kind, sender=name, sender_kind=sender_kind,
                        references=[ref for _, ref in refs],
                        document_date=day.isoformat() if with_date else None)  # fmt: skip
    sentence, english = extra.choice(ENGLISH) if extra and extra.random() < 0.5 else ("", "")
    letter.truth["english"] = english.split()
    on_top = printed if sender_kind != "citizen" else []
    if with_date:
        y = _info(rng, letter, city, day, on_top)
    else:
        y = letter.add(125, 60, "body", *(f"Az.: {ref}" for ref in on_top)) + 20
    _body(rng, letter, y, kind, printed, sentence)
    if sender_kind != "citizen":
        _footer(rng, letter)
    return letter


def _font(style: str, face: str) -> ImageFont.FreeTypeFont:
    size, bold = STYLE_PT[style]
    name = FACES[face] + ("-Bold" if bold else "")
    return ImageFont.truetype(str(FONT_DIR / f"{name}.ttf"), round(size * DPI / 72))


def render(letter: Letter, face: str) -> Image.Image:
    """The letter as a clean A4 page, 300 dpi, grey."""
    px = DPI / 25.4
    page = Image.new("L", (round(PAGE_MM[0] * px), round(PAGE_MM[1] * px)), 255)
    draw = ImageDraw.Draw(page)
    for x_mm, y_mm, style, lines in letter.blocks:
        font, ink = _font(style, face), 70 if style == "stamp" else 0
        for n, line in enumerate(lines):
            x = min(x_mm * px, page.size[0] - 20 * px - font.getlength(line))  # right margin
            draw.text((x, (y_mm + n * LINE_MM[style]) * px), line, font=font, fill=ink)
        if style == "stamp":
            width = max(font.getlength(line) for line in lines)
            box = (x_mm * px - 25, y_mm * px - 20, x_mm * px + width + 25,
                   (y_mm + len(lines) * LINE_MM[style]) * px + 10)  # fmt: skip
            draw.rectangle(box, outline=ink, width=5)
    return page


def _noise(page: Image.Image, rng: random.Random, amplitude: int) -> Image.Image:
    raw = Image.frombytes("L", page.size, rng.randbytes(page.size[0] * page.size[1]))
    noise = raw.point(lambda v: 128 + (v - 128) * amplitude // 128)
    return ImageChops.add(page, noise, scale=1.0, offset=-128)


def _speckles(page: Image.Image, rng: random.Random, count: int) -> Image.Image:
    draw = ImageDraw.Draw(page)
    for _ in range(count):
        x, y, r = rng.randrange(page.size[0]), rng.randrange(page.size[1]), rng.randint(1, 4)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(0, 90))
    return page


def degrade(page: Image.Image, level: str, rng: random.Random) -> Image.Image:
    """A scan of the page: clean, medium, heavy or bw200."""
    if level == "clean":
        return page
    if level == "bw200":  # 1 bit at 200 dpi: a scanner's own threshold, no grey left
        page = page.rotate(rng.uniform(-0.5, 0.5), resample=Image.Resampling.BICUBIC,
                           fillcolor=255)  # fmt: skip
        small = page.resize((round(page.size[0] * 200 / DPI), round(page.size[1] * 200 / DPI)),
                            Image.Resampling.LANCZOS)  # fmt: skip
        return _noise(small, rng, 10).point(lambda v: 255 if v > 140 else 0, mode="1")
    heavy = level == "heavy"
    angle = rng.uniform(-3, 3) if heavy else rng.uniform(-1, 1)
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if heavy:
        page = page.point(lambda v: 45 + v * 195 // 255)  # worn toner, grey paper
    page = _noise(page, rng, 45 if heavy else 18)
    page = page.filter(ImageFilter.GaussianBlur(1.2 if heavy else 0.6))
    if not heavy:
        return page
    page = _speckles(page, rng, 1500)
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=25)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def generate(out_dir: Path, count: int, seed: int) -> list[Path]:
    """``count`` letters in ``out_dir``: ground-truth JSON files (returned) and PNG pages."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(count):
        rng = random.Random(f"{seed}-{n}")
        letter = compose(rng, random.Random(f"{seed}-{n}-english"))
        page = render(letter, rng.choice(list(FACES)))
        stem = f"letter_{n + 1:04}"
        pages = {}
        for level in LEVELS:
            name = f"{stem}_{level}_1.png"
            scan = degrade(page.copy(), level, random.Random(f"{seed}-{n}-{level}"))
            dpi = {"dpi": (200, 200)} if level == "bw200" else {}
            scan.save(out_dir / name, compress_level=1, **dpi)
            pages[level] = [name]
        lines = [line for *_, block in letter.blocks for line in block]
        truth = {**letter.truth, "text": letter.text, "lines": lines, "pages": pages}
        target = out_dir / f"{stem}.json"
        target.write_text(json.dumps(truth, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for path in generate(args.out_dir, args.count, args.seed):
        print(path)


if __name__ == "__main__":
    main()
