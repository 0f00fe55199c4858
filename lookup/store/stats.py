"""On-time figures per office for one month, counted in the database in one grouped query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, and_, case, func, not_, or_, select

from lookup.store.offices import DOSSIERS_WITH_OFFICE, office
from lookup.store.schema import dossiers

# Finished by the due date in force (a date moved by an apology counts as the new date); a
# dossier with no due date is on time. The on-time rate and the expected completion share it.
FINISHED_ON_TIME = or_(dossiers.c.due_at.is_(None), dossiers.c.finished_at <= dossiers.c.due_at)


def earliest_received(conn: Connection) -> datetime | None:
    """When the first dossier was received (the received_at index answers it)."""
    return conn.execute(select(func.min(dossiers.c.received_at))).scalar_one_or_none()


def office_counts(conn: Connection, start: datetime, end: datetime, as_of: datetime,
                  resolved: Sequence[str], ended: Sequence[str]) -> Sequence[Row]:
    """One row per office with anything to count between `start` and `end` (UTC, end excluded).
    An office merged into another counts under that one, its dossiers' office now.

    `as_of` is the moment "in progress" is judged at: the month's end, or now for this month.
    `ended` are the final statuses that are not a result (withdrawn, refused, stopped): from
    their status time on, those dossiers are no longer in progress.
    """
    d = dossiers.c
    finished_in_month = and_(d.finished_at >= start, d.finished_at < end)
    on_time = and_(finished_in_month, FINISHED_ON_TIME)
    in_progress = and_(
        d.received_at <= as_of,
        or_(d.finished_at.is_(None), d.finished_at > as_of),
        not_(and_(d.status.in_(ended), d.status_at <= as_of)),
        # A dossier finished through an event we never saw still counts as finished.
        not_(and_(d.status.in_(resolved), d.finished_at.is_(None))),
    )
    overdue = and_(in_progress, d.due_at.is_not(None), d.due_at < as_of)

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = (
        select(
            office.c.id.label("office_id"),
            office.c.name_vi,
            office.c.name_en,
            count(and_(d.received_at >= start, d.received_at < end)).label("received"),
            count(finished_in_month).label("resolved"),
            count(on_time).label("resolved_on_time"),
            count(in_progress).label("in_progress"),
            count(overdue).label("overdue_in_progress"),
        )
        .select_from(DOSSIERS_WITH_OFFICE)
        # Nothing received after the month can count in it.
        .where(d.received_at < end)
        .group_by(office.c.id, office.c.name_vi, office.c.name_en)
        .order_by(office.c.id)
    )
    return conn.execute(stmt).all()
