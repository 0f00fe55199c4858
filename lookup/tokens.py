"""OAuth tokens of provider accounts, shared by every process through the database.

Providers such as Zalo hand out an access token that lives about a day and a refresh token
that works once: a second process refreshing with the same refresh token would lose the pair.
So exactly one process refreshes at a time: the one whose compare-and-set on the row's
`refreshing_until` matched (one UPDATE, the same on SQLite and PostgreSQL). The others wait for
the new token to appear. The core only keeps the tokens; the channel knows how to refresh them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from lookup.clock import Clock, utcnow
from lookup.store import Store
from lookup.store import tokens as rows

__all__ = ["Claim", "TokenState", "TokenVault"]


@dataclass(frozen=True)
class TokenState:
    provider: str
    account: str
    access_token: str
    refresh_token: str
    expires_at: datetime | None
    refreshing_until: datetime | None
    refreshed_at: datetime | None
    refreshes: int
    last_error: str
    updated_at: datetime

    def valid_for(self, now: datetime) -> timedelta:
        """How long the access token still works (zero or less: not at all)."""
        if not self.access_token or self.expires_at is None:
            return timedelta(0)
        return self.expires_at - now


@dataclass(frozen=True)
class Claim:
    """The right to refresh, held until `until`."""

    refresh_token: str
    until: datetime


def seed_hash(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class TokenVault:
    def __init__(self, store: Store, clock: Clock = utcnow) -> None:
        self.store = store
        self.clock = clock

    def seed(self, provider: str, account: str, refresh_token: str) -> None:
        """Make sure the account has tokens: the configured refresh token starts it, and a
        configured refresh token that differs from the one last seeded replaces what is stored
        (an operator giving a new grant after the old one died). Harmless to call each start."""
        if not refresh_token:
            return
        wanted = seed_hash(refresh_token)
        now = self.clock()
        with self.store.begin() as conn:
            row = rows.get(conn, provider, account)
            if row is None:
                rows.insert(conn, provider, account, refresh_token, wanted, now)
            elif row.seed_hash != wanted:
                rows.reseed(conn, provider, account, row.seed_hash, refresh_token, wanted, now)

    def get(self, provider: str, account: str) -> TokenState | None:
        with self.store.connect() as conn:
            row = rows.get(conn, provider, account)
        if row is None:
            return None
        return TokenState(row.provider, row.account, row.access_token, row.refresh_token, row.expires_at,
                          row.refreshing_until, row.refreshed_at, row.refreshes, row.last_error,
                          row.updated_at)

    def claim(self, state: TokenState, lease: timedelta) -> Claim | None:
        """Become the one refresher, if nobody else is and nobody refreshed since `state` was read."""
        now = self.clock()
        with self.store.begin() as conn:
            won = rows.claim_refresh(conn, state.provider, state.account, state.refresh_token, now, lease)
        return Claim(state.refresh_token, now + lease) if won else None

    def save(self, state: TokenState, claim: Claim, access_token: str, refresh_token: str,
             expires_at: datetime) -> bool:
        """Store the refreshed pair, committed before anyone uses it (the old refresh token is
        already dead). False if the row moved on without us, which a lease long enough prevents."""
        now = self.clock()
        values = {"access_token": access_token, "refresh_token": refresh_token, "expires_at": expires_at}
        with self.store.begin() as conn:
            return rows.save_refreshed(conn, state.provider, state.account, claim.refresh_token, values, now)

    def release(self, state: TokenState, claim: Claim, error: str) -> None:
        """Give up a claim after a failed refresh, recording why."""
        with self.store.begin() as conn:
            rows.release(conn, state.provider, state.account, claim.until, error, self.clock())
