"""Hotline IVR: key the code on the phone, hear the status (Asterisk AsyncAGI, Twilio Voice)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the voice webhooks and the `ivr-asterisk` command."""
