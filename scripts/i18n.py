"""Extract citizen-facing strings into one catalogue domain per part of the system, and
update the vi/en catalogues from them (`make extract`). `make` compiles them.

Domains keep the parts apart; lookup/messages.py merges them at run time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
DOMAINS = {
    "core": ["lookup"],
    "web": ["channels/web"],
    "sms": ["channels/sms"],
    "ivr": ["channels/ivr"],
    "alerts": ["worker"],
    "zalo": ["channels/zalo"],
}
LANGUAGES = ("vi", "en")
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def extract(domain: str, sources: list[str]) -> None:
    template = LOCALES / f"{domain}.pot"
    subprocess.run([PYBABEL, "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "_",
                    "--no-location", "--sort-output", "--project", "tracuu",
                    "-o", str(template), *[str(ROOT / s) for s in sources]], check=True)
    for lang in LANGUAGES:
        catalogue = LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
        verb = "update" if catalogue.exists() else "init"
        extra = ["--no-fuzzy-matching", "--ignore-obsolete"] if verb == "update" else []
        subprocess.run([PYBABEL, "-q", verb, "-i", str(template), "-d", str(LOCALES),
                        "-D", domain, "-l", lang, *extra], check=True)


def main(argv: list[str]) -> int:
    if argv[1:2] != ["extract"]:
        print("usage: scripts/i18n.py extract [DOMAIN …]", file=sys.stderr)
        return 2
    chosen = argv[2:] or list(DOMAINS)
    for domain in chosen:
        extract(domain, DOMAINS[domain])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
