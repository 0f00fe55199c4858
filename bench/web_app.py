"""The app as bench/web_lookup.py serves it: the real app, plus a bare hello-world route as
the baseline when TRACUU_BENCH_HELLO=1. Only the benchmark imports this module."""

from __future__ import annotations

import os

from app import create_app as create_real_app


def create_app():
    app = create_real_app()
    if os.environ.get("TRACUU_BENCH_HELLO") == "1":
        app.add_url_rule("/hello", "bench_hello", lambda: "hello")
    return app
