"""resolve() with the expected completion ÷ resolve() without it, same database, one process.

The expected completion (lookup.expected) is read in the lookup's own query (a join on the
office and procedure) and dated with the working calendar; the baseline is the same Service
with the figure switched off (its query without the join). Slices alternate, so a noisy
neighbour slows both alike.

Usage: python bench/expected_lookup.py [--dossiers 100000] [--lookups 20000] [--database-url URL]
Target (issue 13): ratio ≥ 0.9.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime

from common import Timer, code_for, prepared_store, scratch_dir, write_dossiers_csv

from lookup import importer
from lookup.service import Service

CHUNK = 500
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args()
    workdir = scratch_dir("bench-expected-")
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    store = prepared_store(url)
    shown = Service(store, clock=lambda: NOW)
    plain = Service(store, clock=lambda: NOW, expected_min_samples=None)
    path = write_dossiers_csv(workdir / "dossiers.csv", args.dossiers, seed=11)
    report = importer.import_file(shown, str(path), progress=False, batch_size=5000)
    refreshed = shown.refresh_expected()
    print(f"database: {store.dialect}, {report.imported:,} dossiers; expected completion for "
          f"{refreshed.shown} of {refreshed.pairs} office/procedure pairs")

    rng = random.Random(11)
    typed = [code_for(rng.randrange(args.dossiers)) for _ in range(args.lookups)]
    for code in typed[:1000]:  # warm caches, the calendar's years and the page cache
        shown.resolve(code)
        plain.resolve(code)
    with_seconds = without_seconds = 0.0
    with_figure = 0
    for at in range(0, len(typed), CHUNK):
        with Timer() as without:
            for code in typed[at:at + CHUNK]:
                assert plain.resolve(code) is not None
        with Timer() as with_it:
            for code in typed[at:at + CHUNK]:
                with_figure += shown.resolve(code).expected is not None
        without_seconds += without.seconds
        with_seconds += with_it.seconds
    without_rate = len(typed) / without_seconds
    with_rate = len(typed) / with_seconds
    print(f"resolve without the figure: {without_rate:10,.0f}/s")
    print(f"resolve with the figure:    {with_rate:10,.0f}/s   ({with_figure:,} of {len(typed):,} "
          "lookups showed one: the open dossiers)")
    print(f"ratio with/without:         {with_rate / without_rate:10.2f}   (target >= 0.9)")
    store.dispose()


if __name__ == "__main__":
    main()
