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
    ("/tra-cuu/gAAAAABpLwXyZ0123456789abcdef", "/tra-cuu/gAAA…"),
    ("/thong-ke?month=2026-10", "/thong-ke"),
    ("/api/v1/dossiers/000.00.04.H40-261102-0001", "/api/v1/dossiers/000.…"),
    ("/api/v1/dossiers/000.00.04.H40-261102-0001/events", "/api/v1/dossiers/000.…/events"),
    ("/api/v1/dossiers/000.00.04.H40-261102-0001/reissue", "/api/v1/dossiers/000.…/reissue"),
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
           "RATELIMIT_ENABLED": "0", "REDIS_URL": "redis://127.0.0.1:1/0", "KANNEL_SECRET": "k"}
    (argv,) = [a for a in run_py().services(Config(), port) if "gunicorn" in a[0]]
    log_path = tmp_path / "access.log"
    app_log_path = tmp_path / "app.log"
    new_code, phone = "000.00.04.H40-261130-0042", "0912345678"
    auth = {"Authorization": f"Bearer {key}"}
    with open(log_path, "wb") as log, open(app_log_path, "wb") as app_log:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=app_log)
        try:
            wait_for_port(int(port), timeout=30, proc=proc)
            base = f"http://127.0.0.1:{port}"
            token = qr.make_token(READY, SECRET)
            assert requests.get(f"{base}/d/{token}", timeout=10).status_code == 200
            assert requests.get(f"{base}/receipt/{READY}.png", timeout=10,
                                headers={"Authorization": f"Bearer {key}"}).status_code == 200
            assert requests.get(f"{base}/api/v1/lookup", params={"code": READY, "pin": PIN},
                                timeout=10).status_code == 200
            answered = requests.post(f"{base}/tra-cuu", data={"code": READY, "pin": PIN}, timeout=10)
            assert answered.status_code == 200 and answered.history[0].status_code == 303
            ticket = answered.url.rsplit("/", 1)[1]
            # The back-office's writes, and a citizen texting the code.
            assert requests.put(f"{base}/api/v1/dossiers/{new_code}", headers=auth, timeout=10, json={
                "agency_id": "000.00.04.H40", "procedure_name": "Cấp giấy khai sinh",
                "applicant_name": "Nguyễn Văn An", "applicant_phone": phone, "received_at": "2026-11-30",
                "due_at": "2026-12-05", "status": "received"}).status_code == 201
            event = {"status": "processing", "at": "2026-11-30T10:00:00"}
            assert requests.post(f"{base}/api/v1/dossiers/{new_code}/events", headers=auth, timeout=10,
                                 json=event).status_code == 201
            assert requests.get(f"{base}/sms/kannel", timeout=10, params={
                "secret": "k", "from": phone, "to": "8077", "text": f"TC {new_code}"}).status_code == 200
        finally:
            stop(proc)
    lines = log_path.read_text().splitlines()
    assert len(lines) == 8, lines
    assert f'"GET /tra-cuu/{ticket[:4]}…" 200' in lines[4]
    assert '"GET /d/MDAw…" 200' in lines[0]
    assert '"PUT /api/v1/dossiers/000.…" 201' in lines[5]
    assert '"POST /api/v1/dossiers/000.…/events" 201' in lines[6]
    app_logged = app_log_path.read_text()
    assert "dossier 000.00.04.H40-26113****** created" in app_logged
    logged = "\n".join(lines) + app_logged
    for secret in (READY, READY.replace(".", "").replace("-", ""), "261102-0001", PIN, token,
                   token.split(".")[1], ticket, ticket[8:40], new_code, "261130-0042", phone, "84912345678"):
        assert secret not in logged
