"""The year's announced swaps of working days (lookup.calendar.Swap), as an operator imported them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, extract, select

from lookup.calendar import Swap
from lookup.store.dossiers import _insert
from lookup.store.schema import calendar_days


def all_swaps(conn: Connection) -> list[Swap]:
    found = conn.execute(select(calendar_days.c.day, calendar_days.c.kind, calendar_days.c.reason)
                         .order_by(calendar_days.c.day))
    return [Swap(row.day, row.kind, row.reason) for row in found]


def put(conn: Connection, swaps: Sequence[Swap], now: datetime) -> None:
    """Store the swaps; a day already stored takes the new kind and reason."""
    if not swaps:
        return
    stmt = _insert(conn, calendar_days)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[calendar_days.c.day],
        set_={"kind": stmt.excluded.kind, "reason": stmt.excluded.reason,
              "updated_at": stmt.excluded.updated_at},
    ), [{"day": s.day, "kind": s.kind, "reason": s.reason, "updated_at": now} for s in swaps])


def remove_years(conn: Connection, years: Sequence[int]) -> int:
    """Forget the swaps of these years; how many there were."""
    if not years:
        return 0
    return conn.execute(delete(calendar_days).where(
        extract("year", calendar_days.c.day).in_(list(years)))).rowcount


