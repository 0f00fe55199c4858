"""Web channel: the JSON lookup API, the back-office ingest API, and the citizen pages."""

from __future__ import annotations

from flask import Flask

from channels.web import api, ratelimit


def init_app(app: Flask) -> None:
    ratelimit.init_app(app)
    app.register_blueprint(api.blueprint)
