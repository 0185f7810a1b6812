"""Command groups of the ``eakte`` CLI (registered by :mod:`eakte.cli`)."""
