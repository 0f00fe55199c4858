"""CSV import rows/s ÷ a raw `executemany` of the same rows into the same table, one run.

Both write the same dossier rows in batches of the same size, one transaction a batch, into
fresh databases of the same kind. The import also reads the CSV, parses and checks every
field, maps phone numbers to E.164 and issues PINs. The two alternate slice by slice, so a
noisy neighbour slows both alike.

Usage: python bench/import.py [--rows 1000000] [--database-url URL (a PostgreSQL server DB)]
Target (issue 2): ratio ≥ 0.5.
"""

from __future__ import annotations

import argparse
import csv
import io
import secrets
from datetime import UTC, datetime
from pathlib import Path

from common import Timer, prepared_store, scratch_dir, write_dossiers_csv
from sqlalchemy import create_engine, insert, text

from lookup import codes, importer
from lookup.service import Service
from lookup.store.schema import dossiers

BATCH = 2000
SLICES = 20


def fresh_url(base: str | None, workdir: Path, name: str) -> str:
    if base is None:
        return f"sqlite:///{workdir / name}.db"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


def raw_rows(path: Path) -> list[dict]:
    """The same rows, already in the table's shape: what a raw executemany gets for free."""
    now = datetime.now(UTC)
    out = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for code, agency, procedure, name, phone, received, _due, status in reader:
            key = codes.match_key(code)
            day = datetime.fromisoformat(received).replace(tzinfo=UTC)
            out.append({
                "code": code, "match_key": key, "keypad": key, "agency_id": agency,
                "procedure_name_vi": procedure, "procedure_name_en": "", "applicant_name": name,
                "applicant_phone": "+84" + phone[1:], "language": "vi", "pin": "000000",
                "received_at": day, "original_due_at": day, "due_at": day, "status": status,
                "status_at": day, "note": "", "handling_office": "", "updated_at": now,
            })
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="a PostgreSQL URL whose server may create databases")
    args = parser.parse_args()
    workdir = scratch_dir("bench-import-")
    path = write_dossiers_csv(workdir / "legacy.csv", args.rows, seed=11)
    print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB of CSV")

    suffix = secrets.token_hex(3)
    raw_store = prepared_store(fresh_url(args.database_url, workdir, f"bench_raw_{suffix}"))
    store = prepared_store(fresh_url(args.database_url, workdir, f"bench_import_{suffix}"))
    service = Service(store)
    rows = raw_rows(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, lines = lines[0], lines[1:]
    raw_seconds = our_seconds = 0.0
    imported = 0
    step = max(1, args.rows // SLICES // BATCH) * BATCH
    for start in range(0, args.rows, step):
        with Timer() as raw:
            for at in range(start, min(start + step, args.rows), BATCH):
                with raw_store.begin() as conn:
                    conn.execute(insert(dossiers), rows[at:at + BATCH])
        piece = io.StringIO(header + "".join(lines[start:start + step]))
        with Timer() as ours:
            imported += importer.import_lines(service, piece, batch_size=BATCH).imported
        raw_seconds += raw.seconds
        our_seconds += ours.seconds
    assert imported == args.rows
    del rows
    raw_store.dispose()
    with Timer() as again:
        importer.import_file(service, str(path), batch_size=BATCH, progress=False)
    store.dispose()

    raw_rate = args.rows / raw_seconds
    our_rate = args.rows / our_seconds
    print(f"database: {store.dialect}")
    print(f"raw executemany:      {raw_rate:10,.0f} rows/s  ({raw_seconds:.1f} s)")
    print(f"import-csv:           {our_rate:10,.0f} rows/s  ({our_seconds:.1f} s)")
    print(f"import-csv, re-run:   {args.rows / again.seconds:10,.0f} rows/s  (upserts, nothing new)")
    print(f"ratio import/raw:     {our_rate / raw_rate:10.2f}   (target >= 0.5)")


if __name__ == "__main__":
    main()
