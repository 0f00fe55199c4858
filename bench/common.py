"""Shared helpers for the benchmarks: synthetic dossiers shaped like the real ones."""

from __future__ import annotations

import atexit
import http.client
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENCIES = [f"000.00.{i:02d}.H{40 + i % 20:02d}" for i in range(1, 41)]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Em", "Giang", "Hải", "Khải", "Lan", "Minh"]
PROCEDURES = ["Cấp giấy khai sinh", "Chứng thực bản sao", "Đăng ký kết hôn", "Cấp giấy phép xây dựng"]
STATUSES = ["received", "processing", "supplement_requested", "ready", "returned"]


def scratch_dir(prefix: str) -> Path:
    """A temporary folder for one run, removed when the script exits, a failed run too."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def code_for(i: int) -> str:
    agency = AGENCIES[i % len(AGENCIES)]
    day = 1 + (i // len(AGENCIES)) % 28
    return f"{agency}-2611{day:02d}-{i:06d}"


def csv_row(i: int, rng: random.Random) -> list[str]:
    day = 1 + (i // len(AGENCIES)) % 28
    return [
        code_for(i), AGENCIES[i % len(AGENCIES)], rng.choice(PROCEDURES),
        f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}", f"09{rng.randrange(10**8):08d}",
        f"2026-11-{day:02d}", f"2026-12-{day:02d}", rng.choice(STATUSES),
    ]


def prepared_store(url: str):
    """The database at `url` at the newest schema, with the benchmark's offices in it."""
    from lookup.service import Service
    from lookup.store import Store, migrate

    migrate.upgrade(url)
    store = Store(url)
    service = Service(store)
    for agency in AGENCIES:
        service.put_agency(agency, {"name_vi": f"UBND {agency}", "name_en": "", "address": "",
                                    "pickup_hours": "", "hotline": ""}, agency)
    return store


def write_dossiers_csv(path: Path, rows: int, seed: int) -> Path:
    """A legacy export of `rows` dossiers in the columns import-csv requires."""
    import csv

    from lookup import importer

    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(importer.REQUIRED_COLUMNS)
        writer.writerows(csv_row(i, rng) for i in range(rows))
    return path


def demo_database(folder: str) -> str:
    """A SQLite file in `folder` holding the README's demo dossiers; its URL."""
    from lookup import demo
    from lookup.clock import utcnow
    from lookup.service import Service
    from lookup.store import Store

    url = f"sqlite:///{Path(folder) / 'bench.db'}"
    store = Store(url)
    store.create_all()
    demo.load(Service(store, clock=utcnow))
    store.dispose()
    return url


def load_arguments(description: str, *, seconds: float = 4.0, rounds: int = 2,
                   flags: dict[str, str] | None = None):
    """The options every HTTP benchmark takes, plus the script's own on/off `flags`."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=seconds, help="per route per round")
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--clients", type=int, default=8)
    for flag, help_text in (flags or {}).items():
        parser.add_argument(flag, action="store_true", help=help_text)
    return parser.parse_args()


@contextmanager
def served_app(port: int, env: dict[str, str]) -> Iterator[None]:
    """bench/web_app.py under gunicorn (2 workers) on 127.0.0.1:`port` for the block's duration."""
    import os
    import subprocess

    from tests.support.servers import stop, wait_for_port

    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning",
         "bench.web_app:create_app()"],
        cwd=ROOT, env={**os.environ, "RATELIMIT_ENABLED": "0", "REDIS_URL": "redis://127.0.0.1:1/0",
                       "TRACUU_BENCH_HELLO": "1", **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=30, proc=server)
        yield
    finally:
        stop(server)


def rates_by_route(port: int, routes: dict[str, tuple[str, str, dict]], args) -> dict[str, float]:
    """Requests/s of each (method, path, hammer options) route: warmed up once, then measured in
    `args.rounds` rounds that alternate the routes, so a noisy neighbour slows them all alike."""
    for method, path, options in routes.values():
        hammer(port, method, path, seconds=1.0, clients=args.clients, **options)
    totals = dict.fromkeys(routes, 0.0)
    for _ in range(args.rounds):
        for name, (method, path, options) in routes.items():
            totals[name] += hammer(port, method, path, seconds=args.seconds, clients=args.clients, **options)
    return {name: total / args.rounds for name, total in totals.items()}


def paired_ratios(port: int, baseline: tuple[str, str, dict], routes: dict[str, tuple[str, str, dict]],
                  args) -> tuple[float, dict[str, float], dict[str, float]]:
    """Each route's requests/s ÷ the baseline's measured just before it, in `args.rounds` rounds.

    Returns the baseline's median rate, each route's median rate and each route's median ratio:
    a noisy spell on the machine spoils one pair, not the figure.
    """
    from statistics import median

    method, path, options = baseline
    hammer(port, method, path, seconds=1.0, clients=args.clients, **options)
    for route in routes.values():
        hammer(port, route[0], route[1], seconds=1.0, clients=args.clients, **route[2])
    baseline_rates: list[float] = []
    rates: dict[str, list[float]] = {name: [] for name in routes}
    ratios: dict[str, list[float]] = {name: [] for name in routes}
    for _ in range(args.rounds):
        for name, route in routes.items():
            base = hammer(port, method, path, seconds=args.seconds, clients=args.clients, **options)
            rate = hammer(port, route[0], route[1], seconds=args.seconds, clients=args.clients, **route[2])
            baseline_rates.append(base)
            rates[name].append(rate)
            ratios[name].append(rate / base)
    return (median(baseline_rates), {name: median(r) for name, r in rates.items()},
            {name: median(r) for name, r in ratios.items()})


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def hammer(port: int, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None,
           seconds: float, clients: int, expect: bytes = b"", status: int = 200) -> float:
    """Requests/s over `seconds` from `clients` threads on 127.0.0.1:`port`, each one request at a
    time; exits naming the first answer that is not a `status` (containing `expect`)."""
    counts = [0] * clients
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def client(slot: int) -> None:
        while time.perf_counter() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request(method, path, body=body or None, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
                if response.status != status or expect not in data:
                    errors.append(f"{method} {path}: {response.status} {data[:200]!r}")
                    return
                counts[slot] += 1
            finally:
                conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{Path(sys.argv[0]).stem}: {errors[0]}")
    return sum(counts) / elapsed
