"""The alerts outbox and the delivery reports that come back for it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lookup import delivery
from lookup.store.offices import DOSSIERS_WITH_OFFICE, OFFICE_COLUMNS
from lookup.store.schema import alert_switches, dossiers, notifications, phones


def record_delivery(conn: Connection, provider: str, provider_message_id: str, status: str,
                    error: str, now: datetime) -> bool:
    """Apply a delivery report; False when no text has that id or the report is stale."""
    row = conn.execute(
        select(notifications.c.id, notifications.c.status).where(
            notifications.c.provider == provider,
            notifications.c.provider_message_id == provider_message_id,
        )
    ).first()
    if row is None or not delivery.can_move(row.status, status):
        return False
    conn.execute(
        update(notifications)
        .where(notifications.c.id == row.id, notifications.c.status == row.status)
        .values(status=status, error=error or notifications.c.error, updated_at=now)
    )
    return True


# The outbox, written by the alert worker (worker/): one row per (dossier, cause, kind, phone).

def _insert(conn: Connection, table):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


_ALERT_COLUMNS = (
    dossiers.c.id,
    dossiers.c.code,
    dossiers.c.agency_id,
    dossiers.c.applicant_phone,
    dossiers.c.language,
    dossiers.c.status,
    dossiers.c.status_at,
    dossiers.c.note,
    dossiers.c.due_at,
    *OFFICE_COLUMNS,
    phones.c.language.label("phone_language"),
    func.coalesce(phones.c.opted_out, False).label("opted_out"),
)
_ALERT_FROM = DOSSIERS_WITH_OFFICE.outerjoin(phones, phones.c.phone == dossiers.c.applicant_phone)


def dossier_for_alert(conn: Connection, dossier_id: int) -> Row | None:
    """What an alert text needs: the dossier, its office, and what its phone asked of us."""
    stmt = select(*_ALERT_COLUMNS).select_from(_ALERT_FROM).where(dossiers.c.id == dossier_id)
    return conn.execute(stmt).first()


def overdue_dossiers(conn: Connection, now: datetime, since: datetime, final: Sequence[str],
                     limit: int, after_id: int = 0) -> Sequence[Row]:
    """Unfinished dossiers whose due date passed between `since` and `now`, by id."""
    stmt = (select(*_ALERT_COLUMNS).select_from(_ALERT_FROM)
            .where(dossiers.c.due_at < now, dossiers.c.due_at >= since,
                   dossiers.c.status.not_in(list(final)), dossiers.c.id > after_id)
            .order_by(dossiers.c.id).limit(limit))
    return conn.execute(stmt).all()


def waiting_for_pickup(conn: Connection, ready_before: datetime, since: datetime, limit: int,
                       after_id: int = 0) -> Sequence[Row]:
    """Dossiers ready for pickup since between `since` and `ready_before`, by id."""
    stmt = (select(*_ALERT_COLUMNS).select_from(_ALERT_FROM)
            .where(dossiers.c.status == "ready", dossiers.c.status_at < ready_before,
                   dossiers.c.status_at >= since, dossiers.c.id > after_id)
            .order_by(dossiers.c.id).limit(limit))
    return conn.execute(stmt).all()


def disabled_kinds(conn: Connection, agency_id: str) -> frozenset[str]:
    stmt = select(alert_switches.c.kind).where(alert_switches.c.agency_id == agency_id,
                                               alert_switches.c.enabled.is_(False))
    return frozenset(conn.execute(stmt).scalars())


def set_switch(conn: Connection, agency_id: str, kind: str, enabled: bool, now: datetime) -> None:
    stmt = _insert(conn, alert_switches).values(agency_id=agency_id, kind=kind, enabled=enabled,
                                                updated_at=now)
    conn.execute(stmt.on_conflict_do_update(index_elements=["agency_id", "kind"],
                                            set_={"enabled": enabled, "updated_at": now}))


def switches(conn: Connection) -> Sequence[Row]:
    return conn.execute(select(alert_switches).order_by(alert_switches.c.agency_id,
                                                        alert_switches.c.kind)).all()


def insert(conn: Connection, values: dict[str, Any]) -> int | None:
    """The new row's id; None when this (dossier, cause, kind) already has one for this phone."""
    stmt = (_insert(conn, notifications).values(**values)
            .on_conflict_do_nothing(index_elements=["dossier_id", "cause", "kind", "to_phone"])
            .returning(notifications.c.id))
    return conn.execute(stmt).scalar_one_or_none()


def get(conn: Connection, notification_id: int) -> Row | None:
    return conn.execute(select(notifications).where(notifications.c.id == notification_id)).first()


def compare_and_set(conn: Connection, notification_id: int, expected: dict[str, Any],
                    values: dict[str, Any]) -> bool:
    """Change the row only if it still holds `expected` (None means IS NULL); whether it did.

    This is what keeps two workers from both sending one text: only one UPDATE matches.
    """
    stmt = _cas_statement(tuple((name, value is None) for name, value in expected.items()), tuple(values))
    params = {"_id": notification_id, **{f"_e_{k}": v for k, v in expected.items() if v is not None},
              **{f"_v_{k}": v for k, v in values.items()}}
    return conn.execute(stmt, params).rowcount == 1


