"""Read an e-mail (``.eml``): its headers, its body as text and its attachments.

The mail becomes a document of its own; each attachment becomes a document
linked to it. What counts as an attachment:

* every part with ``Content-Disposition: attachment``;
* every other leaf part outside a ``multipart/related`` (whose parts are what
  the HTML body shows, such as a logo), except text without a file name (body
  text) and nameless inline images;
* a forwarded mail (``message/rfc822``), kept whole as an ``.eml``.

The body is the ``text/plain`` alternative if there is one, else the HTML one
converted to text (scripts and styles dropped). Further inline text parts
without a file name (some mail programs split the body around an attachment)
are appended to it. File names are decoded (RFC 2231 and the common but
non-standard RFC 2047 ``=?utf-8?q?...?=``) and made safe to show.
"""

from __future__ import annotations

import email.errors
import mimetypes
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path

from eakte.exceptions import InputRejected
from eakte.ingest._detect import too_large
from eakte.ingest._names import safe_display_name

_PARSE_ERRORS = (email.errors.MessageError, ValueError, TypeError, LookupError, AttributeError)


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    subject: str
    sender: str
    recipients: tuple[str, ...]
    date: datetime | None
    message_id: str | None
    text: str
    attachments: tuple[MailAttachment, ...]


def parse_eml(path: Path, max_bytes: int) -> ParsedMail:
    """Parse the mail at ``path``; ``too-large`` above ``max_bytes``, ``corrupt`` if unreadable."""
    size = path.stat().st_size
    if size > max_bytes:
        raise too_large(size, max_bytes)
    try:
        message = BytesParser(EmailMessage, policy=policy.default).parsebytes(path.read_bytes())
        if not any(message.get(name) for name in ("from", "subject", "date", "message-id")):
            raise _corrupt("it has no From, Subject, Date or Message-ID header")
        body = message.get_body(preferencelist=("plain", "html"))
        found: list[MailAttachment] = []
        extra_text: list[str] = []
        _collect(message, body, found, extra_text, in_related=False)
        text = "" if body is None else _text_of(body)
        return ParsedMail(
            subject=_header(message, "subject"),
            sender=_header(message, "from"),
            recipients=_recipients(message),
            date=_date(message),
            message_id=_header(message, "message-id") or None,
            text="\n\n".join(part for part in (text, *extra_text) if part.strip()),
            attachments=tuple(found),
        )
    except _PARSE_ERRORS as exc:
        raise _corrupt(str(exc)) from exc


def html_to_text(html: str) -> str:
    """Plain text of an HTML document: blocks become lines, scripts and styles vanish."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text, blank = [], False
    for line in lines:
        if line or not blank:
            text.append(line)
        blank = not line
    return "\n".join(text).strip()


def _collect(
    part: MIMEPart,
    body: MIMEPart | None,
    found: list[MailAttachment],
    extra_text: list[str],
    *,
    in_related: bool,
) -> None:
    if part is body:
        return
    media_type = part.get_content_type()
    if media_type == "message/rfc822":
        found.append(_forwarded(part))
        return
    if part.is_multipart():
        related = in_related or media_type == "multipart/related"
        for sub in part.iter_parts():
            if isinstance(sub, MIMEPart):  # always, with the default policy
                _collect(sub, body, found, extra_text, in_related=related)
        return
    filename = part.get_filename()
    if part.get_content_disposition() != "attachment":
        if in_related:
            return  # what the HTML body shows (a logo, ...)
        if filename is None and media_type.startswith("text/"):
            if media_type == "text/plain":
                extra_text.append(_text_of(part))
            return  # more body text, or the body's other alternative
        if filename is None and media_type.startswith("image/") and body is not None:
            return  # an inline image without a name
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    found.append(MailAttachment(_filename(filename, media_type, len(found) + 1), media_type, data))


def _forwarded(part: MIMEPart) -> MailAttachment:
    inner = part.get_content()
    if not isinstance(inner, MIMEPart):
        raise _corrupt("a forwarded message cannot be read")
    name = part.get_filename() or _header(inner, "subject") or "weitergeleitete Nachricht"
    name = safe_display_name(_decode_words(name))
    if not name.lower().endswith(".eml"):
        name += ".eml"
    return MailAttachment(name, "message/rfc822", inner.as_bytes())


def _filename(raw: str | None, media_type: str, number: int) -> str:
    if not raw:
        return f"Anhang-{number}{mimetypes.guess_extension(media_type) or '.bin'}"
    return safe_display_name(_decode_words(raw))


def _decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words the parser left in place (e.g. in a quoted filename)."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (email.errors.HeaderParseError, LookupError, UnicodeError):
        return text


def _text_of(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # unknown or wrong charset: decode as UTF-8
        content = None
    if not isinstance(content, str):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return html_to_text(content) if part.get_content_type() == "text/html" else content.strip()


def _header(message: MIMEPart, name: str) -> str:
    value = message.get(name)
    return "" if value is None else " ".join(str(value).split())


def _date(message: MIMEPart) -> datetime | None:
    value = getattr(message.get("date"), "datetime", None)
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # "-0000": UTC


def _recipients(message: MIMEPart) -> tuple[str, ...]:
    found: list[str] = []
    for name in ("to", "cc"):
        for address in getattr(message.get(name), "addresses", ()):
            found.append(str(address))
    return tuple(found)


def _corrupt(detail: str) -> InputRejected:
    return InputRejected(
        f"The e-mail cannot be read ({detail[:200]}). Save the mail again from the mail "
        "program (as .eml) and deliver it again.",
        f"Die E-Mail kann nicht gelesen werden ({detail[:200]}). Bitte die Nachricht im "
        "E-Mail-Programm erneut (als .eml) speichern und erneut einlegen.",
        "corrupt",
    )


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "template", "title"})
    _BLOCK = re.compile(
        r"p|div|br|li|tr|table|ul|ol|blockquote|hr|h[1-6]|pre|section|article|header|footer|dd|dt"
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif self._BLOCK.fullmatch(tag):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._BLOCK.fullmatch(tag):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif self._BLOCK.fullmatch(tag):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
