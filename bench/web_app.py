"""The app as bench/web_lookup.py serves it: the real app, plus a bare hello-world route as
the baseline when TRACUU_BENCH_HELLO=1. Only the benchmark imports this module; `make bench`
runs every bench/*.py, and run as a script this one only says so."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app as create_real_app  # noqa: E402


def create_app():
    app = create_real_app()
    if os.environ.get("TRACUU_BENCH_HELLO") == "1":
        app.add_url_rule("/hello", "bench_hello", lambda: "hello")
    return app


if __name__ == "__main__":
    print("web_app: the app that bench/web_lookup.py serves under gunicorn; run that one.")
