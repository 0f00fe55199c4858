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


def settings_rows() -> list[tuple[list[str], str]]:
    """The README's settings table: (the settings a row names, its default cell)."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows.append((re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0]), cells[1]))
    return rows


def read_settings(path: Path) -> set[str]:
    text = path.read_text()
    return set(re.findall(r'_env(?:_int|_bool)?\("([A-Z][A-Z0-9_]+)"', text)) | set(
        re.findall(r'(?:environ|env)\.get\("([A-Z][A-Z0-9_]+)"', text))


def test_every_readme_settings_row_is_read_by_the_code():
    """config.py reads it, or scripts/run.py (what `make run` alone uses, e.g. PORT)."""
    read = read_settings(ROOT / "config.py") | read_settings(ROOT / "scripts" / "run.py")
    named = [name for names, _default in settings_rows() for name in names]
    assert len(named) > 30
    assert not set(named) - read, set(named) - read


def test_every_setting_in_config_is_documented():
    named = {name for names, _default in settings_rows() for name in names}
    undocumented = read_settings(ROOT / "config.py") - named
    assert not undocumented


def test_readme_defaults_are_configs_defaults(monkeypatch):
    """A row naming one setting and a literal default: Config() has that value when unset."""
    from config import Config

    for names, _default in settings_rows():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    config = Config()
    checked = 0
    for names, default in settings_rows():
        literal = re.fullmatch(r"`([^`]*)`", default)
        if len(names) != 1 or not literal or not hasattr(config, names[0]):
            continue
        value = getattr(config, names[0])
        shown = str(int(value)) if isinstance(value, bool) else str(value)
        assert shown == literal.group(1), names[0]
        checked += 1
    assert checked >= 10


def test_import_csv_help_names_every_column(runner):
    from lookup.importer import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

    out = runner.invoke(args=["import-csv", "--help"]).output
    readme = (ROOT / "README.md").read_text()
    for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        assert column in out, column
        assert column in readme, column


def test_demo_codes_in_readme_match_the_demo():
    from lookup import demo

    readme = (ROOT / "README.md").read_text()
    for code, *_rest in demo.DOSSIERS:
        pin = _rest[4]
        assert f"| {code} | {pin} |" in readme


def test_twilio_sdk_does_not_log_numbers_and_texts(app):
    import logging

    assert not logging.getLogger("twilio.http_client").isEnabledFor(logging.INFO)
