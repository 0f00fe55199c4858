"""Web channel: the JSON lookup API, the back-office ingest API, and the citizen pages."""

from __future__ import annotations

from flask import Flask

from channels.web import (
    api,
    health,
    national,  # noqa: F401  (declares the national format's routes on api's blueprint)
    pages,
    ratelimit,
    receipt,
    site,
    statistics,
)


def init_app(app: Flask) -> None:
    ratelimit.init_app(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(api.blueprint)
    # Routing errors (unknown path, wrong method) happen before any blueprint is chosen,
    # so the API's JSON answers for them are registered on the app. Page handlers for the
    # same codes must hand /api/ paths to api.routing_error too.
    for code in (404, 405):
        app.register_error_handler(code, api.routing_error)
    # The citizen pages replace those handlers with pages that pass /api/ paths on to them.
    site.init_app(app)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(statistics.blueprint)
    app.register_blueprint(receipt.blueprint)
