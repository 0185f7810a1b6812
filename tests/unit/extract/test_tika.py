"""Tika: metadata in our terms, refusals as domain errors; in-process on real files
(integration), and a remote server (a small fake speaking Tika server's HTTP)."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from eakte.exceptions import ExtractionError, InputRejected
from eakte.extract import TikaResult, extract_text, tika_version
from eakte.extract import _tika_remote as remote
from eakte.extract._tikaresult import build_result, normalise_metadata


def test_metadata_normalised() -> None:
    raw = {
        "dc:title": ["  Bauantrag   Carport "],
        "dc:creator": "Erika Mustermann",
        "meta:author": ["someone else"],
        "dcterms:created": ["2024-12-03T09:15:00Z"],
        "Last-Modified": ["2024-12-04T10:00:00"],
        "dc:language": ["de-DE"],
        "X-TIKA:Parsed-By": ["org.apache.tika.parser.DefaultParser"],
    }
    assert normalise_metadata(raw) == {
        "title": "Bauantrag Carport",
        "author": "Erika Mustermann",
        "created": "2024-12-03T09:15:00+00:00",
        "modified": "2024-12-04T10:00:00",
        "language": "de",
    }


def test_unparseable_dates_and_blank_values_left_out() -> None:
    assert normalise_metadata({"dcterms:created": ["gestern"], "dc:title": ["  "]}) == {}


def test_result_media_type_and_pages(tmp_path: Path) -> None:
    raw = {"Content-Type": ["text/plain; charset=UTF-8"], "xmpTPg:NPages": ["3"]}
    result = build_result(tmp_path / "a.txt", "\n  Hallo Welt \n\n", raw)
    assert result == TikaResult("Hallo Welt", "text/plain", {}, 3)


def test_encrypted_warning_is_a_refusal(tmp_path: Path) -> None:
    raw = {"X-TIKA:warning": ["EncryptedDocumentException: document is encrypted"]}
    with pytest.raises(InputRejected) as caught:
        build_result(tmp_path / "geheim.pdf", "", raw)
    assert caught.value.code == "encrypted"
    assert "geheim.pdf" in caught.value.message and "password" in caught.value.message
    assert "Kennwort" in caught.value.message_de


# --- a remote Tika server -------------------------------------------------------------


class FakeTika(BaseHTTPRequestHandler):
    """Answers like Tika server: /tika text, /meta JSON, /version; 422 for "corrupt" files."""

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if body.startswith(b"corrupt"):
            self._answer(422, b"TikaException: Unexpected RuntimeException")
        elif self.path == "/tika":
            self._answer(200, b"Text of " + body)
        elif self.path == "/meta":
            meta = {"Content-Type": "text/plain; charset=UTF-8", "dc:title": "Titel"}
            self._answer(200, json.dumps(meta).encode())
        else:
            self._answer(404, b"not found")

    def do_GET(self) -> None:
        self._answer(200, b"Apache Tika 2.9.2\n")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (base signature)
        pass


@pytest.fixture
def tika_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(remote, "_tika_client", lambda: None)  # plain HTTP even if installed
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTika)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_remote_text_and_metadata(tmp_path: Path, tika_url: str) -> None:
    path = tmp_path / "Brief für Ämter.txt"
    path.write_bytes(b"Hallo")
    result = extract_text(path, tika_url=tika_url)
    assert result == TikaResult("Text of Hallo", "text/plain", {"title": "Titel"}, None)


def test_remote_refusal_is_bad_input(tmp_path: Path, tika_url: str) -> None:
    path = tmp_path / "kaputt.docx"
    path.write_bytes(b"corrupt bytes")
    with pytest.raises(InputRejected) as caught:
        extract_text(path, tika_url=tika_url)
    assert caught.value.code == "corrupt"


def test_remote_version(tika_url: str) -> None:
    assert tika_version(tika_url=tika_url) == "Apache Tika 2.9.2"


def test_remote_server_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "_tika_client", lambda: None)
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTika)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    server.server_close()  # nothing listens there now
    path = tmp_path / "a.txt"
    path.write_bytes(b"Hallo")
    with pytest.raises(ExtractionError, match="did not do its work.*EAKTE_TIKA_URL"):
        extract_text(path, tika_url=url)


class FakeClient:
    """Stands in for the ``tika`` PyPI client's parser module."""

    def __init__(self, answer: dict[str, Any] | Exception) -> None:
        self.answer = answer
        self.options: dict[str, Any] = {}

    def from_file(
        self,
        filename: str,
        serverEndpoint: str,  # noqa: N803
        requestOptions: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        self.options = requestOptions
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"status": 200, "content": " Hallo ", "metadata": {"dc:title": "T"}}, "ok"),
        ({"status": 422, "content": None, "metadata": {}}, InputRejected),
        ({"status": 500, "content": None, "metadata": {}}, ExtractionError),
        (ConnectionError("refused"), ExtractionError),
    ],
)
def test_remote_through_the_tika_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: Any, expected: Any
) -> None:
    client = FakeClient(answer)
    monkeypatch.setattr(remote, "_tika_client", lambda: client)
    path = tmp_path / "a.txt"
    path.write_bytes(b"Hallo")
    if expected == "ok":
        assert extract_text(path, tika_url="http://tika:9998", timeout=12) == TikaResult(
            "Hallo", None, {"title": "T"}, None
        )
        assert client.options == {"timeout": 12}
    else:
        with pytest.raises(expected):
            extract_text(path, tika_url="http://tika:9998")


