"""The start-up files point at things that exist: Makefile targets, CI, README commands."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_help_lists_the_two_commands():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert re.search(r"make run\s", out) and re.search(r"make test\s", out)


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci/run").read_text()


def test_readme_commands_exist(app):
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"flask --app app ([a-z][a-z-]+)", readme))
    assert named, "README names no commands"
    assert named <= set(app.cli.list_commands(None)), named - set(app.cli.list_commands(None))


def test_readme_settings_are_read_by_config():
    readme = (ROOT / "README.md").read_text()
    config = (ROOT / "config.py").read_text()
    settings_table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", settings_table)) - {"PORT", "VAR_DIR"}
    missing = {name for name in names if f'"{name}"' not in config}
    assert not missing


def test_every_setting_in_config_is_documented():
    readme = (ROOT / "README.md").read_text()
    config = (ROOT / "config.py").read_text()
    read = set(re.findall(r'_env(?:_int|_bool)?\("([A-Z][A-Z0-9_]+)"', config))
    assert read, "config.py reads nothing?"
    undocumented = {name for name in read if f"`{name}`" not in readme}
    assert not undocumented


def test_demo_codes_in_readme_match_the_demo():
    from lookup import demo

    readme = (ROOT / "README.md").read_text()
    for code, *_rest in demo.DOSSIERS:
        pin = _rest[4]
        assert f"| {code} | {pin} |" in readme


def test_twilio_sdk_does_not_log_numbers_and_texts(app):
    import logging

    assert not logging.getLogger("twilio.http_client").isEnabledFor(logging.INFO)
