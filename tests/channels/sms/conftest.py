"""Fixtures for the SMS channel: the app with the demo data, served on a real port when a
provider has to call it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app
from tests.support.servers import free_port


@contextmanager
def serving(app) -> Iterator[str]:
    """The app on a real HTTP server in a thread; its base URL."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sms_app(tmp_path):
    """An app with the demo dossiers loaded; limits off (they have their own tests)."""
    from lookup import demo

    application = make_app(f"sqlite:///{tmp_path / 'tracuu.db'}", HOTLINE_NUMBER="1900 0000")
    demo.load(application.extensions["tracuu.service"])
    yield application
    application.extensions["tracuu.store"].dispose()
