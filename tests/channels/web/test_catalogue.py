"""Every string of the web channel is in the catalogue, and every one has its Vietnamese."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from config import ROOT

LOCALES = ROOT / "locales"


def msgids(path: Path) -> set[str]:
    with open(path, "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_web_template_is_up_to_date(tmp_path):
    fresh = tmp_path / "web.pot"
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    subprocess.run([pybabel, "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "_",
                    "--no-location", "-o", str(fresh), str(ROOT / "channels" / "web")], check=True)
    assert msgids(fresh) == msgids(LOCALES / "web.pot"), "run: python scripts/i18n.py extract web"


def test_every_web_string_has_vietnamese():
    with open(LOCALES / "vi" / "LC_MESSAGES" / "web.po", "rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert missing == []
    assert msgids(LOCALES / "vi" / "LC_MESSAGES" / "web.po") == msgids(LOCALES / "web.pot")
    assert msgids(LOCALES / "en" / "LC_MESSAGES" / "web.po") == msgids(LOCALES / "web.pot")


def test_every_catalogue_addresses_the_reader_one_way():
    """One register for the citizen: "bạn", never "ông/bà" or "quý khách" beside it, on the
    pages (web, core), in replies (SMS, hotline, Zalo) and in the alerts they are sent."""
    for domain in ("web", "core", "sms", "ivr", "zalo", "alerts"):
        with open(LOCALES / "vi" / "LC_MESSAGES" / f"{domain}.po", "rb") as handle:
            for message in read_po(handle):
                said = message.string.lower() if isinstance(message.string, str) else ""
                for other in ("ông/bà", "ông bà", "quý khách", "anh/chị", "anh chị"):
                    assert other not in said, (domain, message.id, message.string)
