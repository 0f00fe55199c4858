"""Expected completion per office and procedure (lookup.expected): its source rows and its table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, delete, select

from lookup.expected import Figures, Finished
from lookup.store.offices import DOSSIERS_WITH_OFFICE, office
from lookup.store.schema import dossiers, expected_times
from lookup.store.stats import FINISHED_ON_TIME


def finished_between(conn: Connection, since: datetime, until: datetime) -> Iterator[Finished]:
    """Dossiers first finished in [since, until), with the office that now acts for theirs."""
    d = dossiers.c
    stmt = (select(office.c.id, d.procedure_name_vi, d.received_at, d.finished_at,
                   FINISHED_ON_TIME.label("on_time"))
            .select_from(DOSSIERS_WITH_OFFICE)
            .where(d.finished_at >= since, d.finished_at < until)
            .execution_options(yield_per=5000))
    for row in conn.execute(stmt):
        yield Finished(row[0], row[1], row[2], row[3], bool(row[4]))


def replace_all(conn: Connection, found: Mapping[tuple[str, str], Figures], now: datetime) -> None:
    """The table becomes `found` (in the caller's transaction: readers see the old or the new)."""
    conn.execute(delete(expected_times))
    rows = [{"office_id": office_id, "procedure": procedure, "samples": f.samples,
             "p50_working_days": f.p50_working_days, "p90_working_days": f.p90_working_days,
             "on_time_share": f.on_time_share, "computed_at": now}
            for (office_id, procedure), f in found.items()]
    for start in range(0, len(rows), 5000):
        conn.execute(expected_times.insert(), rows[start:start + 5000])


def table(conn: Connection, min_samples: int) -> Sequence[Row]:
    """Every office and procedure with enough samples, with the office's names, for /thong-ke."""
    e = expected_times.c
    stmt = (select(e.office_id, office.c.name_vi, office.c.name_en, e.procedure, e.samples,
                   e.p50_working_days, e.p90_working_days, e.on_time_share, e.computed_at)
            .select_from(expected_times.join(office, office.c.id == e.office_id))
            .where(e.samples >= min_samples)
            .order_by(office.c.name_vi, e.office_id, e.procedure))
    return conn.execute(stmt).all()