@lru_cache(maxsize=64)
def _cas_statement(expected: tuple[tuple[str, bool], ...], names: tuple[str, ...]):
    """One UPDATE per shape of compare-and-set, built once: a job makes two or three of them,
    and building the statement cost as much as running it on SQLite."""
    conditions = [notifications.c.id == bindparam("_id")]
    for name, is_null in expected:
        column = notifications.c[name]
        conditions.append(column.is_(None) if is_null else column == bindparam(f"_e_{name}"))
    return update(notifications).where(*conditions).values({name: bindparam(f"_v_{name}") for name in names})


def left_behind(conn: Connection, due_before: datetime, orphaned_before: datetime, limit: int,
                after_id: int = 0) -> Sequence[Row]:
    """Rows that should have a job in Redis: due and waiting, or `sending` for too long; by id."""
    due = func.coalesce(notifications.c.send_after, notifications.c.created_at)
    waiting = and_(notifications.c.status == delivery.QUEUED, due <= due_before)
    between_tries = and_(notifications.c.status == delivery.SENDING, notifications.c.sending_at.is_(None),
                         func.coalesce(notifications.c.send_after, notifications.c.updated_at) <= due_before)
    orphaned = and_(notifications.c.status == delivery.SENDING,
                    notifications.c.sending_at < orphaned_before)
    stmt = (select(notifications.c.id, notifications.c.status, notifications.c.send_after,
                   notifications.c.sending_at)
            .where(or_(waiting, between_tries, orphaned), notifications.c.id > after_id)
            .order_by(notifications.c.id).limit(limit))
    return conn.execute(stmt).all()


def counts(conn: Connection) -> Sequence[Row]:
    """(status, kind, n) for every pair that has rows."""
    stmt = (select(notifications.c.status, notifications.c.kind, func.count().label("n"))
            .group_by(notifications.c.status, notifications.c.kind)
            .order_by(notifications.c.status, notifications.c.kind))
    return conn.execute(stmt).all()


def failures(conn: Connection, limit: int = 50) -> Sequence[Row]:
    stmt = (select(notifications.c.id, notifications.c.kind, notifications.c.status,
                   notifications.c.error, notifications.c.attempts, notifications.c.updated_at,
                   dossiers.c.code)
            .select_from(notifications.join(dossiers, dossiers.c.id == notifications.c.dossier_id))
            .where(notifications.c.status.in_([delivery.FAILED, delivery.UNDELIVERED]))
            .order_by(notifications.c.updated_at.desc(), notifications.c.id.desc()).limit(limit))
    return conn.execute(stmt).all()


def channel_counts(conn: Connection) -> Sequence[Row]:
    """(channel, n): how many alerts each channel carries or carried (skipped ones left out)."""
    stmt = (select(notifications.c.channel, func.count().label("n"))
            .where(notifications.c.status != delivery.SKIPPED)
            .group_by(notifications.c.channel).order_by(notifications.c.channel))
    return conn.execute(stmt).all()


def fallbacks(conn: Connection, limit: int = 10) -> tuple[int, Sequence[Row]]:
    """How many alerts an earlier channel could not carry, and the newest of them with why."""
    moved = notifications.c.fallback_reason != ""
    total = conn.execute(select(func.count()).select_from(notifications)
                         .where(moved, notifications.c.status != delivery.SKIPPED)).scalar_one()
    stmt = (select(notifications.c.id, notifications.c.kind, notifications.c.channel,
                   notifications.c.fallback_reason, dossiers.c.code)
            .select_from(notifications.join(dossiers, dossiers.c.id == notifications.c.dossier_id))
            .where(moved, notifications.c.status != delivery.SKIPPED)
            .order_by(notifications.c.updated_at.desc(), notifications.c.id.desc()).limit(limit))
    return total, conn.execute(stmt).all()


def possible_duplicates(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.sum(notifications.c.possible_duplicates), 0))).scalar_one()


def add_possible_duplicate(conn: Connection, notification_id: int) -> None:
    conn.execute(update(notifications).where(notifications.c.id == notification_id)
                 .values(possible_duplicates=notifications.c.possible_duplicates + 1))


# Built once: a statement made per call is walked again for SQLAlchemy's cache key and
# compiled parameters every time (most of the read's cost, once per alert job).
_FOR_SENDING = (
    select(notifications, func.coalesce(phones.c.opted_out, False).label("opted_out"), dossiers.c.demo)
    .select_from(notifications.join(dossiers, dossiers.c.id == notifications.c.dossier_id)
                 .outerjoin(phones, phones.c.phone == notifications.c.to_phone))
    .where(notifications.c.id == bindparam("notification_id"))
)


def get_for_sending(conn: Connection, notification_id: int) -> Row | None:
    """The row, whether its number opted out since it was written, and whether its dossier is
    the demo's, in one query."""
    return conn.execute(_FOR_SENDING, {"notification_id": notification_id}).first()
