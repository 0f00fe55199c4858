"""Wrong PINs per dossier, and the lock they lead to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, select, update

from lookup.store.schema import dossiers, pin_failures


def add_failure(conn: Connection, dossier_id: int, at: datetime, channel: str, since: datetime) -> int:
    """Record one wrong PIN (forgetting this dossier's older than `since`); how many since."""
    conn.execute(delete(pin_failures).where(pin_failures.c.dossier_id == dossier_id,
                                            pin_failures.c.at < since))
    conn.execute(pin_failures.insert().values(dossier_id=dossier_id, at=at, channel=channel[:8]))
    return conn.execute(select(func.count()).select_from(pin_failures).where(
        pin_failures.c.dossier_id == dossier_id, pin_failures.c.at >= since)).scalar_one()


def lock(conn: Connection, dossier_id: int, until: datetime | None) -> None:
    """Lock (or with None, unlock) PINs for a dossier; its count starts again either way."""
    conn.execute(update(dossiers).where(dossiers.c.id == dossier_id).values(pin_locked_until=until))
    conn.execute(delete(pin_failures).where(pin_failures.c.dossier_id == dossier_id))
