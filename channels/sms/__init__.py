"""SMS channel: text the code, get the status (Kannel and Twilio in; Kannel, Twilio, console out)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the SMS webhooks. Filled in by the SMS channel's own modules."""
