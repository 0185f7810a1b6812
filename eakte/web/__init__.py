"""Web UI (Flask): app factory. Views parse, call one service, render."""

from eakte.web._app import create_app

__all__ = ["create_app"]
