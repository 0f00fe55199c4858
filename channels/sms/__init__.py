"""SMS channel: text the code, get the status (Kannel and Twilio in; Kannel, Twilio, console out)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the SMS webhooks: /sms/twilio, /sms/twilio/status, /sms/kannel, /sms/kannel/dlr."""
    from channels.sms import kannel, twilio

    app.register_blueprint(twilio.bp)
    app.register_blueprint(kannel.bp)
