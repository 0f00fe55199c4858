"""The Official Account's access token: kept in the database (lookup.tokens), refreshed before it
expires by exactly one process at a time, and never written to a log.

Zalo's OA access token lives 25 hours (`expires_in` "90000", a string); its refresh token lasts
three months and works once: each refresh returns a new pair and kills the old refresh token.
`POST {ZALO_OAUTH_URL}/v4/oa/access_token`, header `secret_key: <app secret>`, form `app_id`,
`grant_type=refresh_token`, `refresh_token`. ZALO_REFRESH_TOKEN seeds the first pair; after that
the database holds the live one, so a restart loses nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import requests

from channels.sms.senders.base import http_session
from lookup.clock import Clock, utcnow
from lookup.tokens import TokenState, TokenVault

log = logging.getLogger("tracuu.zalo.tokens")

PROVIDER = "zalo"
TOKEN_PATH = "/v4/oa/access_token"
# Refresh this long before the access token expires (Zalo suggests well before the 25 h).
REFRESH_AHEAD = timedelta(hours=2)
# One refresher holds the row this long; more than an HTTP timeout, so it never expires mid-call.
LEASE = timedelta(seconds=30)
# How long a process waits for another's refresh before giving up on this send.
WAIT = timedelta(seconds=20)
# After a failed refresh, nobody tries again for this long (a dead grant must not be hammered).
RETRY_AFTER_FAILURE = timedelta(seconds=60)


class TokenUnavailable(Exception):
    """No working access token now. `refused`: Zalo refused the refresh token itself, and only
    a new grant (ZALO_REFRESH_TOKEN, docs/zalo.md) will do."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


class ZaloTokens:
    def __init__(self, vault: TokenVault, app_id: str, app_secret: str, oauth_url: str,
                 seed_refresh_token: str = "", *, timeout: float = 10.0, clock: Clock = utcnow,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not (app_id and app_secret):
            raise ValueError("Zalo needs ZALO_APP_ID and ZALO_APP_SECRET")
        self.vault = vault
        self.app_id = app_id
        self.app_secret = app_secret
        self.url = oauth_url.rstrip("/") + TOKEN_PATH
        self.seed_refresh_token = seed_refresh_token
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.session = http_session(self.url)
        self._seeded = False
        # The token this process last read or made, and its expiry: reused without a database
        # read while far from expiry. If another process refreshed meanwhile and Zalo rejects
        # ours, the caller comes back with `rejected` and reads the new one.
        self._held: tuple[str, datetime] | None = None

    # -- what callers use ----------------------------------------------------------------------
    def access_token(self, *, rejected: str | None = None) -> str:
        """A working access token. `rejected`: the one Zalo just refused, so not that one.

        Raises TokenUnavailable when there is none and none can be had now.
        """
        held = self._held
        if held is not None and held[0] != rejected and held[1] - self.clock() > REFRESH_AHEAD:
            return held[0]
        deadline = time.monotonic() + WAIT.total_seconds()
        while True:
            state = self.state()
            now = self.clock()
            usable = bool(state.access_token) and state.access_token != rejected \
                and state.valid_for(now) > timedelta(0)
            if usable and state.valid_for(now) > REFRESH_AHEAD:
                self._held = (state.access_token, state.expires_at)
                return state.access_token
            if not state.refresh_token:
                raise TokenUnavailable("no Zalo refresh token: set ZALO_REFRESH_TOKEN (docs/zalo.md)",
                                       refused=True)
            idle = state.refreshing_until is None or state.refreshing_until < now
            if not usable and idle and state.last_error and now - state.updated_at < RETRY_AFTER_FAILURE:
                raise TokenUnavailable(f"the last refresh failed: {state.last_error}")
            claim = self.vault.claim(state, LEASE)
            if claim is not None:
                try:
                    return self._refresh(state, claim)
                except TokenUnavailable:
                    if usable:  # refreshing early failed; the current token still works
                        return state.access_token
                    raise
            if usable:  # another process is refreshing; ours is still good meanwhile
                return state.access_token
            if time.monotonic() >= deadline:
                raise TokenUnavailable("another process has been refreshing the Zalo token for "
                                       f"{WAIT.total_seconds():.0f} s")
            self.sleep(0.1)

    def refresh_if_due(self) -> bool:
        """Refresh now if the token expires within REFRESH_AHEAD (the workers' housekeeping);
        whether a working token is held afterwards."""
        try:
            self.access_token()
            return True
        except TokenUnavailable as error:
            log.error("Zalo access token: %s", error)
            return False

    def refresh_now(self) -> TokenState:
        """Refresh whatever the expiry (`flask zalo-token --refresh`); the new state."""
        state = self.state()
        if not state.refresh_token:
            raise TokenUnavailable("no Zalo refresh token: set ZALO_REFRESH_TOKEN (docs/zalo.md)",
                                   refused=True)
        claim = self.vault.claim(state, LEASE)
        if claim is None:
            raise TokenUnavailable("another process is refreshing the Zalo token right now; try again")
        self._refresh(state, claim)
        return self.state()

    def state(self) -> TokenState:
        if not self._seeded:
            self.vault.seed(PROVIDER, self.app_id, self.seed_refresh_token)
            self._seeded = True
        state = self.vault.get(PROVIDER, self.app_id)
        if state is None:
            raise TokenUnavailable("no Zalo token stored and ZALO_REFRESH_TOKEN is not set "
                                   "(docs/zalo.md, step 3)", refused=True)
        return state

    # -- the refresh itself ----------------------------------------------------------------------
    def _refresh(self, state: TokenState, claim) -> str:
        try:
            access, refresh, expires_at = self._call(state.refresh_token)
        except TokenUnavailable as error:
            self.vault.release(state, claim, str(error))
            log.error("Zalo token refresh failed: %s", error)
            raise
        if not self.vault.save(state, claim, access, refresh, expires_at):
            log.error("Zalo token refreshed but the stored pair had changed meanwhile; kept theirs")
            return self.state().access_token or access
        log.info("Zalo access token refreshed; valid until %s", expires_at.isoformat(timespec="minutes"))
        self._held = (access, expires_at)
        return access

    def _call(self, refresh_token: str) -> tuple[str, str, datetime]:
        form = {"app_id": self.app_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
        try:
            response = self.session.post(self.url, data=form, headers={"secret_key": self.app_secret},
                                         timeout=self.timeout)
        except requests.RequestException as error:
            raise TokenUnavailable(f"Zalo OAuth unreachable: {type(error).__name__}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise TokenUnavailable(f"Zalo OAuth HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise TokenUnavailable(f"Zalo OAuth HTTP {response.status_code} without a JSON answer")
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
            # e.g. {"error": -14014, "error_name": "Invalid refresh token", "error_description": …}
            reason = " ".join(str(body.get(k)) for k in ("error", "error_name", "error_description",
                                                         "error_reason", "message") if body.get(k))
            raise TokenUnavailable(f"Zalo refused the refresh token: {reason[:300] or 'no token in answer'}",
                                   refused=True)
        try:
            lifetime = int(str(body.get("expires_in", "90000")).strip())
        except ValueError:
            lifetime = 90000
        return access, refresh, self.clock() + timedelta(seconds=max(lifetime, 60))
