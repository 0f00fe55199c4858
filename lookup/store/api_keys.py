"""Keys the back-office uses to push dossiers; each belongs to one agency."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, func, select, update

from lookup.store.offices import acting_office
from lookup.store.schema import agencies, api_keys


def add(conn: Connection, agency_id: str, key_hash: str, label: str, now: datetime) -> int:
    stmt = api_keys.insert().values(agency_id=agency_id, key_hash=key_hash, label=label, created_at=now)
    return conn.execute(stmt.returning(api_keys.c.id)).scalar_one()


def agency_for(conn: Connection, key_hash: str) -> str | None:
    """The agency a live key acts for: its own, or the office its own was merged into."""
    stmt = (
        select(acting_office(agencies))
        .select_from(api_keys.join(agencies, agencies.c.id == api_keys.c.agency_id))
        .where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
    )
    return conn.execute(stmt).scalar_one_or_none()


def count_for_agency(conn: Connection, agency_id: str) -> int:
    return conn.execute(select(func.count()).select_from(api_keys).where(
        api_keys.c.agency_id == agency_id, api_keys.c.revoked_at.is_(None))).scalar_one()


def for_agency(conn: Connection, agency_id: str) -> Sequence[Row]:
    """An agency's keys, newest first: id, label, created_at, revoked_at (never the hash)."""
    stmt = (select(api_keys.c.id, api_keys.c.label, api_keys.c.created_at, api_keys.c.revoked_at)
            .where(api_keys.c.agency_id == agency_id).order_by(api_keys.c.id.desc()))
    return conn.execute(stmt).all()


def find(conn: Connection, key_id: int | None, key_hash: str | None) -> Row | None:
    """A key by its id or by the hash of the key itself."""
    condition = api_keys.c.id == key_id if key_id is not None else api_keys.c.key_hash == key_hash
    return conn.execute(select(api_keys).where(condition)).first()


def revoke(conn: Connection, key_id: int, now: datetime) -> bool:
    """Revoke a live key; False when it already was."""
    result = conn.execute(update(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return result.rowcount == 1
