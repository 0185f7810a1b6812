"""Auditor packages: BagIt + xdomea 3.0.0 export, offline verification, xdomea import."""
