"""Bulk import of dossiers from a legacy system's CSV export.

Rows are checked with the same rules as the ingest API, then written a batch per transaction
with one multi-row upsert, so a million rows take minutes, not hours. Running the same file
again changes nothing: codes are upserted, a PIN once issued is kept, and an older export
never undoes a newer status.
"""

from __future__ import annotations

import csv
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from lookup import history
from lookup.ingest import DossierFields, FieldError, dossier_fields, is_utf8
from lookup.service import Service, statement
from lookup.store import dossiers as rows

log = logging.getLogger(__name__)
REQUIRED_COLUMNS = ("code", "agency_id", "procedure_name", "applicant_name", "applicant_phone",
                    "received_at", "due_at", "status")
OPTIONAL_COLUMNS = ("procedure_name_en", "status_at", "language", "pin", "note", "handling_office")
MAX_FIELD = 4000


@dataclass
class ImportReport:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    placeholder_agencies: set[str] = field(default_factory=set)
    known_agencies: set[str] = field(default_factory=set)


class BadFile(ValueError):
    """The file as a whole cannot be read (wrong header, not a CSV)."""


def import_file(service: Service, path: str, *, batch_size: int = 2000,
                progress: bool = True) -> ImportReport:
    total = _count_lines(path) - 1
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        return import_lines(service, handle, total=total, batch_size=batch_size, progress=progress)


def import_lines(service: Service, handle: Any, *, total: int | None = None,
                 batch_size: int = 2000, progress: bool = False) -> ImportReport:
    header_line = handle.readline()
    dialect = "excel-tab" if "\t" in header_line else "excel"
    delimiter = ";" if dialect == "excel" and header_line.count(";") > header_line.count(",") else ","
    header = next(csv.reader([header_line], dialect=dialect, delimiter=delimiter), [])
    header = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise BadFile("missing columns: " + ", ".join(missing))
    csv.field_size_limit(MAX_FIELD * 4)
    reader = csv.reader(handle, dialect=dialect, delimiter=delimiter)
    report = ImportReport()
    bar = _progress(total, progress)
    batch: dict[str, tuple[int, DossierFields]] = {}
    for line_no, values in _numbered(reader):
        bar.update(1)
        parsed = _parse_row(header, values, line_no, report)
        if parsed is None:
            continue
        earlier = batch.get(parsed.code.match_key)
        if earlier is not None:
            report.rejected.append((earlier[0], f"code repeated on line {line_no}; the later line wins"))
        batch[parsed.code.match_key] = (line_no, parsed)
        if len(batch) >= batch_size:
            _write(service, batch, report)
            batch = {}
    if batch:
        _write(service, batch, report)
    bar.close()
    report.rejected.sort()
    log.info("import: %d rows imported, %d rejected", report.imported, len(report.rejected))
    if report.placeholder_agencies:
        log.info("import: offices new to us, stored as placeholders to describe: %s",
                 ", ".join(sorted(report.placeholder_agencies)))
    return report


def _numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Rows with their line number in the file (the header, read apart, is line 1)."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as bad:
            yield reader.line_num + 1, [f"\0{bad}"]
            continue
        if values:
            yield reader.line_num + 1, values


def _parse_row(header: list[str], values: list[str], line_no: int,
               report: ImportReport) -> DossierFields | None:
    if values and values[0].startswith("\0"):
        report.rejected.append((line_no, f"unreadable CSV: {values[0][1:]}"))
        return None
    if len(values) != len(header):
        report.rejected.append((line_no, f"expected {len(header)} columns, found {len(values)}"))
        return None
    record = dict(zip(header, values, strict=True))
    try:
        "".join(values).encode("utf-8")
    except UnicodeEncodeError:
        # Bytes that were not UTF-8 were read as lone surrogates; name the first such column.
        name = next(n for n, v in record.items() if not is_utf8(v))
        report.rejected.append((line_no, f"{name}: not UTF-8 (save the file as CSV UTF-8)"))
        return None
    body = {k: v for k, v in record.items() if v != "" and k in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    try:
        return dossier_fields(record.get("code", ""), body)
    except FieldError as bad:
        report.rejected.append((line_no, f"{bad.field}: {bad.problem}"))
        return None


def _write(service: Service, batch: dict[str, tuple[int, DossierFields]], report: ImportReport) -> None:
    now = service.clock()
    try:
        with service.store.begin() as conn:
            _write_batch(conn, service, [f for _, f in batch.values()], now, report)
        report.imported += len(batch)
    except SQLAlchemyError:
        report.known_agencies.clear()  # placeholders made in the failed batch were rolled back
        # One bad row must not sink its neighbours: find it by writing them one by one.
        for line_no, fields in batch.values():
            try:
                with service.store.begin() as conn:
                    _write_batch(conn, service, [fields], now, report)
                report.imported += 1
            except SQLAlchemyError as error:
                report.rejected.append((line_no, f"database refused the row: {error.orig}"))


def _write_batch(conn: Any, service: Service, batch: list[DossierFields], now: Any,
                 report: ImportReport) -> None:
    for agency_id in {f.agency_id for f in batch} - report.known_agencies:
        if rows.get_agency(conn, agency_id) is None:
            rows.ensure_agency(conn, agency_id, now)
            report.placeholder_agencies.add(agency_id)
        report.known_agencies.add(agency_id)
    known = rows.stored_states(conn, [f.code.match_key for f in batch])
    events = rows.events_of(conn, [row.id for row in known.values()])
    new, changed = [], []
    for f in batch:
        row = known.get(f.code.match_key)
        stored = history.State.of_row(row) if row is not None else None
        said = statement(f, live=False)
        said = replace(said, status_at=history.statement_time(said, stored, now))
        # The imported state is the dossier's own; it needs no event row (lookup.history).
        state = history.derive(events.get(row.id, ()) if row is not None else (), stored, said)
        values = {
            "code": f.code.display,
            "keypad": f.code.keypad,
            "agency_id": f.agency_id,
            "procedure_name_vi": f.procedure_name_vi,
            "procedure_name_en": f.procedure_name_en,
            "applicant_name": f.applicant_name,
            "applicant_phone": f.applicant_phone,
            "language": f.language,
            "received_at": f.received_at,
            **state.columns(),
            "updated_at": now,
        }
        if row is None:
            new.append({**values, "match_key": f.code.match_key, "pin": f.pin or service.new_pin()})
        else:
            changed.append({**values, "dossier_id": row.id})  # a PIN once issued is kept
    rows.import_dossiers(conn, new, changed)


def _count_lines(path: str) -> int:
    count = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


class _NoBar:
    def update(self, _n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int | None, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit=" rows", file=sys.stderr, mininterval=0.5, smoothing=0.1)
