"""Access logs never hold a dossier code, PIN or QR token in full: checked on the real server
command line `make run` uses (scripts/run.py), and on the redaction itself."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest
import requests

from channels.web.accesslog import redact_path
from config import ROOT, Config
from lookup import demo, qr
from lookup.clock import utcnow
from lookup.service import Service
from lookup.store import Store
from tests.support.servers import free_port, stop, wait_for_port

READY = "000.00.04.H40-261102-0001"
PIN = "204851"
SECRET = "access-log-secret"


@pytest.mark.parametrize("path, logged", [
    ("/d/MDAwLjAwLjA0Lkg0MC0yNjExMDItMDAwMQ.abcdefghijklmnop", "/d/MDAw…"),
    ("/receipt/000.00.04.H40-261102-0001.png", "/receipt/000.…"),
    ("/api/v1/lookup?code=000.00.04.H40-261102-0001&pin=204851", "/api/v1/lookup"),
    ("/thong-ke?month=2026-10", "/thong-ke"),
    ("/", "/"),
    ("", "-"),
    (None, "-"),
])
def test_redact_path(path, logged):
    assert redact_path(path) == logged


def run_py():
    spec = importlib.util.spec_from_file_location("run_script", ROOT / "scripts" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_as_make_run_starts_it_logs_no_secret(tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'log.db'}"
    store = Store(database)
    store.create_all()
    service = Service(store, clock=utcnow)
    demo.load(service)
    key = service.create_api_key("000.00.04.H40", "log test")
    store.dispose()

    port = str(free_port())
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": SECRET, "VAR_DIR": str(tmp_path),
           "RATELIMIT_ENABLED": "0", "REDIS_URL": "redis://127.0.0.1:1/0"}
    (argv,) = [a for a in run_py().services(Config(), port) if "gunicorn" in a[0]]
    log_path = tmp_path / "access.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(int(port), timeout=30, proc=proc)
            base = f"http://127.0.0.1:{port}"
            token = qr.make_token(READY, SECRET)
            assert requests.get(f"{base}/d/{token}", timeout=10).status_code == 200
            assert requests.get(f"{base}/receipt/{READY}.png", timeout=10,
                                headers={"Authorization": f"Bearer {key}"}).status_code == 200
            assert requests.get(f"{base}/api/v1/lookup", params={"code": READY, "pin": PIN},
                                timeout=10).status_code == 200
            assert requests.post(f"{base}/tra-cuu", data={"code": READY, "pin": PIN},
                                 timeout=10).status_code == 200
        finally:
            stop(proc)
    lines = log_path.read_text().splitlines()
    assert len(lines) == 4, lines
    assert '"GET /d/MDAw…" 200' in lines[0]
    logged = "\n".join(lines)
    for secret in (READY, READY.replace(".", "").replace("-", ""), "261102-0001", PIN, token,
                   token.split(".")[1]):
        assert secret not in logged
