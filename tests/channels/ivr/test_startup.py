"""`make run` renders the prompts and starts the Asterisk adapter only when a switch is configured,
and the commands it names exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Config
from tests.support.run_script import load_run_script

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("host, started", [("", False), ("10.0.0.5", True)])
def test_the_asterisk_adapter_runs_only_with_a_host(monkeypatch, host, started):
    monkeypatch.setenv("ASTERISK_AMI_HOST", host)
    services = load_run_script().services(Config(), "8000")
    assert any("ivr-asterisk" in argv for argv in services) is started


def test_setup_renders_the_prompts():
    assert ["ivr-prompts"] in load_run_script().setup_commands(Config())


def test_the_named_commands_exist(app):
    commands = app.cli.list_commands(None)
    assert {"ivr-asterisk", "ivr-prompts"} <= set(commands)


def test_espeak_and_sox_are_installed_by_make_run():
    packages = (ROOT / "deploy" / "apt-run.txt").read_text().split()
    assert {"espeak-ng", "sox"} <= set(packages)
