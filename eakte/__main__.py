"""``python -m eakte`` is the ``eakte`` command."""

from eakte.cli import main

main()
