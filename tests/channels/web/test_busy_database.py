"""A held database lock does not stall citizens (issue 10, item 6).

gunicorn runs as `make run` starts it, on a SQLite file; another connection holds the write
lock while the back-office keeps sending writes. Each write waits at most
DB_WRITE_TIMEOUT_SECONDS and is answered 503 `busy` with Retry-After, nothing half-written;
lookups keep being answered the whole time, however many writes are waiting.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import threading
import time
from pathlib import Path

import requests

from config import ROOT, Config
from lookup import demo
from lookup.clock import utcnow
from lookup.service import Service
from lookup.store import Store
from tests.support.run_script import load_run_script
from tests.support.servers import free_port, stop, wait_for_port

READY = "000.00.04.H40-261102-0001"
AGENCY = "000.00.04.H40"


def test_a_held_write_lock_leaves_lookups_answering_and_writes_busy(tmp_path: Path):
    database = tmp_path / "busy.db"
    store = Store(f"sqlite:///{database}")
    store.create_all()
    service = Service(store, clock=utcnow)
    demo.load(service)
    key = service.create_api_key(AGENCY, "busy test")
    store.dispose()

    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "s", "VAR_DIR": str(tmp_path),
           "RATELIMIT_ENABLED": "0", "REDIS_URL": "redis://127.0.0.1:1/0", "DB_WRITE_TIMEOUT_SECONDS": "8"}
    (argv,) = [a for a in load_run_script().services(Config(), str(port)) if "gunicorn" in a[0]]
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "gunicorn.log", "wb") as log:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=30, proc=proc)
        assert requests.get(f"{base}/api/v1/lookup", params={"code": READY}, timeout=10).status_code == 200

        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, held until we say
        writes: list[requests.Response] = []
        # What finished, in order: ("write", n) or ("lookup", n).
        finished: list[tuple[str, int]] = []

        def back_office(n: int) -> None:
            writes.append(requests.put(f"{base}/api/v1/dossiers/{AGENCY}-261201-{n:04d}", timeout=60,
                                       headers={"Authorization": f"Bearer {key}"}, json={
                "agency_id": AGENCY, "procedure_name": "Cấp giấy khai sinh",
                "applicant_name": "Nguyễn Văn An", "applicant_phone": "0912345678",
                "received_at": "2026-11-30", "due_at": "2026-12-05", "status": "received"}))
            finished.append(("write", n))

        # As many writes at once as the server has threads (2 workers x 4): unchecked, they
        # would take every thread until their timeout and lookups would queue behind them.
        writers = [threading.Thread(target=back_office, args=(n,)) for n in range(8)]
        for writer in writers:
            writer.start()
        time.sleep(2)  # the writes past the waiting slots are refused at once, within this
        refused_at_once = len(finished)
        lookups = []
        session = requests.Session()
        for n in range(20):
            started = time.monotonic()
            answer = session.get(f"{base}/api/v1/lookup", params={"code": READY}, timeout=60)
            lookups.append((answer.status_code, time.monotonic() - started))
            finished.append(("lookup", n))
        # The lookups were all answered while writes were still waiting for the lock.
        waiting_when_lookups_done = sum(writer.is_alive() for writer in writers)
        for writer in writers:
            writer.join(timeout=60)
        holder.execute("ROLLBACK")
        holder.close()

        assert [status for status, _ in lookups] == [200] * 20
        # (Seen fail once in CI, not since: the message says how long the lookups took then.)
        assert waiting_when_lookups_done >= 1, (refused_at_once, [round(t, 2) for _, t in lookups], finished)
        # No write that waited for the lock finished before the lookups did: none of them held a
        # thread a lookup needed. (Unchecked, the lookups queue until the writes time out.)
        last_lookup = max(i for i, (kind, _) in enumerate(finished) if kind == "lookup")
        assert [kind for kind, _ in finished[refused_at_once:last_lookup + 1]] == ["lookup"] * 20, finished
        assert len(writes) == 8 and {w.status_code for w in writes} == {503}, [w.status_code for w in writes]
        for answer in writes:
            assert answer.json()["error"] == "busy" and int(answer.headers["Retry-After"]) >= 1
        seconds = sorted(s for _, s in lookups)
        print(f"\nlock held, 8 writes sent at once: {waiting_when_lookups_done} still waiting after 20 "
              f"lookups answered (median {statistics.median(seconds) * 1000:.0f} ms, slowest "
              f"{seconds[-1] * 1000:.0f} ms); all 8 writes answered 503 busy")

        # Nothing half-written: no dossier from the refused writes; the next write goes through.
        with sqlite3.connect(database) as check:
            written = check.execute("SELECT count(*) FROM dossiers WHERE code LIKE '%-261201-%'").fetchone()
        assert written == (0,)
        done = requests.put(f"{base}/api/v1/dossiers/{AGENCY}-261201-9999", timeout=30,
                            headers={"Authorization": f"Bearer {key}"}, json={
            "agency_id": AGENCY, "procedure_name": "Cấp giấy khai sinh", "applicant_name": "Nguyễn Văn An",
            "applicant_phone": "0912345678", "received_at": "2026-11-30", "due_at": "2026-12-05",
            "status": "received"})
        assert done.status_code == 201
    finally:
        stop(proc)
