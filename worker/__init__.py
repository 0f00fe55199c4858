"""Proactive alerts: RQ jobs that text citizens when something about their dossier changes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach the alert outbox to the core's changes and register the `alerts` command."""
