from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest

from eakte.exceptions import InputRejected
from eakte.ingest._detect import DOCX
from eakte.ingest._email import html_to_text, parse_eml


def write(tmp_path: Path, message: EmailMessage | bytes) -> Path:
    path = tmp_path / "mail.eml"
    path.write_bytes(message if isinstance(message, bytes) else message.as_bytes())
    return path


def base_message(subject: str = "Antrag") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Erika Müßig <erika@example.org>"
    message["To"] = "Bauamt <bauamt@musterstadt.example>, poststelle@musterstadt.example"
    message["Subject"] = subject
    message["Date"] = "Mon, 02 Dec 2024 17:05:00 +0100"
    return message


def test_fixture_mail(resources: Path) -> None:
    mail = parse_eml(resources / "mail.eml", max_bytes=10**6)
    assert mail.subject == "Antrag auf Sondernutzung – Schloßstraße 12"
    assert mail.sender == "Jürgen Weißmüller <juergen.weissmueller@example.org>"
    assert mail.recipients == (
        "Ordnungsamt Musterstadt <ordnungsamt@musterstadt.example>",
        "poststelle@musterstadt.example",
    )
    assert mail.date == datetime(2024, 12, 3, 9, 13, 55, tzinfo=timezone(timedelta(hours=1)))
    assert mail.message_id == "<20241203091355.4711@example.org>"
    assert "Az.: 32.10.05-0815/2024" in mail.text
    assert "Musterstadt, 03.12.2024" in mail.text
    assert "<br>" not in mail.text  # the plain alternative, not the HTML one
    # the logo the HTML body shows inline (no file name, in multipart/related) is no attachment
    assert [(a.filename, a.media_type) for a in mail.attachments] == [
        ("Weißmüller.pdf", "application/pdf"),  # RFC 2047 encoded file name
        ("Antragsformular_Gerüst.docx", DOCX),  # RFC 2231 encoded file name
    ]
    assert mail.attachments[0].data.startswith(b"%PDF-")
    assert mail.attachments[1].data.startswith(b"PK\x03\x04")


def test_html_only_mail(tmp_path: Path) -> None:
    message = base_message()
    message.set_content(
        "<html><head><title>Titel</title><style>p {color: red}</style>"
        "<script>alert('nein')</script></head><body><h1>Antrag</h1><p>Sehr geehrte "
        "Damen&nbsp;und Herren,<br>hiermit   beantrage ich &amp; bitte um Antwort.</p>"
        "<table><tr><td>Gebühr</td><td>150 &euro;</td></tr></table></body></html>",
        subtype="html",
    )
    mail = parse_eml(write(tmp_path, message), max_bytes=10**6)
    assert mail.text == (
        "Antrag\n\nSehr geehrte Damen und Herren,\nhiermit beantrage ich & "
        "bitte um Antwort.\n\nGebühr 150 €"
    )
    assert mail.attachments == ()


def test_html_to_text_drops_scripts_and_styles() -> None:
    text = html_to_text("<style>x{}</style><p>Eins</p><script>var a = '<p>';</script><p>Zwei")
    assert text == "Eins\n\nZwei"


def test_forwarded_mail_is_kept_as_eml(tmp_path: Path) -> None:
    inner = base_message("Ursprüngliche Beschwerde")
    inner.set_content("Lärm seit 6 Uhr.")
    outer = base_message("WG: Beschwerde")
    outer.set_content("Zur Kenntnis.")
    outer.add_attachment(inner)
    mail = parse_eml(write(tmp_path, outer), max_bytes=10**6)
    assert mail.text == "Zur Kenntnis."
    [forwarded] = mail.attachments
    assert forwarded.filename == "Ursprüngliche Beschwerde.eml"
    assert forwarded.media_type == "message/rfc822"
    reparsed = BytesParser(policy=default).parsebytes(forwarded.data)
    assert reparsed["subject"] == "Ursprüngliche Beschwerde"


