"""The crash drill shared by tests/worker/test_crash.py and bench/alerts_chaos.py.

N alerts go out through real worker processes while a killer SIGKILLs one of them (with its
scheduler) at random moments and starts a replacement. At the end the fake provider counts
what it received: every alert exactly once on the Twilio path; on Kannel, which cannot be
asked, no more duplicates than kills that landed inside a send. The "zalo" drill runs with
ALERT_CHANNELS=zalo,sms: ZNS (a fake Zalo that refuses every REFUSED_EVERY-th phone, "no Zalo
account") and Twilio for the fallback; no alert may reach a phone by both, none may be lost.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from lookup.ingest import dossier_fields
from lookup.store import notifications as rows
from lookup.store.schema import dossiers, notifications
from tests.support.fake_zalo import FakeZalo
from tests.worker.fakes import FakeKannel, SlowTwilio
from tests.worker.support import (
    AGENCY,
    OFFICE,
    Workers,
    all_rows,
    build_app,
    settings,
    wait_until,
    zalo_settings,
)
from worker import dispatch, outbox, policy


@dataclass
class Outcome:
    provider: str
    alerts: int
    kills: int
    kills_inside_send: int
    counted_possible_duplicates: int
    asked_and_found: int
    lost: int
    duplicates: int
    seconds: float
    # The zalo drill: alerts carried by each channel, and alerts that reached a phone by both.
    by_zalo: int = 0
    by_sms: int = 0
    both_channels: int = 0

    def lines(self) -> list[str]:
        return [
            f"provider: {self.provider}",
            f"alerts: {self.alerts}",
            f"workers killed (SIGKILL): {self.kills}",
            f"sends interrupted between claim and record (a kill, or a job timeout), "
            f"taken over later: {self.kills_inside_send}",
            f"possible duplicates counted by the workers (provider cannot be asked): "
            f"{self.counted_possible_duplicates}",
            f"texts found at the provider instead of re-sent: {self.asked_and_found}",
            f"lost: {self.lost}",
            f"duplicates at the provider: {self.duplicates}",
            *([f"carried by zalo: {self.by_zalo}, by sms after a refusal: {self.by_sms}",
               f"reached a phone by both zalo and sms: {self.both_channels}"]
              if self.provider == "zalo" else []),
            f"seconds: {self.seconds:.1f}",
        ]


def drill(provider: str, n: int, workdir: Path, redis_url: str, *, workers: int = 3,
          kill_every: float = 1.0, rate: int = 0, delay: float = 0.02, batch: int = 500,
          timeout: float = 600, seed: int | None = None, job_timeout: int = 2) -> Outcome:
    chance = random.Random(seed)
    fake = FakeKannel() if provider == "kannel" else SlowTwilio()
    fake.delay = delay
    fake.start()
    values = settings(f"sqlite:///{workdir / 'chaos.db'}", redis_url,
                      SMS_SENDER="kannel" if provider == "kannel" else "twilio",
                      SMS_RATE_PER_SECOND=rate, ALERT_JOB_TIMEOUT_SECONDS=job_timeout)
    if provider == "kannel":
        values["KANNEL_SENDSMS_URL"] = fake.url
    else:
        values["TWILIO_API_URL"] = fake.url
    zalo = None
    if provider == "zalo":
        zalo = FakeZalo(delay=delay).start()
        values.update(zalo_settings(zalo.url, ZALO_RATE_PER_SECOND=rate))
        for i in range(0, n, REFUSED_EVERY):
            zalo.refuse(f"+849{i:08d}", FakeZalo.NO_ZALO_ACCOUNT)
    app = build_app(values)
    group = Workers(values, workdir)
    started = time.monotonic()
    kills = 0
    stop = threading.Event()

    def killer() -> None:
        nonlocal kills
        while not stop.wait(chance.uniform(0.5, 1.5) * kill_every):
            victim = chance.choice(group.procs)
            group.kill(victim)
            kills += 1
            group.spawn(1)

    try:
        group.start(workers)
        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        create(app, n, batch)
        wait_until(lambda: _all_sent(app, n), timeout=timeout, every=0.5, what="every alert sent")
        stop.set()
        thread.join()
    finally:
        stop.set()
        group.stop()
        fake.stop()
        if zalo is not None:
            zalo.stop()
    seconds = time.monotonic() - started
    found = all_rows(app)
    if provider == "kannel":
        received = Counter((t.to, t.text) for t in fake.sent())
    else:
        received = Counter((m.to, m.body) for m in fake.sent())
    expected = Counter((r.to_phone, r.body) for r in found)
    by_zalo: Counter = Counter()
    if zalo is not None:
        # A ZNS carries no SMS text: count it against the alert of its phone (one per phone here).
        body_of = {r.to_phone: r.body for r in found}
        by_zalo = Counter((f"+{z.phone}", body_of.get(f"+{z.phone}", "")) for z in zalo.sent())
    both = sum(1 for key in expected if received[key] and by_zalo[key])
    received = received + by_zalo
    lost = sum(1 for key in expected if received[key] == 0)
    duplicates = sum(max(received[key] - 1, 0) for key in expected) + sum(
        count for key, count in received.items() if key not in expected)
    logs = group.logs(full=True)
    app.extensions["tracuu.store"].dispose()
    return Outcome(provider=provider, alerts=n, kills=kills,
                   kills_inside_send=logs.count("left in sending by a dead worker"),
                   counted_possible_duplicates=sum(r.possible_duplicates for r in found),
                   asked_and_found=logs.count("was already accepted by"), lost=lost,
                   duplicates=duplicates, seconds=seconds,
                   by_zalo=sum(1 for r in found if r.channel == "zalo"),
                   by_sms=sum(1 for r in found if r.channel == "sms"), both_channels=both)


# In the zalo drill, every REFUSED_EVERY-th phone has no Zalo account: SMS carries its alert.
REFUSED_EVERY = 4


def create(app, n: int, batch: int, first: int = 0) -> None:
    """N dossiers ready for pickup, each with its alert row written by the outbox, in batches
    (numbered from `first`, so several calls make different dossiers)."""
    alerts = app.extensions["tracuu.alerts"]
    service = app.extensions["tracuu.service"]
    service.put_agency(AGENCY, OFFICE, AGENCY)
    now = alerts.now()
    for start in range(first, first + n, batch):
        values = []
        for i in range(start, min(start + batch, first + n)):
            fields = dossier_fields(f"{AGENCY}-261120-{i:05d}", {
                "agency_id": AGENCY, "procedure_name": "Cấp giấy khai sinh", "applicant_name": "Lê Văn C",
                "applicant_phone": f"09{i:08d}", "received_at": (now - timedelta(days=3)).isoformat(),
                "due_at": (now + timedelta(days=2)).isoformat(), "status": "ready",
            })
            values.append({
                "code": fields.code.display, "match_key": fields.code.match_key, "keypad": fields.code.keypad,
                "agency_id": AGENCY, "procedure_name_vi": fields.procedure_name_vi, "procedure_name_en": "",
                "applicant_name": fields.applicant_name, "applicant_phone": fields.applicant_phone,
                "language": "vi", "pin": "123456", "received_at": fields.received_at,
                "original_due_at": fields.due_at, "due_at": fields.due_at, "status": "ready",
                "status_at": now, "note": "", "handling_office": "", "finished_at": now, "updated_at": now,
            })
        with alerts.store.begin() as conn:
            conn.execute(dossiers.insert(), values)
            ids = conn.execute(select(dossiers.c.id).where(
                dossiers.c.match_key.in_([v["match_key"] for v in values]))).scalars().all()
            pending = []
            for dossier_id in ids:
                dossier = rows.dossier_for_alert(conn, dossier_id)
                trigger = policy.Trigger(policy.PICKUP, f"drill:{dossier_id}")
                pending += outbox.write(alerts, conn, dossier, [trigger], now)
        dispatch.enqueue_quietly(alerts, pending)


def _all_sent(app, n: int) -> bool:
    with app.extensions["tracuu.store"].connect() as conn:
        sent = conn.execute(select(func.count()).select_from(notifications)
                            .where(notifications.c.status == "sent")).scalar_one()
    return sent >= n
