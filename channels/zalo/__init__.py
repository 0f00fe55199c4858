"""Zalo: alerts as ZNS template messages (SMS the fallback) and lookups by chat with the Official
Account. Thin adapters: zns.py and oa.py call Zalo's APIs (api.py), tokens.py keeps the OA's
access token fresh, the command handler is the SMS channel's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from lookup.clock import Clock, local


def init_app(app: Flask) -> None:
    """Register the webhook (`POST /zalo/webhook`) and the `zalo-token` command."""
    from channels.zalo import webhook

    app.register_blueprint(webhook.bp)
    app.cli.add_command(zalo_token)


def build_tokens(config: Mapping[str, Any], store, clock: Clock):
    """The OA's token keeper for these settings; ValueError without ZALO_APP_ID/ZALO_APP_SECRET."""
    from channels.zalo.tokens import ZaloTokens
    from lookup.tokens import TokenVault

    return ZaloTokens(TokenVault(store, clock), config["ZALO_APP_ID"], config["ZALO_APP_SECRET"],
                      config["ZALO_OAUTH_URL"], config["ZALO_REFRESH_TOKEN"], clock=clock)


@click.command("zalo-token")
@click.option("--refresh", is_flag=True, help="Refresh the access token now, whatever its expiry.")
@with_appcontext
def zalo_token(refresh: bool) -> None:
    """When the Official Account's access token expires (never the token itself).

    Exits 1 when no working token is held: set ZALO_REFRESH_TOKEN to a new grant (docs/zalo.md).
    """
    from channels.zalo.tokens import TokenUnavailable

    app = current_app
    clock = app.extensions["tracuu.service"].clock
    try:
        tokens = build_tokens(app.config, app.extensions["tracuu.store"], clock)
        state = tokens.refresh_now() if refresh else tokens.state()
    except (ValueError, TokenUnavailable) as error:
        raise click.ClickException(str(error)) from None
    now = clock()
    click.echo(f"Zalo app {app.config['ZALO_APP_ID']}")
    left = state.valid_for(now)
    if state.access_token and left.total_seconds() > 0:
        click.echo(f"access token: valid until {_when(state.expires_at)} (in {_span(left.total_seconds())})")
    elif state.access_token:
        click.echo(f"access token: EXPIRED at {_when(state.expires_at)}; the next send refreshes it")
    else:
        click.echo("access token: none yet; the first send (or --refresh) fetches one")
    click.echo(f"refresh token: {'stored' if state.refresh_token else 'MISSING'} "
               "(single-use; each refresh stores the next one)")
    if state.refreshed_at:
        click.echo(f"last refreshed: {_when(state.refreshed_at)}, {state.refreshes} refreshes so far")
    if state.refreshing_until and state.refreshing_until > now:
        click.echo(f"being refreshed by a process now (until {_when(state.refreshing_until)})")
    if state.last_error:
        click.echo(f"last refresh error: {state.last_error}")
    working = bool(state.access_token) and left.total_seconds() > 0
    if not working and (not state.refresh_token or state.last_error):
        raise SystemExit(1)


def _when(moment: datetime | None) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M Vietnam time") if moment else "never"


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"
