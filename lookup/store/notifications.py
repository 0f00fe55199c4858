"""The alerts outbox and the delivery reports that come back for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from lookup import delivery
from lookup.store.schema import notifications


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
