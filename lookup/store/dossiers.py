"""Agencies, dossiers and their events."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, and_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lookup.store.offices import DOSSIERS_WITH_OFFICE, OFFICE_COLUMNS, acting_office, office
from lookup.store.prepared import PreparedRead
from lookup.store.schema import agencies, dossiers, events, expected_times, extra_recipients

if TYPE_CHECKING:
    from lookup.store.db import Store


def _insert(conn: Connection, table):
    """INSERT that understands ON CONFLICT on both databases we run on."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


# Agencies

def get_agency(conn: Connection, agency_id: str) -> Row | None:
    return conn.execute(select(agencies).where(agencies.c.id == agency_id)).first()


def upsert_agency(conn: Connection, values: dict[str, Any]) -> None:
    stmt = _insert(conn, agencies).values(**values)
    changes = {k: stmt.excluded[k] for k in values if k != "id"}
    conn.execute(stmt.on_conflict_do_update(index_elements=[agencies.c.id], set_=changes))


def ensure_agency(conn: Connection, agency_id: str, now: datetime) -> None:
    """A placeholder row so an API key can exist before the office describes itself."""
    stmt = _insert(conn, agencies).values(id=agency_id, name_vi=agency_id, name_en="",
                                          address="", pickup_hours="", hotline="", updated_at=now)
    conn.execute(stmt.on_conflict_do_nothing(index_elements=[agencies.c.id]))


# The national electronic ID of an agency (mã định danh điện tử, e.g. 000.00.04.H40): a code
# that starts with one belongs to that agency, even before it describes itself here.
_NATIONAL_EID = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")


def agency_ids(conn: Connection) -> list[str]:
    """Every office's e-ID (merged ones too: their codes still resolve)."""
    return list(conn.execute(select(agencies.c.id).order_by(agencies.c.id)).scalars())


def code_owner(conn: Connection, code: str) -> str | None:
    """The agency whose e-ID a code starts with (before a dash), if any: the longest known
    agency id that prefixes it, else a national e-ID shape, else None."""
    parts = code.split("-")
    prefixes = ["-".join(parts[:i]) for i in range(1, len(parts))]
    if not prefixes:
        return None
    known = conn.execute(select(agencies.c.id).where(agencies.c.id.in_(prefixes))).scalars().all()
    if known:
        return max(known, key=len)
    return parts[0] if _NATIONAL_EID.match(parts[0]) else None


def office_of(conn: Connection, agency_id: str) -> str | None:
    """The office that now acts for an agency: itself, or the one it was merged into."""
    stmt = select(acting_office(agencies)).where(agencies.c.id == agency_id)
    return conn.execute(stmt).scalar_one_or_none()


def merged_into(conn: Connection, agency_id: str) -> Sequence[str]:
    """The agencies merged into this one."""
    stmt = select(agencies.c.id).where(agencies.c.merged_into == agency_id).order_by(agencies.c.id)
    return conn.execute(stmt).scalars().all()


def set_merged_into(conn: Connection, agency_ids: Sequence[str], office_id: str | None) -> None:
    conn.execute(update(agencies).where(agencies.c.id.in_(agency_ids)).values(merged_into=office_id))


def count_for_agency(conn: Connection, agency_id: str) -> int:
    return conn.execute(select(func.count()).select_from(dossiers)
                        .where(dossiers.c.agency_id == agency_id)).scalar_one()


# Dossiers

# What a lookup shows or checks: the dossier (not its search keys or bookkeeping), the office
# it is shown with and, where that office took it over in a merger, the one that filed it.
_PUBLIC_COLUMNS = (
    *(dossiers.c[name] for name in (
        "id", "code", "agency_id", "procedure_name_vi", "procedure_name_en", "applicant_name",
        "applicant_phone", "language", "pin", "received_at", "original_due_at", "due_at",
        "status", "status_at", "note", "handling_office", "receipt_version", "pin_locked_until",
    )),
    *OFFICE_COLUMNS,
)
# The expected completion of the dossier's procedure at its office (lookup.expected), read in
# the same query: a lookup that shows it costs no extra round trip.
_EXPECTED_COLUMNS = (
    expected_times.c.samples.label("expected_samples"),
    expected_times.c.p50_working_days.label("expected_p50"),
    expected_times.c.p90_working_days.label("expected_p90"),
    expected_times.c.on_time_share.label("expected_on_time_share"),
)
_LOOKUP_FROM = DOSSIERS_WITH_OFFICE.outerjoin(expected_times, and_(
    expected_times.c.office_id == office.c.id,
    expected_times.c.procedure == dossiers.c.procedure_name_vi,
))
_LOOKUP_COLUMNS = (*_PUBLIC_COLUMNS, *_EXPECTED_COLUMNS)
_BY_MATCH_KEY = select(*_LOOKUP_COLUMNS).select_from(_LOOKUP_FROM).where(
    dossiers.c.match_key == bindparam("match_key")
)
# Without the expected completion: the benchmark's baseline (bench/expected_lookup.py).
_BY_MATCH_KEY_PLAIN = select(*_PUBLIC_COLUMNS).select_from(DOSSIERS_WITH_OFFICE).where(
    dossiers.c.match_key == bindparam("match_key")
)
# A proven lookup also shows the dossier's extra phone for alerts (lookup.recipients).
_EXTRA_COLUMNS = (
    extra_recipients.c.phone.label("extra_phone"),
    extra_recipients.c.confirmed_at.label("extra_confirmed_at"),
    extra_recipients.c.code_expires_at.label("extra_code_expires_at"),
)
_WITH_EVENTS = (
    select(*_LOOKUP_COLUMNS, *_EXTRA_COLUMNS, events.c.status.label("event_status"),
           events.c.at.label("event_at"), events.c.note.label("event_note"),
           events.c.due_at.label("event_due_at"))
    .select_from(_LOOKUP_FROM
                 .outerjoin(extra_recipients, extra_recipients.c.dossier_id == dossiers.c.id)
                 .outerjoin(events, events.c.dossier_id == dossiers.c.id))
    .where(dossiers.c.match_key == bindparam("match_key"))
    .order_by(events.c.at, events.c.id)
)


