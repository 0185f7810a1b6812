"""The xdomea 3.0.0 code list values eakte writes and reads.

Sources:

- Nachrichtentyp 2.0, Medium 1.0, Vertraulichkeitsstufe 1.0 and
  Aussonderungsart 1.0 are enumerated in the bundled schema itself
  (``xsd/xdomea-3.0.0/xdomea-Datentypen.xsd``: ``NachrichtentypCodeType``,
  ``MediumCodeType``, ``VertraulichkeitsstufeCodeType``,
  ``AussonderungsartCodeType``; ``listURI`` and ``listVersionID`` are fixed
  there too).
- Dateiformat 2.0 is an external code list (the schema only fixes its
  ``listURI`` and requires a ``listVersionID``). The values below are from its
  genericode file ``Dateiformat_2.0.xml`` (urn:xoev-de:xdomea:codeliste:dateiformat_2.0,
  valid from 2021-10-01) as kept in the public repository
  Landesarchiv-Thueringen/xdomea_toolkit
  (``message_generation/schemes/xdomea_4.0.0/code_lists/``); the list is
  keyed by file extension. The example message of lavnrw/xdomea-examples
  (``../shared/xdomea/examples-3.0.0``) uses ``045`` for a ``.txt`` file, as
  does the list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeList:
    """A code list as xdomea names it in the ``listURI``/``listVersionID`` attributes."""

    uri: str
    version: str
    names: dict[str, str]  # code -> description (written as <name> where allowed)


NACHRICHTENTYP = CodeList(
    "urn:xoev-de:xdomea:codeliste:nachrichtentyp",
    "2.0",
    {"0503": "Aussonderung.Aussonderung"},
)
AUSSONDERUNG_0503 = "0503"

MEDIUM = CodeList(
    "urn:xoev-de:xdomea:codeliste:medium",
    "1.0",
    {
        "001": "Elektronisch: Das Schriftgutobjekt liegt ausschließlich in elektronischer "
        "Form vor.",
        "002": "Hybrid: Das Schriftgutobjekt liegt teilweise in elektronischer Form und "
        "teilweise als Papier vor.",
        "003": "Papier: Das Schriftgutobjekt liegt ausschließlich als Papier vor.",
    },
)
MEDIUM_ELECTRONIC = "001"

VERTRAULICHKEITSSTUFE = CodeList(
    "urn:xoev-de:xdomea:codeliste:vertraulichkeitsstufe",
    "1.0",
    {
        "001": "Geheim: Das Schriftgutobjekt ist als geheim eingestuft.",
        "002": 'NfD: Das Schriftgutobjekt ist als "nur für den Dienstgebrauch (nfD)" eingestuft.',
        "003": "Offen: Das Schriftgutobjekt ist nicht eingestuft.",
        "004": "Streng geheim: Das Schriftgutobjekt ist als streng geheim eingestuft.",
        "005": "Vertraulich: Das Schriftgutobjekt ist als vertraulich eingestuft.",
    },
)
# eakte knows only "confidential" or not: the lowest classification (VS-NfD)
# stands for confidential, "Offen" for everything else. On import every code
# except "Offen" counts as confidential.
CONFIDENTIAL = "002"
OPEN = "003"

AUSSONDERUNGSART = CodeList(
    "urn:xoev-de:xdomea:codeliste:aussonderungsart",
    "1.0",
    {
        "A": "Das Schriftgutobjekt ist archivwürdig.",
        "B": "Das Schriftgutobjekt ist zum Bewerten markiert.",
        "V": "Das Schriftgutobjekt ist zum Vernichten markiert.",
    },
)

DATEIFORMAT_URI = "urn:xoev-de:xdomea:codeliste:dateiformat"
DATEIFORMAT_VERSION = "2.0"
PDFA = "044"  # Portable Document Format (Archival)
OTHER_FORMAT = "100"  # Sonstiges: the format's name goes into SonstigerName
# Dateiformat 2.0 by file extension (codes 001-051; 046-051 are signature containers).
_DATEIFORMAT_BY_EXTENSION = {
    "bmp": "001",
    "csv": "002",
    "doc": "003",
    "eml": "006",
    "htm": "007",
    "html": "008",
    "jpe": "009",
    "jpeg": "010",
    "jpg": "011",
    "msg": "012",
    "odp": "013",
    "ods": "014",
    "odt": "015",
    "otp": "016",
    "ots": "017",
    "pdf": "018",
    "png": "019",
    "ppt": "020",
    "ps": "021",
    "rtf": "022",
    "tif": "023",
    "tiff": "024",
    "wps": "025",
    "xlc": "026",
    "xlm": "027",
    "xls": "028",
    "xlw": "029",
    "xml": "030",
    "xsd": "031",
    "dot": "032",
    "pot": "033",
    "xlt": "034",
    "docx": "035",
    "xlsx": "036",
    "pptx": "037",
    "dotx": "038",
    "xltx": "039",
    "potx": "040",
    "dtd": "041",
    "mpp": "042",
    "ott": "043",
    "txt": "045",
    "p7b": "046",
    "p7c": "047",
    "p7m": "048",
    "p7s": "049",
    "asics": "050",
    "scs": "051",
}


def dateiformat(extension: str, pdfa: bool = False) -> str:
    """The Dateiformat 2.0 code of a file with this extension (``100`` when not in the list)."""
    if pdfa:
        return PDFA
    return _DATEIFORMAT_BY_EXTENSION.get(extension.lower(), OTHER_FORMAT)
