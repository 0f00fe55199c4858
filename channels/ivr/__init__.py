"""Hotline IVR: key the code on the phone, hear the status (Asterisk AsyncAGI, Twilio Voice)."""

from __future__ import annotations

import gc
import signal

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    """Register the voice webhooks and the `ivr-asterisk` and `ivr-prompts` commands."""
    from channels.ivr import twilio_voice

    app.register_blueprint(twilio_voice.blueprint)
    app.cli.add_command(ivr_asterisk)
    app.cli.add_command(ivr_prompts)


def build_driver(app: Flask):
    """The flow's driver for this app; ValueError when IVR_OFFICE_HOURS cannot be read."""
    from channels.ivr.driver import Driver, settings_from_config

    service = app.extensions["tracuu.service"]
    return Driver(service, settings_from_config(app.config), clock=lambda: service.clock().timestamp())


def _driver_for_command(app: Flask):
    try:
        return build_driver(app)
    except ValueError as error:
        raise click.ClickException(f"IVR_OFFICE_HOURS: {error}") from error


def prompt_store(app: Flask):
    from channels.ivr.prompts import PromptStore

    return PromptStore(app.config["IVR_AUDIO_DIR"])


@click.command("ivr-asterisk")
@with_appcontext
def ivr_asterisk() -> None:
    """Drive hotline calls on Asterisk over AMI (AsyncAGI) until stopped."""
    from channels.ivr.asterisk import AsteriskAdapter
    from channels.ivr.call_state import CallStates
    from channels.ivr.flow import static_prompts
    from redis_connections import connect

    app = current_app._get_current_object()
    config = app.config
    if not config["ASTERISK_AMI_HOST"]:
        raise click.ClickException("ASTERISK_AMI_HOST is not set")
    store = prompt_store(app)
    driver = _driver_for_command(app)
    made, kept = store.render_missing(static_prompts(driver.settings))
    click.echo(f"ivr: prompts in {store.directory}: {made} rendered, {kept} already there")
    host, port = config["ASTERISK_AMI_HOST"], config["ASTERISK_AMI_PORT"]
    # One switch's calls under one prefix: several adapters (one per switch) share a Redis.
    states = CallStates(connect(config, timeout=2.0, connect_timeout=2.0), f"tracuu:ivr:{host}:{port}:",
                        ttl=int(config["IVR_MAX_CALL_SECONDS"]) + 120)
    adapter = AsteriskAdapter(driver, store, host, port, config["ASTERISK_AMI_USERNAME"],
                              config["ASTERISK_AMI_SECRET"], states=states, clock=driver.clock)
    # Everything built so far lives as long as the process: keep it out of the collector's
    # sweeps, which otherwise add millisecond pauses to call turns now and then.
    gc.freeze()
    signal.signal(signal.SIGTERM, lambda *_: adapter.request_stop())
    try:
        adapter.start()
        while not adapter.wait_stopped(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        adapter.stop()


@click.command("ivr-prompts")
@click.option("--list", "show", is_flag=True, help="Print each static prompt's file name and words.")
@with_appcontext
def ivr_prompts(show: bool) -> None:
    """Render the hotline prompts that are missing (studio recordings already there are kept)."""
    from channels.ivr import prompts
    from channels.ivr.flow import static_prompts

    app = current_app._get_current_object()
    store = prompt_store(app)
    prompt_list = static_prompts(_driver_for_command(app).settings)
    if show:
        for prompt in prompt_list:
            parts = prompts.segments(prompt)
            click.echo(f"{store.name(parts)}.wav\t{prompts.written(parts)}")
        return
    try:
        made, kept = store.render_missing(prompt_list)
    except prompts.RenderError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"ivr: prompts in {store.directory}: {made} rendered, {kept} already there")