# --- in-process iscc-tika on real files -------------------------------------------------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-\
officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-\
package.core-properties+xml"/>
<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-\
officedocument.extended-properties+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/\
relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/\
metadata/core-properties" Target="docProps/core.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/\
relationships/extended-properties" Target="docProps/app.xml"/>
</Relationships>"""
DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Antrag auf Baugenehmigung</w:t></w:r></w:p>
<w:p><w:r><w:t>Az.: 60.2-123/24, Grüße aus Düsseldorf</w:t></w:r></w:p>
</w:body></w:document>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/\
core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/\
dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Bauantrag</dc:title><dc:creator>Erika Mustermann</dc:creator>
<dc:language>de-DE</dc:language>
<dcterms:created xsi:type="dcterms:W3CDTF">2024-12-03T09:15:00Z</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">2024-12-04T10:00:00Z</dcterms:modified>
</cp:coreProperties>"""
APP = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">\
<Pages>2</Pages></Properties>"""


def make_docx(path: Path) -> Path:
    """A minimal Word document: one body part, core and app properties."""
    with zipfile.ZipFile(path, "w") as docx:
        docx.writestr("[Content_Types].xml", CONTENT_TYPES)
        docx.writestr("_rels/.rels", RELS)
        docx.writestr("word/document.xml", DOCUMENT)
        docx.writestr("docProps/core.xml", CORE)
        docx.writestr("docProps/app.xml", APP)
    return path


@pytest.mark.integration
def test_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_text("Grüße aus München – Az.: 32.10.05-0815/2024\n", encoding="utf-8")
    result = extract_text(path)
    assert result.text == "Grüße aus München – Az.: 32.10.05-0815/2024"
    assert result.media_type == "text/plain"


@pytest.mark.integration
def test_html(tmp_path: Path) -> None:
    path = tmp_path / "seite.html"
    path.write_text(
        '<html lang="de"><head><meta charset="utf-8"><title>Bürgerinfo</title>'
        '<meta name="author" content="Stadt Musterstadt"></head>'
        "<body><h1>Öffnungszeiten</h1><p>Montag bis Freitag</p></body></html>",
        encoding="utf-8",
    )
    result = extract_text(path)
    assert "Öffnungszeiten" in result.text and "Montag bis Freitag" in result.text
    assert result.media_type == "text/html"
    assert result.metadata["title"] == "Bürgerinfo"
    assert result.metadata["author"] == "Stadt Musterstadt"


@pytest.mark.integration
def test_docx_with_properties(tmp_path: Path) -> None:
    result = extract_text(make_docx(tmp_path / "antrag.docx"))
    assert result.text == "Antrag auf Baugenehmigung\nAz.: 60.2-123/24, Grüße aus Düsseldorf"
    assert result.media_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert result.metadata == {
        "title": "Bauantrag",
        "author": "Erika Mustermann",
        "created": "2024-12-03T09:15:00+00:00",
        "modified": "2024-12-04T10:00:00+00:00",
        "language": "de",
    }
    assert result.page_count == 2


@pytest.mark.integration
def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.docx"
    path.write_bytes(make_docx(tmp_path / "gut.docx").read_bytes()[:300])
    with pytest.raises(InputRejected) as caught:
        extract_text(path)
    assert caught.value.code == "corrupt"
    assert "kaputt.docx" in caught.value.message and "export it again" in caught.value.message
    assert "beschädigt" in caught.value.message_de


@pytest.mark.integration
def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leer.pdf"
    path.write_bytes(b"")
    with pytest.raises(InputRejected) as caught:
        extract_text(path)
    assert caught.value.code == "empty"


@pytest.mark.integration
def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    import pikepdf

    path = tmp_path / "geheim.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(path, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(InputRejected) as caught:
        extract_text(path)
    assert caught.value.code == "encrypted"


@pytest.mark.integration
def test_missing_file_is_not_the_files_fault(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="not the file's fault"):
        extract_text(tmp_path / "gibt-es-nicht.txt")


@pytest.mark.integration
def test_tikas_own_ocr_stays_off() -> None:
    from eakte.extract._tika import _configured

    settings = repr(_configured())
    assert "skip_ocr: true" in settings and "ocr_strategy: NO_OCR" in settings
    assert "include_headers_and_footers: true" in settings


@pytest.mark.integration
def test_version() -> None:
    assert tika_version().startswith("iscc-tika 0.")
