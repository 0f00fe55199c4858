"""Fill a .po catalogue from a JSON table {msgid: translation}: `fill_po.py PO JSON`.

Prints the msgids still untranslated, so a new string is never shipped in English by accident.
"""

from __future__ import annotations

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, table_path: str) -> int:
    with open(table_path, encoding="utf-8") as handle:
        table = json.load(handle)
    with open(po_path, "rb") as handle:
        catalogue = read_po(handle)
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        if message.id in table:
            message.string = table[message.id]
            message.flags.discard("fuzzy")
        elif not message.string:
            missing.append(message.id)
    with open(po_path, "wb") as handle:
        write_po(handle, catalogue, width=100)
    print("untranslated:", missing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