_LOOKUP = PreparedRead(_BY_MATCH_KEY)
_LOOKUP_PLAIN = PreparedRead(_BY_MATCH_KEY_PLAIN)
_LOOKUP_WITH_EVENTS = PreparedRead(_WITH_EVENTS)


def look_up(store: Store, match_key: str, *, expected: bool = True) -> Any | None:
    """A lookup's dossier with its office (and, unless asked not to, its procedure's expected
    completion there), in one indexed query outside any transaction (lookup.store.prepared)."""
    return (_LOOKUP if expected else _LOOKUP_PLAIN).first(store.engine, match_key=match_key)


def look_up_with_events(store: Store, match_key: str) -> tuple[Any, list[Any]] | None:
    """The dossier with its office and its events, oldest first, in one query: a proven
    lookup costs one round trip to the database, not two. Each event row carries
    `event_status`, `event_at`, `event_note` and `event_due_at`."""
    found = _LOOKUP_WITH_EVENTS.all(store.engine, match_key=match_key)
    if not found:
        return None
    return found[0], [row for row in found if row.event_at is not None]


def find_by_keypad(conn: Connection, keypad: str, limit: int = 5) -> Sequence[Row]:
    stmt = (select(*_LOOKUP_COLUMNS).select_from(_LOOKUP_FROM)
            .where(dossiers.c.keypad == keypad).order_by(dossiers.c.id).limit(limit))
    return conn.execute(stmt).all()


def get_for_update(conn: Connection, match_key: str) -> Row | None:
    stmt = select(dossiers).where(dossiers.c.match_key == match_key)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def get_by_id(conn: Connection, dossier_id: int) -> Row | None:
    return conn.execute(select(dossiers).where(dossiers.c.id == dossier_id)).first()


def insert_dossier(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(dossiers.insert().values(**values).returning(dossiers.c.id)).scalar_one()


def update_dossier(conn: Connection, dossier_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(dossiers).where(dossiers.c.id == dossier_id).values(**values))


_STATE_COLUMNS = ("status", "status_at", "note", "original_due_at", "due_at", "handling_office",
                  "finished_at")


def stored_states(conn: Connection, match_keys: Sequence[str]) -> dict[str, Row]:
    """The known dossiers among these codes: id, PIN and state columns, by match key (locked
    for this transaction on PostgreSQL, as `get_for_update` does)."""
    found: dict[str, Row] = {}
    columns = [dossiers.c.id, dossiers.c.match_key, dossiers.c.pin,
               *(dossiers.c[name] for name in _STATE_COLUMNS)]
    for start in range(0, len(match_keys), 500):
        stmt = select(*columns).where(dossiers.c.match_key.in_(match_keys[start:start + 500]))
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        found.update((row.match_key, row) for row in conn.execute(stmt))
    return found


def events_of(conn: Connection, dossier_ids: Sequence[int]) -> dict[int, list[Row]]:
    """Every event of these dossiers, oldest first (as `history`), by dossier id."""
    found: dict[int, list[Row]] = {}
    for start in range(0, len(dossier_ids), 500):
        stmt = (select(events).where(events.c.dossier_id.in_(dossier_ids[start:start + 500]))
                .order_by(events.c.dossier_id, events.c.at, events.c.id))
        for row in conn.execute(stmt):
            found.setdefault(row.dossier_id, []).append(row)
    return found


_UPDATE_BY_ID = update(dossiers).where(dossiers.c.id == bindparam("dossier_id"))


def import_dossiers(conn: Connection, new: list[dict[str, Any]], changed: list[dict[str, Any]]) -> None:
    """Write many dossiers at once: a plain executemany for the new ones, and one for the known
    ones, each row carrying its `dossier_id` and the values to set."""
    if new:
        conn.execute(dossiers.insert(), new)
    if changed:
        conn.execute(_UPDATE_BY_ID, changed)


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(dossiers)).scalar_one()


# Events

def insert_event(conn: Connection, values: dict[str, Any]) -> int | None:
    """The new event's id, or None when this very event (dossier, status, time) is stored."""
    stmt = (_insert(conn, events).values(**values)
            .on_conflict_do_nothing(index_elements=["dossier_id", "status", "at"])
            .returning(events.c.id))
    return conn.execute(stmt).scalar_one_or_none()


def history(conn: Connection, dossier_id: int) -> Sequence[Row]:
    """Every event of a dossier, oldest first (by when it happened, then by arrival)."""
    stmt = select(events).where(events.c.dossier_id == dossier_id).order_by(events.c.at, events.c.id)
    return conn.execute(stmt).all()


# Built once: every proven lookup runs it, and building it costs more than running it.
_TIMELINE = (select(events.c.status, events.c.at, events.c.note, events.c.due_at)
             .where(events.c.dossier_id == bindparam("dossier_id")).order_by(events.c.at, events.c.id))


def timeline(conn: Connection, dossier_id: int) -> Sequence[Row]:
    return conn.execute(_TIMELINE, {"dossier_id": dossier_id}).all()
