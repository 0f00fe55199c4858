"""Helpers for the alert tests: an app on a SQLite file and the private Redis, dossiers in
each status, and real `flask alerts-worker` processes (RQ workers) that can be SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Worker
from sqlalchemy import select

from app import create_app
from config import TestConfig
from lookup import delivery
from lookup.clock import Clock, utcnow
from lookup.ingest import EventFields, dossier_fields
from lookup.store import notifications as rows
from lookup.store.schema import dossiers, notifications
from tests.support import fake_twilio, fake_zalo

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
AGENCY = "000.00.04.H40"
OFFICE = {
    "name_vi": "UBND phường Thanh Xuân",
    "name_en": "Thanh Xuan Ward People's Committee",
    "address": "9 Khuất Duy Tiến, Hà Nội",
    "pickup_hours": "T2-T6 8:00-17:00",
    "hotline": "024 3858 0000",
}
DONE = (delivery.SENT, delivery.DELIVERED, delivery.READ, delivery.UNDELIVERED, delivery.FAILED,
        delivery.SKIPPED)


def settings(database_url: str, redis_url: str, **overrides: Any) -> dict[str, Any]:
    """What both the test's app and its workers run with (fast retries, short leases)."""
    values = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_SENDER": "twilio",
        "TWILIO_ACCOUNT_SID": fake_twilio.ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": fake_twilio.AUTH_TOKEN,
        "TWILIO_FROM": "+15005550006",
        "TWILIO_API_URL": "http://127.0.0.1:9",
        "KANNEL_SENDSMS_URL": "http://127.0.0.1:9/cgi-bin/sendsms",
        "KANNEL_USERNAME": "tracuu",
        "KANNEL_PASSWORD": "kannel-test-password",
        "KANNEL_SECRET": "test-kannel-secret",
        "QUIET_HOURS": "",
        "SMS_RATE_PER_SECOND": 0,
        "ALERT_RETRY_FIRST_SECONDS": 1,
        "ALERT_JOB_TIMEOUT_SECONDS": 2,
        "ALERT_SWEEP_SECONDS": 1,
        "ALERT_VALIDITY_HOURS": 24,
    }
    values.update(overrides)
    return values


# Every alert kind has a Vietnamese template; English ones go by SMS unless a test adds `.en`.
ZALO_TEMPLATES = ("ready=1001,supplement_requested=1002,fee_due=1003,not_accepted=1004,stopped=1005,"
                  "apology=1006,reminder=1007")


def zalo_settings(zalo_url: str, **overrides: Any) -> dict[str, Any]:
    """What alerts by Zalo then SMS need, against a tests/support/fake_zalo.py at `zalo_url`."""
    values = {
        "ALERT_CHANNELS": "zalo,sms",
        "ZALO_APP_ID": fake_zalo.APP_ID,
        "ZALO_APP_SECRET": fake_zalo.APP_SECRET,
        "ZALO_OA_SECRET": fake_zalo.OA_SECRET,
        "ZALO_REFRESH_TOKEN": fake_zalo.FIRST_REFRESH_TOKEN,
        "ZALO_TEMPLATES": ZALO_TEMPLATES,
        "ZALO_ZNS_URL": zalo_url,
        "ZALO_OAUTH_URL": zalo_url,
        "ZALO_OA_API_URL": zalo_url,
        "ZALO_RATE_PER_SECOND": 0,
        "ZALO_FALLBACK_AFTER_TRIES": 3,
    }
    values.update(overrides)
    return values


def build_app(values: dict[str, Any], clock: Clock = utcnow):
    config = TestConfig()
    for key, value in values.items():
        setattr(config, key, value)
    app = create_app(config, clock=clock)
    app.extensions["tracuu.store"].create_all()
    return app


