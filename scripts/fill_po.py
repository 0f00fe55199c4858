"""Fill a .po catalogue from a JSON table {msgid: translation}: `fill_po.py PO JSON`."""
import sys, json
from babel.messages.pofile import read_po, write_po
path, table = sys.argv[1], json.load(open(sys.argv[2]))
with open(path, 'rb') as f: cat = read_po(f)
missing = []
for m in cat:
    if not m.id: continue
    if m.id in table: m.string = table[m.id]; m.flags.discard('fuzzy')
    elif not m.string: missing.append(m.id)
with open(path, 'wb') as f: write_po(f, cat, width=100)
print('untranslated:', missing)
