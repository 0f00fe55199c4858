"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import cli
import worker
from channels import ivr, sms, web, zalo
from config import Config
from lookup.clock import Clock, utcnow
from lookup.privacy import scrub_handlers
from lookup.service import Service
from lookup.store import Store
from lookup.subscribers import Subscribers


def create_app(test_config: Config | Mapping[str, Any] | None = None, *, clock: Clock = utcnow) -> Flask:
    """Build the app. `test_config` is a Config, or a mapping laid over the environment's."""
    app = Flask(__name__)
    config = test_config if isinstance(test_config, Config) else Config()
    app.config.from_object(config)
    if isinstance(test_config, Mapping):
        app.config.update(test_config)
    _configure_logging(app)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"],
                                x_host=app.config["TRUSTED_PROXIES"])

    store = Store(app.config["DATABASE_URL"], write_timeout=app.config["DB_WRITE_TIMEOUT_SECONDS"])
    service = Service(store, clock=clock, pin_length=app.config["PIN_LENGTH"],
                      pin_failures_per_dossier=app.config["PIN_FAILURES_PER_DOSSIER"],
                      expected_min_samples=app.config["EXPECTED_MIN_SAMPLES"])
    app.extensions["tracuu.store"] = store
    app.extensions["tracuu.service"] = service
    app.extensions["tracuu.subscribers"] = Subscribers(store, clock=clock)

    web.init_app(app)
    sms.init_app(app)
    ivr.init_app(app)
    zalo.init_app(app)
    worker.init_app(app)
    cli.init_app(app)
    return app


def _configure_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Whatever a library or a provider's error message puts in a line: no full phone or code.
    scrub_handlers(logging.getLogger())
    # The Twilio SDK logs every request and response at INFO: recipients' numbers and the texts
    # themselves, a dozen lines a message. Our sender logs what an operator needs.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
