"""schema_errors names what is wrong in an edited message (and nothing in a valid one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from eakte.export._schema import schema_errors
from tests.unit.export.test_xdomea_roundtrip import write_sample

NS = {"x": "urn:xoev-de:xdomea:schema:3.0.0"}
X = "{urn:xoev-de:xdomea:schema:3.0.0}"
Edit = Callable[[etree._Element], None]


def _first(root: etree._Element, xpath: str) -> etree._Element:
    return root.xpath(xpath, namespaces=NS)[0]


def _remove_prozess_id(root: etree._Element) -> None:
    kopf = _first(root, "x:Kopf")
    kopf.remove(_first(kopf, "x:ProzessID"))


def _add_unknown_element(root: etree._Element) -> None:
    document = _first(root, "//x:Dokument")
    etree.SubElement(document, f"{X}Geheimfach").text = "?"


def _bad_date(root: etree._Element) -> None:
    _first(root, "//x:DatumDesSchreibens").text = "29.02.2024"


def _bad_uuid(root: etree._Element) -> None:
    _first(root, "//x:Akte/x:Identifikation/x:ID").text = "Akte-1"


def _unknown_aussonderungsart(root: etree._Element) -> None:
    _first(root, "//x:Aussonderungsart/x:Aussonderungsart/code").text = "Z"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_remove_prozess_id, "ProzessID"),
        (_add_unknown_element, "Geheimfach"),
        (_bad_date, "29.02.2024"),
        (_bad_uuid, "Akte-1"),
        (_unknown_aussonderungsart, "'Z'"),
    ],
    ids=["element removed", "unknown element", "bad date", "bad UUID", "bad code"],
)
def test_an_edited_message_fails_with_a_message_that_names_the_problem(
    tmp_path: Path, edit: Edit, expected: str
) -> None:
    path = tmp_path / "message.xml"
    write_sample(path)
    assert schema_errors(path) == []
    tree = etree.parse(str(path))
    edit(tree.getroot())
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)

    errors = schema_errors(path)

    assert errors, "the edited message should not validate"
    assert expected in errors[0]
    assert errors[0].startswith("line ")
    assert "/xdomea:Aussonderung.Aussonderung.0503/" in errors[0]


def test_errors_are_limited(tmp_path: Path) -> None:
    path = tmp_path / "message.xml"
    write_sample(path)
    tree = etree.parse(str(path))
    times = list(tree.getroot().iterfind(f".//{X}DatumUhrzeit"))
    assert len(times) > 20
    for time in times:
        time.text = "gestern"
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    assert len(schema_errors(path)) == 20
    assert len(schema_errors(path, limit=3)) == 3


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    (error,) = schema_errors(tmp_path / "missing.xml")
    assert "missing.xml" in error


def _drop_all(name: str) -> Edit:
    def edit(root: etree._Element) -> None:
        for elem in root.findall(f"{X}{name}"):
            root.remove(elem)

    return edit


def _kopf_last(root: etree._Element) -> None:
    root.append(_first(root, "x:Kopf"))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_drop_all("Schriftgutobjekt"), "xdomea:Schriftgutobjekt is missing"),
        (_drop_all("Kopf"), "xdomea:Kopf is missing"),
        (_kopf_last, "xdomea:Kopf[1]: out of order"),
    ],
    ids=["no Schriftgutobjekt", "no Kopf", "Kopf last"],
)
def test_the_parts_of_the_message_are_checked(tmp_path: Path, edit: Edit, expected: str) -> None:
    path = tmp_path / "message.xml"
    write_sample(path)
    tree = etree.parse(str(path))
    edit(tree.getroot())
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    assert any(expected in error for error in schema_errors(path)), schema_errors(path)


def test_another_message_type_is_named(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text('<xdomea:Aussonderung.Anbieteverzeichnis.0501 xmlns:xdomea="urn:x"/>')
    (error,) = schema_errors(path)
    assert "root element is {urn:x}Aussonderung.Anbieteverzeichnis.0501" in error
