"""What a phone number asked of us by SMS: alerts off (HUY/STOP) and the reply language (EN/VI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from lookup.store.schema import phones

# Built once: this runs for every inbound text.
_GET = select(phones.c.language, phones.c.opted_out).where(phones.c.phone == bindparam("phone"))


@dataclass(frozen=True)
class PhoneSettings:
    phone: str
    language: str | None = None
    opted_out: bool = False


def get(conn: Connection, phone: str) -> PhoneSettings:
    """The settings of an E.164 number; defaults when it never asked for anything."""
    row = conn.execute(_GET, {"phone": phone}).first()
    if row is None:
        return PhoneSettings(phone)
    return PhoneSettings(phone, row.language, bool(row.opted_out))


def is_opted_out(conn: Connection, phone: str) -> bool:
    return bool(conn.execute(select(phones.c.opted_out).where(phones.c.phone == phone)).scalar())


def set_opted_out(conn: Connection, phone: str, opted_out: bool, now: datetime) -> None:
    _upsert(conn, phone, now, opted_out=opted_out)


def set_language(conn: Connection, phone: str, language: str, now: datetime) -> None:
    _upsert(conn, phone, now, language=language)


def _upsert(conn: Connection, phone: str, now: datetime, **values) -> None:
    # Update first: the row usually exists after the first keyword; insert races are settled by
    # the primary key (the loser retries the update).
    changed = conn.execute(update(phones).where(phones.c.phone == phone).values(updated_at=now, **values))
    if changed.rowcount:
        return
    nested = conn.begin_nested()
    try:
        conn.execute(phones.insert().values(phone=phone, updated_at=now,
                                            opted_out=values.get("opted_out", False),
                                            language=values.get("language")))
        nested.commit()
    except IntegrityError:
        nested.rollback()
        conn.execute(update(phones).where(phones.c.phone == phone).values(updated_at=now, **values))
