"""resolve() per second ÷ a raw SQLAlchemy primary-key select per second, same database.

Usage: python bench/lookup_core.py [--dossiers 100000] [--lookups 20000] [--database-url URL]
Target (issue 2): ratio ≥ 0.5.
"""

from __future__ import annotations

import argparse
import random

from common import Timer, code_for, prepared_store, scratch_dir, write_dossiers_csv
from sqlalchemy import select

from lookup import importer
from lookup.service import Service
from lookup.store.schema import dossiers
from lookup.views import Proof

CHUNK = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args()
    workdir = scratch_dir("bench-lookup-")
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    store = prepared_store(url)
    service = Service(store)
    rng = random.Random(7)
    path = write_dossiers_csv(workdir / "dossiers.csv", args.dossiers, seed=7)
    report = importer.import_file(service, str(path), progress=False, batch_size=5000)
    print(f"database: {store.dialect}, {report.imported:,} dossiers")

    picks = [rng.randrange(args.dossiers) for _ in range(args.lookups)]
    typed = [code_for(i).lower().replace(".", " ") for i in picks]  # as a citizen types it
    ids = [i + 1 for i in picks]

    for code in typed[:1000]:  # warm the caches and the page cache
        service.resolve(code)
    # Alternate the two in small slices so a noisy neighbour slows both alike.
    raw_seconds = held_seconds = core_seconds = 0.0
    for at in range(0, len(ids), CHUNK):
        with Timer() as raw:
            for dossier_id in ids[at:at + CHUNK]:
                with store.engine.connect() as conn:
                    conn.execute(select(dossiers).where(dossiers.c.id == dossier_id)).first()
        with Timer() as held, store.engine.connect() as conn:
            for dossier_id in ids[at:at + CHUNK]:
                conn.execute(select(dossiers).where(dossiers.c.id == dossier_id)).first()
        with Timer() as core:
            for code in typed[at:at + CHUNK]:
                assert service.resolve(code) is not None
        raw_seconds += raw.seconds
        held_seconds += held.seconds
        core_seconds += core.seconds
    with Timer() as proven:
        for code in typed[: len(typed) // 4]:
            service.resolve(code, Proof(phone="0900000000"))

    raw_rate = len(ids) / raw_seconds
    core_rate = len(typed) / core_seconds
    held_rate = len(ids) / held_seconds
    print(f"raw primary-key select: {raw_rate:10,.0f}/s   (a pooled connection per lookup, as a request has)")
    print(f"  on one held connection:{held_rate:9,.0f}/s")
    print(f"resolve(code as typed): {core_rate:10,.0f}/s")
    print(f"resolve with a phone:   {len(typed) // 4 / proven.seconds:10,.0f}/s")
    print(f"ratio resolve/raw:      {core_rate / raw_rate:10.2f}   (target >= 0.5)")
    print(f"ratio vs held connection:{core_rate / held_rate:9.2f}")
    store.dispose()


if __name__ == "__main__":
    main()