def test_attachment_names(tmp_path: Path) -> None:
    message = base_message()
    message.set_content("Anbei.")
    message.add_attachment(
        b"%PDF-1.4 a",
        maintype="application",
        subtype="pdf",
        filename="../../etc/Bescheid\u202etxt.pdf",
    )
    message.add_attachment(b"%PDF-1.4 b", maintype="application", subtype="pdf")  # no name
    photo = b"\xff\xd8\xff\xe0 jpeg"
    message.add_attachment(
        photo, maintype="image", subtype="jpeg", disposition="inline", filename="Foto Baustelle.jpg"
    )
    mail = parse_eml(write(tmp_path, message), max_bytes=10**6)
    assert [a.filename for a in mail.attachments] == [
        "Bescheidtxt.pdf",
        "Anhang-2.pdf",
        "Foto Baustelle.jpg",
    ]
    assert mail.attachments[2].data == photo


def test_body_split_around_an_attachment(tmp_path: Path) -> None:
    raw = (
        b"From: a@example.org\r\nSubject: Teile\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nErster Teil.\r\n"
        b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
        b'filename="a.pdf"\r\n\r\n%PDF-1.4\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZweiter Teil.\r\n--b--\r\n"
    )
    mail = parse_eml(write(tmp_path, raw), max_bytes=10**6)
    assert mail.text == "Erster Teil.\n\nZweiter Teil."
    assert [a.filename for a in mail.attachments] == ["a.pdf"]


def test_unknown_charset_is_read_as_utf8(tmp_path: Path) -> None:
    raw = (
        "From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=x-unbekannt"
        "\r\n\r\nGrüße\r\n"
    ).encode()
    assert parse_eml(write(tmp_path, raw), max_bytes=10**6).text == "Grüße"


def test_missing_headers(tmp_path: Path) -> None:
    mail = parse_eml(write(tmp_path, b"Subject: nur Betreff\r\n\r\nText\r\n"), max_bytes=10**6)
    assert (mail.sender, mail.recipients, mail.date, mail.message_id) == ("", (), None, None)


def test_not_a_mail_is_corrupt(tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as caught:
        parse_eml(write(tmp_path, b"\x00\x01\x02 kein Mailkopf\n\nnichts"), max_bytes=10**6)
    assert caught.value.code == "corrupt"
    assert "E-Mail" in caught.value.message_de


def test_too_large(resources: Path) -> None:
    with pytest.raises(InputRejected) as caught:
        parse_eml(resources / "mail.eml", max_bytes=1000)
    assert caught.value.code == "too-large"


def test_date_without_zone_is_utc(tmp_path: Path) -> None:
    raw = b"From: a@example.org\r\nDate: Tue, 03 Dec 2024 09:13:55 -0000\r\n\r\nx\r\n"
    mail = parse_eml(write(tmp_path, raw), max_bytes=10**6)
    assert mail.date == datetime(2024, 12, 3, 9, 13, 55, tzinfo=UTC)


def test_broken_date_is_none(tmp_path: Path) -> None:
    raw = b"From: a@example.org\r\nDate: gestern abend\r\n\r\nx\r\n"
    assert parse_eml(write(tmp_path, raw), max_bytes=10**6).date is None


def test_nameless_attachments_are_kept(tmp_path: Path) -> None:
    raw = (
        b"From: scanner@example.org\r\nSubject: Scan\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nScan vom Drucker.\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n"
        b"--b\r\nContent-Type: image/png\r\n\r\nnur ein Bild im Text\r\n--b--\r\n"
    )
    mail = parse_eml(write(tmp_path, raw), max_bytes=10**6)
    assert [(a.filename, a.media_type) for a in mail.attachments] == [
        ("Anhang-1.pdf", "application/pdf")
    ]


def test_mail_that_is_only_a_document(tmp_path: Path) -> None:
    raw = b"From: a@example.org\r\nSubject: Foto\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff"
    mail = parse_eml(write(tmp_path, raw), max_bytes=10**6)
    assert mail.text == ""
    assert [a.filename for a in mail.attachments] == ["Anhang-1.jpg"]
