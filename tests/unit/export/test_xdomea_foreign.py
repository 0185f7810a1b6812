"""Reading xdomea 0503 messages eakte did not write, and refusing files that are none."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from eakte.exceptions import EakteError
from eakte.export._model import CaseFileRecord, CaseRecord, DocumentRecord
from eakte.export._schema import schema_errors
from eakte.export._xdomea_read import XdomeaError, read_message

# The schema-valid example message of lavnrw/xdomea-examples (MIT), see its README there
EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "xdomea"
EXAMPLE = EXAMPLES / "9fde4e7a-b41b-11ec-9225-005056871b7c_Aussonderung.Aussonderung.0503.xml"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<xdomea:Aussonderung.Aussonderung.0503 xmlns:xdomea="urn:xoev-de:xdomea:schema:3.0.0">
  <xdomea:Kopf>
    <xdomea:ProzessID>0b9a3f3e-5d59-4f0c-9b69-7d6f1c1f7a01</xdomea:ProzessID>
    <xdomea:Nachrichtentyp listURI="urn:xoev-de:xdomea:codeliste:nachrichtentyp"
        listVersionID="2.0"><code>0503</code></xdomea:Nachrichtentyp>
    <xdomea:Erstellungszeitpunkt>2023-06-01T10:00:00+02:00</xdomea:Erstellungszeitpunkt>
    <xdomea:Absender><xdomea:Behoerdenkennung/></xdomea:Absender>
    <xdomea:Empfaenger><xdomea:Institution><xdomea:Name>Archiv</xdomea:Name>
    </xdomea:Institution></xdomea:Empfaenger>
    <xdomea:Importbestaetigung>1</xdomea:Importbestaetigung>
    <xdomea:RueckmeldungArchivkennung>0</xdomea:RueckmeldungArchivkennung>
    <xdomea:Empfangsbestaetigung>0</xdomea:Empfangsbestaetigung>
  </xdomea:Kopf>
"""
TAIL = "</xdomea:Aussonderung.Aussonderung.0503>\n"


def _doc(uuid: str, title: str, inner: str = "") -> str:
    return f"""<xdomea:Identifikation><xdomea:ID>{uuid}</xdomea:ID></xdomea:Identifikation>
      <xdomea:AllgemeineMetadaten><xdomea:Betreff>{title}</xdomea:Betreff></xdomea:AllgemeineMetadaten>
      {inner}"""


ANLAGE = """<xdomea:Anlage>
              <xdomea:Identifikation><xdomea:ID>00000000-0000-4000-8000-000000000004</xdomea:ID>
              </xdomea:Identifikation>
              <xdomea:AllgemeineMetadaten><xdomea:Betreff>Anlage 1</xdomea:Betreff>
              </xdomea:AllgemeineMetadaten>
            </xdomea:Anlage>"""
TEILVORGANG = """<xdomea:Teilvorgang>
              <xdomea:Identifikation><xdomea:ID>00000000-0000-4000-8000-000000000006</xdomea:ID>
              </xdomea:Identifikation>
              <xdomea:Dokument>
                <xdomea:Identifikation><xdomea:ID>00000000-0000-4000-8000-000000000007</xdomea:ID>
                </xdomea:Identifikation>
                <xdomea:AllgemeineMetadaten><xdomea:Betreff>Prüfbericht</xdomea:Betreff>
                  <xdomea:Vertraulichkeitsstufe
                      listURI="urn:xoev-de:xdomea:codeliste:vertraulichkeitsstufe"
                      listVersionID="1.0"><code>005</code></xdomea:Vertraulichkeitsstufe>
                </xdomea:AllgemeineMetadaten>
              </xdomea:Dokument>
            </xdomea:Teilvorgang>"""
NESTED = f"""{HEAD}
  <xdomea:Schriftgutobjekt><xdomea:Akte>
    <xdomea:Identifikation><xdomea:ID>00000000-0000-4000-8000-000000000001</xdomea:ID>
    </xdomea:Identifikation>
    <xdomea:AllgemeineMetadaten>
      <xdomea:Betreff>Bauakte</xdomea:Betreff>
      <xdomea:Federfuehrung>Bauamt</xdomea:Federfuehrung>
    </xdomea:AllgemeineMetadaten>
    <xdomea:ArchivspezifischeMetadaten>
      <xdomea:Aufbewahrungsdauer><xdomea:AnzahlJahre>30</xdomea:AnzahlJahre>
      </xdomea:Aufbewahrungsdauer>
      <xdomea:Aussonderungsart><xdomea:AussonderungsartKonfigurierbar>X</xdomea:AussonderungsartKonfigurierbar>
      </xdomea:Aussonderungsart>
    </xdomea:ArchivspezifischeMetadaten>
    <xdomea:Laufzeit><xdomea:Beginn>2001-01-02</xdomea:Beginn></xdomea:Laufzeit>
    <xdomea:Akteninhalt>
      <xdomea:Teilakte>
        {_doc("00000000-0000-4000-8000-000000000002", "Teilakte Statik")}
        <xdomea:HistorienProtokollInformation>
          <xdomea:MetadatumName>Betreff</xdomea:MetadatumName>
          <xdomea:Akteur>Meier</xdomea:Akteur>
          <xdomea:DatumUhrzeit>2001-02-03T04:05:06</xdomea:DatumUhrzeit>
          <xdomea:Aktion>Betreff geändert</xdomea:Aktion>
        </xdomea:HistorienProtokollInformation>
        <xdomea:Akteninhalt>
          <xdomea:Dokument>
            {_doc("00000000-0000-4000-8000-000000000003", "Statikberechnung", ANLAGE)}
          </xdomea:Dokument>
          <xdomea:Vorgang>
            {_doc("00000000-0000-4000-8000-000000000005", "Prüfung", TEILVORGANG)}
          </xdomea:Vorgang>
        </xdomea:Akteninhalt>
      </xdomea:Teilakte>
    </xdomea:Akteninhalt>
  </xdomea:Akte></xdomea:Schriftgutobjekt>
{TAIL}"""


