"""Which channel carries an alert: the first in ALERT_CHANNELS that can, then the next ones.

Zalo (ZNS) can carry an alert when ZALO_TEMPLATES names an approved template for its kind (in
its language) and the phone is a Vietnamese number; SMS can always. An alert moves down the list
only when the channel it is on cannot deliver it (worker/sending.py), so it reaches the
citizen once: by Zalo, or else by SMS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from worker import policy

ZALO = "zalo"
SMS = "sms"
CHANNELS = (ZALO, SMS)

# ZALO_TEMPLATES keys as an office names its templates (the names), and the alert kinds
# each stands for; our own kind names are accepted too and win over these.
TEMPLATE_NAMES: dict[str, tuple[str, ...]] = {
    "ready": (policy.PICKUP,),
    "supplement_requested": (policy.SUPPLEMENT,),
    "fee_due": (policy.FEE_DUE,),
    "not_accepted": (policy.NOT_ACCEPTED,),
    "stopped": (policy.STOPPED,),
    "apology": (policy.NEW_DUE_DATE, policy.OVERDUE),
    "reminder": (policy.PICKUP_REMINDER,),
}
LANGUAGES = ("vi", "en")


def parse_channels(text: str) -> tuple[str, ...]:
    """`zalo,sms` → ("zalo", "sms"). ValueError for an unknown, repeated or missing name."""
    names = tuple(part.strip().lower() for part in (text or "").split(",") if part.strip())
    if not names:
        raise ValueError("ALERT_CHANNELS is empty: expected e.g. sms or zalo,sms")
    unknown = [n for n in names if n not in CHANNELS]
    if unknown:
        raise ValueError(f"ALERT_CHANNELS={text!r}: unknown {', '.join(unknown)}; expected zalo and/or sms")
    if len(set(names)) != len(names):
        raise ValueError(f"ALERT_CHANNELS={text!r}: a channel is named twice")
    return names


def parse_templates(text: str) -> dict[tuple[str, str], str]:
    """`ready=1234,apology=5678,ready.en=9012` → {(kind, language): template id}.

    A key without a language is Vietnamese (templates are approved in the words they carry).
    ValueError for anything that is not `name[.lang]=id` with a known name.
    """
    generic: dict[tuple[str, str], str] = {}
    specific: dict[tuple[str, str], str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, sep, template_id = item.partition("=")
        key, template_id = key.strip().lower(), template_id.strip()
        name, _, lang = key.partition(".")
        lang = lang or "vi"
        if not sep or not template_id or not name:
            raise ValueError(f"ZALO_TEMPLATES: {item.strip()!r} is not name=template_id")
        if lang not in LANGUAGES:
            raise ValueError(f"ZALO_TEMPLATES: {key!r}: language must be one of {', '.join(LANGUAGES)}")
        if name in policy.KINDS:
            specific[(name, lang)] = template_id
        elif name in TEMPLATE_NAMES:
            for kind in TEMPLATE_NAMES[name]:
                generic[(kind, lang)] = template_id
        else:
            known = ", ".join([*TEMPLATE_NAMES, *policy.KINDS])
            raise ValueError(f"ZALO_TEMPLATES: unknown alert {name!r}; expected one of {known}")
    return {**generic, **specific}


@dataclass(frozen=True)
class Routing:
    channels: tuple[str, ...] = (SMS,)
    templates: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config) -> Routing:
        return cls(parse_channels(config["ALERT_CHANNELS"]), parse_templates(config["ZALO_TEMPLATES"]))

    def template(self, kind: str, lang: str) -> str | None:
        return self.templates.get((kind, lang))

    def cannot_carry(self, channel: str, kind: str, lang: str, phone: str) -> str:
        """Why `channel` cannot carry this alert at all; empty when it can."""
        if channel == ZALO:
            if not phone.startswith("+84"):
                return "zalo: not a Vietnamese number"
            if self.template(kind, lang) is None:
                return f"zalo: no template for {kind} in {lang} (ZALO_TEMPLATES)"
        return ""

    def first(self, kind: str, lang: str, phone: str) -> tuple[str | None, str]:
        """The first channel that can carry it, and why the ones before it could not."""
        return self._from(0, kind, lang, phone)

    def after(self, channel: str, kind: str, lang: str, phone: str) -> tuple[str | None, str]:
        """The next channel after `channel` that can carry it (None: no other), and why the ones
        skipped could not."""
        start = self.channels.index(channel) + 1 if channel in self.channels else len(self.channels)
        return self._from(start, kind, lang, phone)

    def _from(self, start: int, kind: str, lang: str, phone: str) -> tuple[str | None, str]:
        reasons = []
        for channel in self.channels[start:]:
            reason = self.cannot_carry(channel, kind, lang, phone)
            if not reason:
                return channel, "; ".join(reasons)
            reasons.append(reason)
        return None, "; ".join(reasons)
