"""What a lookup may show: plain data that every channel renders in its own way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lookup import messages, statuses
from lookup.clock import iso
from lookup.expected import Expected
from lookup.recipients import ExtraPhone


@dataclass(frozen=True)
class Proof:
    """What the asker showed to prove the dossier is theirs: the receipt's PIN, or their phone."""

    pin: str | None = None
    phone: str | None = None
    # The asker came through the receipt's signed QR link (lookup.qr): holding it is the proof,
    # if it was signed for the receipt in force (a reissue voids the older ones).
    receipt: bool = False
    receipt_version: int = 0

    @property
    def offered(self) -> bool:
        """Whether anything was shown at all (a form posted with an empty PIN shows nothing)."""
        return bool(self.pin or self.phone or self.receipt)


@dataclass(frozen=True)
class Office:
    id: str
    name_vi: str
    name_en: str
    address: str
    pickup_hours: str
    hotline: str

    def name(self, lang: str) -> str:
        return (self.name_en if lang == "en" else "") or self.name_vi


@dataclass(frozen=True)
class TimelineEntry:
    status: str
    at: datetime
    note: str
    due_at: datetime | None


@dataclass(frozen=True)
class DossierView:
    """A dossier as the asker may see it. Personal fields are None without proof."""

    code: str
    status: str
    procedure_name_vi: str
    procedure_name_en: str
    office: Office
    handling_office: str
    # The office that issued the receipt, where it has since been merged into `office`.
    filed_with_vi: str
    filed_with_en: str
    received_at: datetime
    due_at: datetime | None
    original_due_at: datetime | None
    overdue: bool
    # Working days (lookup.calendar) until the due date while open and on time, or since it
    # while overdue; None when the other applies, the dossier is finished or has no due date.
    working_days_left: int | None
    working_days_late: int | None
    due_today: bool
    # The office's latest note when it is what the citizen needs: a reason, a list, an amount.
    note: str
    language: str
    # When the office last acted on it (the time of its latest event): "last updated".
    last_change: datetime | None = None
    # The receipt in force (lookup.qr): what a proof of holding it was checked against.
    receipt_version: int = 0
    # With proof, on the web: the one more phone that gets the alerts, if any (lookup.recipients).
    extra_phone: ExtraPhone | None = None
    proven: bool = False
    applicant_name: str | None = None
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
    # How long this procedure usually takes at this office (lookup.expected), while open.
    expected: Expected | None = None

    @property
    def due_date_moved(self) -> bool:
        return bool(self.due_at and self.original_due_at and self.due_at != self.original_due_at)

    @property
    def closed(self) -> bool:
        """Over for the citizen (not accepted, withdrawn, stopped, handed over): no due date
        and no pickup to show."""
        return statuses.get(self.status).closed

    def filed_with(self, lang: str) -> str:
        """The office named on the receipt when another has taken its dossiers over, else ""."""
        return (self.filed_with_en if lang == "en" else "") or self.filed_with_vi

    def procedure_name(self, lang: str) -> str:
        return (self.procedure_name_en if lang == "en" else "") or self.procedure_name_vi

    def status_label(self, lang: str) -> str:
        return messages.status_label(self.status, lang)

    def next_step(self, lang: str) -> str:
        return messages.next_step(self.status, lang, overdue=self.overdue, note=bool(self.note))

    def working_days_text(self, lang: str) -> str:
        """"3 working days left", "due today", "2 working days late", or "" (lookup.messages)."""
        return messages.working_days(lang, self.working_days_left, self.working_days_late,
                                     self.due_today)

    def as_dict(self, lang: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "status": self.status,
            "status_code_national": statuses.NATIONAL_CODE[self.status],
            "status_label": self.status_label(lang),
            "procedure_name": self.procedure_name(lang),
            "office": {
                "id": self.office.id,
                "name": self.office.name(lang),
                "address": self.office.address,
                "pickup_hours": self.office.pickup_hours,
                "hotline": self.office.hotline,
            },
            "handling_office": self.handling_office or None,
            "filed_with": self.filed_with(lang) or None,
            "received_at": iso(self.received_at),
            "due_at": iso(self.due_at),
            "original_due_at": iso(self.original_due_at),
            "overdue": self.overdue,
            "working_days_left": self.working_days_left,
            "working_days_late": self.working_days_late,
            "expected": self.expected.as_dict() if self.expected is not None else None,
            "next_step": self.next_step(lang),
            "note": self.note or None,
            "proven": self.proven,
        }
        if self.proven:
            data["applicant_name"] = self.applicant_name
            data["timeline"] = [
                {
                    "status": entry.status,
                    "status_label": messages.status_label(entry.status, lang),
                    "at": iso(entry.at),
                    "note": entry.note or None,
                    "due_at": iso(entry.due_at),
                }
                for entry in self.timeline
            ]
        return data


def mask_name(full_name: str) -> str:
    """`Nguyễn Văn An` → `Nguyễn V*** A**`: the family name, then initials whose stars do
    not count the letters, so the mask gives away no name's length."""
    words = full_name.split()
    if len(words) < 2:
        return words[0][0] + "***" if words else ""
    middle = [w[0] + "***" for w in words[1:-1]]
    return " ".join([words[0], *middle, words[-1][0] + "**"])
