"""Auditor packages: BagIt + xdomea 3.0.0 export, offline verification, xdomea import."""

from eakte.export._package import ExportResult, export_package
from eakte.export._select import Selection

__all__ = ["ExportResult", "Selection", "export_package"]
