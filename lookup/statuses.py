"""The dossier lifecycle as Vietnamese one-stop systems name it (DOMAIN.md), and what it asks
of the citizen. Words live in the message catalogue (`lookup/messages.py`); this module only
knows the codes and their properties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Status:
    code: str
    # Finished: the office will do nothing more, so it can no longer be late.
    final: bool
    # The citizen must act (bring papers, pay, come and collect).
    citizen_acts: bool
    # The latest note from the office is what the citizen needs (a reason, a list, an amount).
    note_is_public: bool

    @property
    def closed(self) -> bool:
        """Over for the citizen: no due date to wait for and nothing to collect (not accepted,
        withdrawn, stopped, handed over). A result ready is final but still to be collected."""
        return self.final and not self.citizen_acts


_ALL = (
    Status("registered", final=False, citizen_acts=False, note_is_public=False),
    Status("received", final=False, citizen_acts=False, note_is_public=False),
    Status("not_accepted", final=True, citizen_acts=False, note_is_public=True),
    Status("processing", final=False, citizen_acts=False, note_is_public=False),
    Status("supplement_requested", final=False, citizen_acts=True, note_is_public=True),
    Status("fee_due", final=False, citizen_acts=True, note_is_public=True),
    Status("withdrawn", final=True, citizen_acts=False, note_is_public=False),
    Status("stopped", final=True, citizen_acts=False, note_is_public=True),
    Status("ready", final=True, citizen_acts=True, note_is_public=True),
    Status("returned", final=True, citizen_acts=False, note_is_public=False),
)

STATUSES: dict[str, Status] = {s.code: s for s in _ALL}
CODES: tuple[str, ...] = tuple(STATUSES)
OVERDUE = "overdue"

# The National Public Service Portal's status codes (TrangThaiHoSo, TrangThai), one for each
# of ours: 1 Mới đăng ký … 9 Đã xử lý xong (ready for pickup), 10 Đã trả kết quả.
NATIONAL: dict[int, str] = dict(enumerate(CODES, start=1))
NATIONAL_CODE: dict[str, int] = {status: number for number, status in NATIONAL.items()}


def from_national(value: object) -> str:
    """Our status for a national code given as a number or a string of digits; ValueError else."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("not a national status code")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) not in NATIONAL:
        raise ValueError("not a national status code (1 to 10)")
    return NATIONAL[int(text)]


def get(code: str) -> Status:
    """The status for a code; KeyError for one we do not know."""
    return STATUSES[code]


def is_known(code: object) -> bool:
    return isinstance(code, str) and code in STATUSES


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    """Overdue (trễ hạn) is derived: past the due date and the office has not finished."""
    if due_at is None:
        return False
    return not STATUSES[status].final and now > due_at