def test_the_shared_example_is_valid_and_reads_into_a_case_record() -> None:
    assert schema_errors(EXAMPLE) == []
    header, records = read_message(EXAMPLE)
    assert header.prozess_id == "9fde4e7a-b41b-11ec-9225-005056871b7c"
    assert header.created_at == datetime(2022, 4, 4, 15, 34, 58, tzinfo=UTC)
    assert header.sender_institution == "[Abgebende Stelle]"
    assert header.sender_orgunit == "[Abgebende Organisationseinheit]"
    assert header.recipient_institution == "Landesarchiv NRW"
    (case,) = list(records)
    assert isinstance(case, CaseRecord)
    assert case.id == "67e456ea-b420-11ec-b503-005056871b7c"
    assert (case.reference, case.title) == ("[Vorgangskennzeichen]", "[Vorgangsbetreff]")
    assert case.created_at == datetime(2010, 4, 4, tzinfo=UTC)
    assert case.closed_at == datetime(2012, 4, 4, tzinfo=UTC)
    assert [h.description for h in case.history] == ["[Beschreibung der Änderung]"]
    (document,) = case.documents
    assert document.id == "7bf9473a-b4a7-11ec-a407-005056871b7c"
    assert document.title == "[Dokumentbetreff]"
    assert document.document_date == date(2011, 2, 12)
    assert document.created_by == "[Bearbeiter*in]"
    assert document.orgunit_name == "[federführende Organisationseinheit]"  # from the Vorgang
    assert document.confidential is False
    (version,) = document.versions
    assert version.number == 1
    assert version.created_at == datetime(2011, 2, 12, 11, 22, 35, tzinfo=UTC)
    (file,) = version.files
    assert (file.role, file.name) == ("original", "f4bcaaf7-d7cb-11ef-a278-005056871b7c.txt")
    assert file.media_type == "text/plain"
    assert (file.sha256, file.size) == ("", 0)  # unknown until the file itself is read


def test_teilakten_teilvorgaenge_and_anlagen_are_flattened(tmp_path: Path) -> None:
    path = tmp_path / "nested.xml"
    path.write_text(NESTED, encoding="utf-8")
    assert schema_errors(path) == []
    header, records = read_message(path)
    assert header.created_at == datetime(2023, 6, 1, 8, 0, tzinfo=UTC)
    assert header.sender_institution == "" and header.sender_orgunit is None
    (akte,) = list(records)
    assert isinstance(akte, CaseFileRecord)
    assert (akte.title, akte.orgunit_code, akte.retention_years) == ("Bauakte", "Bauamt", 30)
    assert akte.disposition == "X"
    assert akte.created_at == datetime(2001, 1, 2, tzinfo=UTC)
    assert akte.closed_at is None
    (entry,) = akte.history  # the Teilakte's history joins the Akte's
    assert entry.action == entry.description == "Betreff geändert"
    assert entry.at == datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert entry.details == {"MetadatumName": "Betreff"}
    assert [d.title for d in akte.documents] == ["Statikberechnung", "Anlage 1"]
    assert all(isinstance(d, DocumentRecord) for d in akte.documents)
    assert akte.documents[0].orgunit_name == "Bauamt"  # inherited from the Akte
    (case,) = akte.cases
    assert case.title == "Prüfung"
    (report,) = case.documents  # from the Teilvorgang
    assert (report.title, report.confidential) == ("Prüfbericht", True)


def test_a_message_of_another_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "0501.xml"
    path.write_text(
        NESTED.replace("Aussonderung.Aussonderung.0503", "Aussonderung.Anbieteverzeichnis.0501"),
        encoding="utf-8",
    )
    with pytest.raises(XdomeaError, match=r"Anbieteverzeichnis\.0501 message, not"):
        read_message(path)


def test_another_xdomea_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "310.xml"
    path.write_text(NESTED.replace("schema:3.0.0", "schema:3.1.0"), encoding="utf-8")
    with pytest.raises(XdomeaError, match=r"not an xdomea 3\.0\.0 message") as caught:
        read_message(path)
    assert isinstance(caught.value, EakteError) and caught.value.exit_code != 0


BROKEN_0503 = HEAD.splitlines()[1] + "<a></b>"  # the 0503 root, then broken XML


@pytest.mark.parametrize("content", ["", "this is no XML", BROKEN_0503])
def test_a_file_that_is_not_xml_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(XdomeaError, match="not well-formed XML"):
        read_message(path)
    assert schema_errors(path)[0].startswith("not readable as XML")


def test_damage_after_the_kopf_is_reported_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_text(NESTED[: NESTED.index("<xdomea:Teilakte>")], encoding="utf-8")
    header, records = read_message(path)
    assert header.prozess_id == "0b9a3f3e-5d59-4f0c-9b69-7d6f1c1f7a01"
    with pytest.raises(XdomeaError, match=r"cut\.xml is not well-formed XML \(line \d+"):
        list(records)


def test_a_bad_date_names_element_and_line(tmp_path: Path) -> None:
    path = tmp_path / "date.xml"
    path.write_text(NESTED.replace("2001-01-02", "02.01.2001"), encoding="utf-8")
    _, records = read_message(path)
    with pytest.raises(XdomeaError, match=r"date\.xml, line \d+: Beginn '02\.01\.2001' is not a"):
        list(records)
    assert any("Beginn" in error for error in schema_errors(path))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(XdomeaError, match=r"missing\.xml cannot be read"):
        read_message(tmp_path / "missing.xml")
