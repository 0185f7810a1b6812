"""Where everything lies inside an auditor package (the one place that knows paths).

A package is a ZIP holding one BagIt bag ``eakte-export-<P>/`` (``P`` is the
xdomea ProzessID). The xdomea message and the primary files lie flat in
``data/`` as xdomea wants them; eakte's proof material lies in ``data/eakte/``.
The writer, the verifier, the report and the importer all take paths from here.
"""

from __future__ import annotations

import re
import uuid
from pathlib import PurePosixPath

EAKTE_NAMESPACE = uuid.UUID("6f1d0a52-3c1e-5b7e-9a43-7e2d6b1c0e11")
PACKAGE_FORMAT = "eakte-package/1"
MESSAGE_TYPE = "Aussonderung.Aussonderung.0503"

BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
DATA = "data"

REPORT = "data/bericht.html"
PACKAGE_JSON = "data/eakte/package.json"

_EXT = re.compile(r"[a-z0-9]{1,8}")
_MEDIA_EXT = {
    "application/pdf": "pdf",
    "image/tiff": "tif",
    "image/png": "png",
    "image/jpeg": "jpg",
    "text/plain": "txt",
    "text/html": "html",
    "message/rfc822": "eml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def bag_name(prozess_id: str) -> str:
    return f"eakte-export-{prozess_id}"


def message_name(prozess_id: str) -> str:
    """The xdomea message's file name: ``<ProzessID>_<Nachrichtentyp>.xml``."""
    return f"{prozess_id}_{MESSAGE_TYPE}.xml"


def message_path(prozess_id: str) -> str:
    return f"{DATA}/{message_name(prozess_id)}"


def file_uuid(document_id: str, version: int, role: str) -> str:
    """The stable UUID of a version's primary file (``role``: original or pdfa).

    The same document version gets the same file name in every export, also
    after an import into another installation.
    """
    return str(uuid.uuid5(EAKTE_NAMESPACE, f"{document_id}/{version}/{role}"))


def extension(filename: str, media_type: str) -> str:
    """A safe lower-case extension: the original name's suffix, else from the media type."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    if _EXT.fullmatch(suffix):
        return suffix
    return _MEDIA_EXT.get(media_type.split(";")[0].strip().lower(), "bin")


def primary_name(document_id: str, version: int, role: str, filename: str, media_type: str) -> str:
    """File name of a primary file inside ``data/`` (xdomea: ``<UUID>.<ext>``)."""
    ext = "pdf" if role == "pdfa" else extension(filename, media_type)
    return f"{file_uuid(document_id, version, role)}.{ext}"


def version_dir(document_id: str, version: int) -> str:
    return f"{DATA}/eakte/versions/{document_id}/{version}"


def manifest_path(document_id: str, version: int) -> str:
    return f"{version_dir(document_id, version)}/manifest.json"


def manifest_sig_path(document_id: str, version: int) -> str:
    return f"{version_dir(document_id, version)}/manifest.sig"


def signature_record_path(document_id: str, version: int) -> str:
    return f"{version_dir(document_id, version)}/signature.json"


def text_path(document_id: str, version: int) -> str:
    return f"{version_dir(document_id, version)}/text.txt"


def key_path(key_id: str) -> str:
    return f"{DATA}/eakte/keys/{key_id}.pem"


def event_path(seq: int) -> str:
    """An included event: its content (format 2), or all fields with ``prev_hash`` (format 1)."""
    return f"{DATA}/eakte/audit/events/{seq:010d}.json"


def chain_path(first: int, last: int) -> str:
    """Lines ``<seq> <format> <prev_hash> <digest> <hash>`` (digest ``-`` for format 1)."""
    return f"{DATA}/eakte/audit/chain-{first:010d}-{last:010d}.txt"


def checkpoint_path(seq: int) -> str:
    return f"{DATA}/eakte/audit/checkpoints/{seq:010d}.json"


def checkpoint_sig_path(seq: int) -> str:
    return f"{DATA}/eakte/audit/checkpoints/{seq:010d}.sig"


def checkpoint_envelope_path(seq: int) -> str:
    return f"{DATA}/eakte/audit/checkpoints/{seq:010d}.envelope.json"


def relative_to_data(path: str) -> str:
    """``data/x/y`` -> ``x/y`` (package.json names files relative to ``data/``)."""
    if not path.startswith(f"{DATA}/"):
        raise ValueError(f"{path!r} is not inside {DATA}/")
    return path[len(DATA) + 1 :]
