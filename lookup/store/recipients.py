"""The extra phone of each dossier (lookup.recipients), as rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from lookup.store.schema import dossiers, extra_recipients, phones


def get(conn: Connection, dossier_id: int) -> Row | None:
    return conn.execute(select(extra_recipients).where(extra_recipients.c.dossier_id == dossier_id)).first()


def put(conn: Connection, dossier_id: int, values: dict[str, Any], now: datetime) -> None:
    """Insert or replace the dossier's row (the dossier row is locked by the caller)."""
    changed = conn.execute(update(extra_recipients).where(extra_recipients.c.dossier_id == dossier_id)
                           .values(**values, updated_at=now))
    if not changed.rowcount:
        conn.execute(extra_recipients.insert().values(dossier_id=dossier_id, created_at=now,
                                                      updated_at=now, **values))


def waiting_for(conn: Connection, phone: str) -> Sequence[Row]:
    """Rows whose code was sent to `phone` and not answered yet, with their dossier's code."""
    stmt = (select(extra_recipients, dossiers.c.code.label("dossier_code"))
            .select_from(extra_recipients.join(dossiers, dossiers.c.id == extra_recipients.c.dossier_id))
            .where(extra_recipients.c.phone == phone, extra_recipients.c.code_hash != "",
                   extra_recipients.c.confirmed_at.is_(None))
            .order_by(extra_recipients.c.dossier_id))
    return conn.execute(stmt).all()


def confirm(conn: Connection, dossier_id: int, code_hash: str, now: datetime) -> bool:
    """Confirm the row if it still waits on this code (two texts at once confirm once)."""
    changed = conn.execute(update(extra_recipients)
                           .where(extra_recipients.c.dossier_id == dossier_id,
                                  extra_recipients.c.code_hash == code_hash,
                                  extra_recipients.c.confirmed_at.is_(None))
                           .values(confirmed_at=now, code_hash="", code_expires_at=None, tries=0,
                                   updated_at=now))
    return changed.rowcount == 1


def count_wrong(conn: Connection, dossier_ids: Sequence[int], max_tries: int, now: datetime) -> None:
    """One more wrong code for each; those at `max_tries` stop waiting (the phone is dropped)."""
    if not dossier_ids:
        return
    table = extra_recipients
    conn.execute(update(table).where(table.c.dossier_id.in_(list(dossier_ids)))
                 .values(tries=table.c.tries + 1, updated_at=now))
    conn.execute(update(table).where(table.c.dossier_id.in_(list(dossier_ids)),
                                     table.c.tries >= max_tries, table.c.confirmed_at.is_(None))
                 .values(phone="", code_hash="", code_expires_at=None, updated_at=now))


def remove_phone(conn: Connection, phone: str, now: datetime) -> int:
    """The number said STOP: it is no dossier's extra phone any more. How many it was."""
    changed = conn.execute(update(extra_recipients).where(extra_recipients.c.phone == phone)
                           .values(phone="", code_hash="", code_expires_at=None, confirmed_at=None,
                                   tries=0, updated_at=now))
    return changed.rowcount


def remove(conn: Connection, dossier_id: int, now: datetime) -> None:
    conn.execute(update(extra_recipients).where(extra_recipients.c.dossier_id == dossier_id)
                 .values(phone="", code_hash="", code_expires_at=None, confirmed_at=None, tries=0,
                         updated_at=now))


def for_alert(conn: Connection, dossier_id: int) -> Sequence[Row]:
    """The dossier's confirmed extra phone (none or one), its language and whether it opted out."""
    stmt = (select(extra_recipients.c.phone, extra_recipients.c.language,
                   phones.c.language.label("phone_language"),
                   phones.c.opted_out)
            .select_from(extra_recipients.outerjoin(phones, phones.c.phone == extra_recipients.c.phone))
            .where(extra_recipients.c.dossier_id == dossier_id, extra_recipients.c.phone != "",
                   extra_recipients.c.confirmed_at.is_not(None)))
    return conn.execute(stmt).all()