class Dossiers:
    """Dossiers of one office, written through the core Service like the ingest API does."""

    def __init__(self, app) -> None:
        self.app = app
        self.service = app.extensions["tracuu.service"]
        self.service.put_agency(AGENCY, OFFICE, AGENCY)
        self.count = 0

    def new(self, *, phone: str | None = None, language: str = "vi", due_in: timedelta = timedelta(days=5),
            received_ago: timedelta = timedelta(days=3), status: str = "received") -> str:
        self.count += 1
        code = f"{AGENCY}-261101-{self.count:04d}"
        now = self.service.clock()
        received = (now - received_ago).replace(microsecond=0)
        fields = dossier_fields(code, {
            "agency_id": AGENCY,
            "procedure_name": "Cấp giấy khai sinh",
            "applicant_name": "Nguyễn Văn An",
            "applicant_phone": phone or f"0912{self.count:06d}",
            "received_at": received.isoformat(),
            "due_at": (now + due_in).replace(microsecond=0).isoformat(),
            "status": status,
            "status_at": received.isoformat(),
            "language": language,
        })
        self.service.put_dossier(fields, AGENCY)
        return code

    def event(self, code: str, status: str, note: str = "", due_at: datetime | None = None,
              at: datetime | None = None):
        at = at or self.service.clock().replace(microsecond=0) - timedelta(minutes=1)
        return self.service.add_event(code, EventFields(status, at, note, due_at, ""), AGENCY)

    def phone_of(self, code: str) -> str:
        with self.app.extensions["tracuu.store"].connect() as conn:
            return conn.execute(select(dossiers.c.applicant_phone)
                                .where(dossiers.c.code == code)).scalar_one()


def all_rows(app) -> list:
    with app.extensions["tracuu.store"].connect() as conn:
        return conn.execute(select(notifications).order_by(notifications.c.id)).all()


def row(app, notification_id: int):
    with app.extensions["tracuu.store"].connect() as conn:
        return rows.get(conn, notification_id)


def wait_until(check: Callable[[], Any], timeout: float = 30.0, every: float = 0.1, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what or check}")


def all_done(app) -> bool:
    found = all_rows(app)
    return bool(found) and all(r.status in DONE for r in found)


class Workers:
    """Real RQ worker processes (`flask --app app alerts-worker`), each in its own process group
    so a SIGKILL takes the worker, its scheduler and everything it started at once."""

    def __init__(self, values: dict[str, Any], workdir: Path) -> None:
        self.env = dict(os.environ)
        self.env.update({key: str(value) for key, value in values.items()})
        self.env.update({"VAR_DIR": str(workdir), "SECRET_KEY": "test-secret", "PYTHONUNBUFFERED": "1"})
        self.workdir = workdir
        self.procs: list[subprocess.Popen] = []
        self.redis = Redis.from_url(values["REDIS_URL"])
        self.started = 0

    def start(self, count: int = 1, *extra: str) -> list[subprocess.Popen]:
        """Start workers and wait until they are listening."""
        before = len(Worker.all(connection=self.redis))
        new = self.spawn(count, *extra)
        wait_until(lambda: len(Worker.all(connection=self.redis)) >= before + count, timeout=30,
                   what="workers to register")
        return new

    def spawn(self, count: int = 1, *extra: str) -> list[subprocess.Popen]:
        new = []
        for _ in range(count):
            self.started += 1
            log = open(self.workdir / f"worker-{self.started}.log", "wb")  # noqa: SIM115
            proc = subprocess.Popen([FLASK, "--app", "app", "alerts-worker", "--name",
                                     f"w{self.started}-{os.getpid()}-{time.monotonic_ns()}", *extra],
                                    cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            log.close()
            new.append(proc)
        self.procs += new
        return new

    def kill(self, proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        self.procs.remove(proc)
        # The dead worker's registration would linger until its TTL; the tests count live ones.
        for worker in Worker.all(connection=self.redis):
            if worker.pid == proc.pid:
                worker.register_death()

    def stop(self) -> None:
        for proc in list(self.procs):
            self.kill(proc)

    def logs(self, full: bool = False) -> str:
        found = sorted(self.workdir.glob("worker-*.log"))
        return "\n".join(p.read_text(errors="replace")[None if full else -3000:] for p in found)
