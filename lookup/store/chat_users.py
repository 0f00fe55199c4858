"""Chat users (table `chat_users`): a user of a chat channel, the phone they shared, their language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, and_, select, update
from sqlalchemy.exc import IntegrityError

from lookup.store.schema import chat_users


def get(conn: Connection, channel: str, user_id: str) -> Row | None:
    return conn.execute(select(chat_users).where(chat_users.c.channel == channel,
                                                 chat_users.c.user_id == user_id)).first()


def upsert(conn: Connection, channel: str, user_id: str, now: datetime, **values) -> None:
    key = and_(chat_users.c.channel == channel, chat_users.c.user_id == user_id)
    if conn.execute(update(chat_users).where(key).values(updated_at=now, **values)).rowcount:
        return
    nested = conn.begin_nested()
    try:
        conn.execute(chat_users.insert().values(channel=channel, user_id=user_id, updated_at=now, **values))
        nested.commit()
    except IntegrityError:  # inserted meanwhile by another process: update theirs
        nested.rollback()
        conn.execute(update(chat_users).where(key).values(updated_at=now, **values))
