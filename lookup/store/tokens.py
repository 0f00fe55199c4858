"""OAuth tokens of provider accounts (table `provider_tokens`), refreshed by one process at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from lookup.store.schema import provider_tokens as tokens


def _key(provider: str, account: str):
    return and_(tokens.c.provider == provider, tokens.c.account == account)


def get(conn: Connection, provider: str, account: str) -> Row | None:
    return conn.execute(select(tokens).where(_key(provider, account))).first()


def insert(conn: Connection, provider: str, account: str, refresh_token: str, seed_hash: str,
           now: datetime) -> bool:
    """A new row holding only a refresh token; False if another process inserted it first."""
    nested = conn.begin_nested()
    try:
        conn.execute(tokens.insert().values(provider=provider, account=account, access_token="",
                                            refresh_token=refresh_token, seed_hash=seed_hash,
                                            refreshes=0, last_error="", updated_at=now))
        nested.commit()
        return True
    except IntegrityError:
        nested.rollback()
        return False


def reseed(conn: Connection, provider: str, account: str, old_seed_hash: str, refresh_token: str,
           seed_hash: str, now: datetime) -> bool:
    """Replace the tokens with a newly configured refresh token, once (compare-and-set on the seed)."""
    result = conn.execute(update(tokens).where(_key(provider, account), tokens.c.seed_hash == old_seed_hash)
                          .values(access_token="", refresh_token=refresh_token, expires_at=None,
                                  seed_hash=seed_hash, refreshing_until=None, last_error="",
                                  updated_at=now))
    return result.rowcount == 1


def claim_refresh(conn: Connection, provider: str, account: str, refresh_token: str, now: datetime,
                  lease: timedelta) -> bool:
    """Become the one refresher of this account for `lease`; False if another process is, or the
    refresh token is no longer the one the caller read (someone refreshed meanwhile)."""
    result = conn.execute(update(tokens).where(
        _key(provider, account), tokens.c.refresh_token == refresh_token,
        or_(tokens.c.refreshing_until.is_(None), tokens.c.refreshing_until < now),
    ).values(refreshing_until=now + lease, updated_at=now))
    return result.rowcount == 1


def save_refreshed(conn: Connection, provider: str, account: str, old_refresh_token: str,
                   values: dict[str, Any], now: datetime) -> bool:
    """Store a new token pair in place of the one it was refreshed from; whether it matched."""
    result = conn.execute(update(tokens).where(_key(provider, account),
                                               tokens.c.refresh_token == old_refresh_token)
                          .values(**values, refreshing_until=None, refreshed_at=now, last_error="",
                                  refreshes=tokens.c.refreshes + 1, updated_at=now))
    return result.rowcount == 1


def release(conn: Connection, provider: str, account: str, claimed_until: datetime, error: str,
            now: datetime) -> None:
    """A refresh that failed: let the next process try (unless its lease already passed to
    another), and say why."""
    conn.execute(update(tokens).where(_key(provider, account), tokens.c.refreshing_until == claimed_until)
                 .values(refreshing_until=None, last_error=error[:500], updated_at=now))
