"""The values of a ZNS template (`template_data`): the same facts as the SMS text, with accents.

ZNS carries Vietnamese as written, so nothing is folded to GSM-7 here. Keys, as docs/zalo.md
asks offices to name their template parameters: `code`, `status`, `office`, `date`
(dd/mm/yyyy), and `note` for the kinds whose point is the office's note. Like the SMS text,
nothing personal but the dossier code.
"""

from __future__ import annotations

from lookup import messages
from lookup.clock import local
from worker import policy
from worker.texts import Facts

# The kinds whose text carries what the office wrote (what to bring, the amount, the reason).
NOTE_KINDS = frozenset({policy.SUPPLEMENT, policy.FEE_DUE, policy.NOT_ACCEPTED, policy.STOPPED})
# ZNS parameters are short (Zalo's per-type limits run from 30 to a few hundred characters).
MAX_NOTE = 200
MAX_OFFICE = 200


def template_data(kind: str, lang: str, status: str, facts: Facts) -> dict[str, str]:
    lang = messages.language(lang)
    data = {
        "code": facts.code,
        "status": messages.status_label(status, lang),
        "office": _shorten(_clean(facts.office), MAX_OFFICE),
        "date": local(facts.date).strftime("%d/%m/%Y") if facts.date else "",
    }
    if kind in NOTE_KINDS:
        data["note"] = _shorten(_clean(facts.note).rstrip(" .;,"), MAX_NOTE)
    return {key: value for key, value in data.items() if value}


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"
