"""Keys the back-office uses to push dossiers; each belongs to one agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

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
