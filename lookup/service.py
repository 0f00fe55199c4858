"""The lookup core: resolve a code to what may be shown, and take in what the back-office sends.

Every channel goes through `Service`; none of them reads the store on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from lookup import codes, expected, history, ingest, messages, phones, recipients, statuses
from lookup.calendar import DueCount, Swap, WorkingCalendar, due_count
from lookup.clock import Clock, utcnow
from lookup.digits import ascii_digits
from lookup.ingest import DossierFields, EventFields, FieldError
from lookup.pins import PinGuard, PinLocked
from lookup.store import Store, calendar_days
from lookup.store import api_keys as api_key_rows
from lookup.store import dossiers as rows
from lookup.store import expected as expected_rows
from lookup.store import phones as phone_rows
from lookup.store import recipients as recipient_rows
from lookup.store.db import retry_read_once
from lookup.views import DossierView, Office, Proof, TimelineEntry, mask_name

RESOLVED = history.RESOLVED
FINAL = tuple(code for code, s in statuses.STATUSES.items() if s.final)
# How long a process keeps the working calendar before reading the swaps again: an import
# (calendar-import) reaches every running web and worker process within this.
CALENDAR_SECONDS = 60.0
# How long a process keeps the offices' e-IDs for typing hints (codes.incomplete).
AGENCY_IDS_SECONDS = 60.0


class Forbidden(Exception):
    """The key's agency may not write this; `field` names what the office got wrong."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Change:
    """What one write did to a dossier; listeners (the alert outbox) act on it."""

    dossier_id: int
    event_id: int | None
    event_status: str
    previous_status: str | None
    status: str
    previous_due_at: datetime | None
    due_at: datetime | None
    at: datetime

    @property
    def status_changed(self) -> bool:
        return self.event_id is not None and self.previous_status != self.status

    @property
    def due_date_moved(self) -> bool:
        return (self.previous_due_at is not None and self.due_at is not None
                and self.due_at > self.previous_due_at)


class ChangeListener(Protocol):
    def in_transaction(self, conn: Connection, change: Change) -> Any:
        """Write what the change causes, in the change's own transaction."""

    def after_commit(self, token: Any) -> None:
        """Act outside the database once the change is safe (e.g. enqueue jobs)."""

    def confirmation_in_transaction(self, conn: Connection, confirmation: recipients.Confirmation) -> Any:
        """Write the text that carries a confirmation code, in the transaction that made it."""


@dataclass(frozen=True)
class PutResult:
    code: str
    pin: str
    created: bool
    # The receipt's QR links are signed for this version (lookup.qr); a reissue raises it.
    receipt_version: int = 0


@dataclass(frozen=True)
class Receipt:
    code: str
    receipt_version: int


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Service:
    def __init__(self, store: Store, clock: Clock = utcnow, pin_length: int = 6,
                 pin_failures_per_dossier: int = 10,
                 expected_min_samples: int | None = expected.DEFAULT_MIN_SAMPLES) -> None:
        self.store = store
        # Finished dossiers needed before a lookup shows the expected completion; None: never
        # read it (the benchmark's baseline).
        self.expected_min_samples = expected_min_samples
        self.clock = clock
        self.pin_length = pin_length
        self.pins = PinGuard(store, pin_failures_per_dossier)
        self.listeners: list[ChangeListener] = []
        self._calendar: tuple[float, WorkingCalendar] | None = None
        self._agency_ids: tuple[float, list[str]] | None = None

    # Reading

    @retry_read_once
    def resolve(self, code_text: str | None, proof: Proof | None = None, *,
                with_timeline: bool = True, channel: str = "") -> DossierView | None:
        """The dossier behind a code as typed, or None.

        A wrong PIN gives None, exactly as an unknown code does, so guessing tells nothing;
        it is counted for the dossier (`channel` says where it came from, lookup.pins).
        Raises codes.InvalidCode when the text cannot be a code at all, and PinLocked (with
        what the code alone may show) when PINs are locked for this dossier.
        `with_timeline=False` skips the timeline query for channels that never show it (SMS).
        """
        code = codes.parse(code_text)
        wants_timeline = with_timeline and proof is not None and proof.offered
        if wants_timeline:
            found = rows.look_up_with_events(self.store, code.match_key)
            row, event_rows = found if found is not None else (None, [])
        else:
            row = rows.look_up(self.store, code.match_key, expected=self.expected_min_samples is not None)
        if row is None:
            return None
        if proof is not None and proof.pin and not proof.receipt:
            proven = self._check_pin(row, proof.pin, channel)
        else:
            proven = self._proven(row, proof)
        if proven is None:
            return None
        timeline: Sequence[TimelineEntry] = ()
        if proven and wants_timeline:
            timeline = _with_current_state(row, [
                TimelineEntry(e.event_status, e.event_at, e.event_note, e.event_due_at)
                for e in event_rows
            ])
        return self._view(row, proven, timeline)

    @retry_read_once
    def incomplete(self, code_text: str | None) -> codes.Incomplete | None:
        """For a code that was not found: whether it lacks the office's e-ID at its start
        (lookup.codes.incomplete), so the asker is told what is missing. It depends only on
        what was typed and the public list of offices, never on whether a dossier exists."""
        try:
            code = codes.parse(code_text)
        except codes.InvalidCode:
            return None
        kept = self._agency_ids
        if kept is None or time.monotonic() - kept[0] > AGENCY_IDS_SECONDS:
            with self.store.connect() as conn:
                kept = self._agency_ids = (time.monotonic(), rows.agency_ids(conn))
        return codes.incomplete(code, kept[1])

    @retry_read_once
    def resolve_keypad(self, digits: str, proof: Proof | None = None) -> list[DossierView]:
        """Dossiers whose code a keypad types as these digits (more than one is rare but real)."""
        keypad = codes.keypad_entry(digits)
        if len(keypad) < codes.MIN_KEY_LENGTH:
            return []
        with self.store.connect() as conn:
            found = rows.find_by_keypad(conn, keypad)
            views = []
            for row in found:
                proven = bool(self._proven(row, proof))
                timeline = _with_current_state(row, [
                    TimelineEntry(e.status, e.at, e.note, e.due_at) for e in rows.timeline(conn, row.id)
                ]) if proven else ()
                views.append(self._view(row, proven, timeline))
        return views

    def _proven(self, row: Row, proof: Proof | None) -> bool | None:
        """True with proof, False without, None for a wrong PIN or a voided QR link (treated
        as not found)."""
        if proof is None:
            return False
        if proof.receipt:
            return proof.receipt_version == row.receipt_version or None
        if proof.pin:
            return _pin_matches(proof.pin, row.pin) or None
        return phones.same_number(proof.phone, row.applicant_phone)

    def _check_pin(self, row: Row, pin: str, channel: str) -> bool | None:
        """True for the right PIN; None for a wrong one, counted; PinLocked while locked."""
        now = self.clock()
        locked = self.pins.locked_until(row.pin_locked_until, now)
        if locked is None:
            if _pin_matches(pin, row.pin):
                return True
            locked = self.pins.wrong_pin(row.id, row.code, channel, now)
            if locked is None:
                return None
        raise PinLocked(self._view(row, False, ()), locked)

    def _view(self, row: Row, proven: bool, timeline: Sequence[TimelineEntry]) -> DossierView:
        now = self.clock()
        overdue = statuses.is_overdue(row.status, row.due_at, now)
        count = DueCount()
        is_open = not statuses.get(row.status).final
        if row.due_at is not None and is_open:
            count = due_count(self.calendar(), row.due_at, now, overdue)
        return DossierView(
            code=row.code,
            status=row.status,
            procedure_name_vi=row.procedure_name_vi,
            procedure_name_en=row.procedure_name_en,
            office=Office(
                id=row.office_id,
                name_vi=row.agency_name_vi,
                name_en=row.agency_name_en,
                address=row.agency_address,
                pickup_hours=row.agency_pickup_hours,
                hotline=row.agency_hotline,
            ),
            handling_office=row.handling_office,
            filed_with_vi=row.filing_agency_name_vi if row.office_id != row.agency_id else "",
            filed_with_en=row.filing_agency_name_en if row.office_id != row.agency_id else "",
            received_at=row.received_at,
            due_at=row.due_at,
            original_due_at=row.original_due_at,
            overdue=overdue,
            working_days_left=count.left,
            working_days_late=count.late,
            due_today=count.due_today,
            expected=self._expected(row) if is_open else None,
            note=row.note if statuses.get(row.status).note_is_public else "",
            language=row.language,
            last_change=row.status_at,
            receipt_version=row.receipt_version,
            extra_phone=recipients.ExtraPhone.of(
                getattr(row, "extra_phone", None), getattr(row, "extra_confirmed_at", None),
                getattr(row, "extra_code_expires_at", None), now) if proven else None,
            proven=proven,
            applicant_name=mask_name(row.applicant_name) if proven else None,
            timeline=tuple(timeline),
        )

    def _expected(self, row: Row) -> expected.Expected | None:
        samples = getattr(row, "expected_samples", None)
        if samples is None or self.expected_min_samples is None:
            return None
        figures = expected.Figures(row.expected_p50, row.expected_p90, row.expected_on_time_share,
                                   samples)
        return expected.expected(figures, row.received_at, self.calendar(), self.expected_min_samples)

    def refresh_expected(self) -> expected.Refreshed:
        """Recompute the expected completion of every office and procedure from the last
        12 months (`flask --app app expected-refresh`, and nightly)."""
        now = self.clock()
        since = expected.window_start(now)
        with self.store.connect() as conn:
            found = expected.figures(expected_rows.finished_between(conn, since, now), self.calendar())
        with self.store.begin() as conn:
            expected_rows.replace_all(conn, found, now)
        shown = sum(f.samples >= (self.expected_min_samples or 0) for f in found.values())
        return expected.Refreshed(since=since, dossiers=sum(f.samples for f in found.values()),
                                  pairs=len(found), shown=shown)

    def expected_table(self) -> list[Any]:
        """Every office and procedure with enough finished dossiers, for /thong-ke."""
        with self.store.connect() as conn:
            return list(expected_rows.table(conn, self.expected_min_samples or 0))

    def calendar(self) -> WorkingCalendar:
        """The working calendar with the imported swaps, read again every CALENDAR_SECONDS."""
        kept = self._calendar
        if kept is None or time.monotonic() - kept[0] > CALENDAR_SECONDS:
            with self.store.connect() as conn:
                swaps = calendar_days.all_swaps(conn)
            kept = self._calendar = (time.monotonic(), WorkingCalendar(swaps))
        return kept[1]

    def put_swaps(self, swaps: Sequence[Swap], *, replace_years: Sequence[int] = ()) -> int:
        """Store announced swaps; with `replace_years`, those years' earlier swaps go first.
        How many earlier swaps were removed."""
        with self.store.begin() as conn:
            removed = calendar_days.remove_years(conn, replace_years)
            calendar_days.put(conn, swaps, self.clock())
        self._calendar = None
        return removed

    @retry_read_once
    def agency_for_key(self, key: str) -> str | None:
        if not key or len(key) > 200:
            return None
        with self.store.connect() as conn:
            return api_key_rows.agency_for(conn, hash_api_key(key))

    # Writing

    def create_api_key(self, agency_id: str, label: str = "") -> str:
        key = "tk_" + secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.begin() as conn:
            rows.ensure_agency(conn, agency_id, now)
            api_key_rows.add(conn, agency_id, hash_api_key(key), label, now)
        return key

    def api_keys(self, agency_id: str) -> Sequence[Row]:
        """The agency's keys (id, label, created_at, revoked_at); the keys themselves are not kept."""
        with self.store.connect() as conn:
            return api_key_rows.for_agency(conn, agency_id)

    def revoke_api_key(self, key_or_id: str) -> Row | None:
        """Revoke a key given as itself or as its id (list-api-keys shows ids); its row as it
        was, or None when no key matches. Every request checks the key: it stops at once."""
        key_or_id = key_or_id.strip()
        key_id = int(key_or_id) if key_or_id.isascii() and key_or_id.isdigit() else None
        with self.store.begin() as conn:
            found = api_key_rows.find(conn, key_id, None if key_id is not None else hash_api_key(key_or_id))
            if found is not None:
                api_key_rows.revoke(conn, found.id, self.clock())
        return found

    def put_agency(self, agency_id: str, values: dict[str, str], key_agency: str) -> None:
        if agency_id != key_agency:
            raise Forbidden("this key belongs to another agency")
        with self.store.begin() as conn:
            rows.upsert_agency(conn, {"id": agency_id, **values, "updated_at": self.clock()})

    def may_write(self, key_agency: str, agency_id: str) -> bool:
        """Whether a key of `key_agency` may write what `agency_id` files (merged offices too)."""
        with self.store.connect() as conn:
            return _acts_for(conn, key_agency, agency_id)

    def new_pin(self) -> str:
        return str(secrets.randbelow(10**self.pin_length)).zfill(self.pin_length)

    def put_dossier(self, fields: DossierFields, key_agency: str, *, demo: bool = False) -> PutResult:
        """Create or replace a dossier; its status goes into the timeline like any event.
        `demo` marks a new dossier as the demo's: its alerts go to the console."""
        for attempt in range(2):
            try:
                return self._put_dossier(fields, key_agency, demo)
            except IntegrityError:
                # Two writers created the same new code at once: the second one updates.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _put_dossier(self, fields: DossierFields, key_agency: str, demo: bool) -> PutResult:
        now = self.clock()
        tokens: list[tuple[ChangeListener, Any]] = []
        with self.store.begin() as conn:
            if rows.get_agency(conn, fields.agency_id) is None:
                raise FieldError("agency_id", "unknown agency; PUT /api/v1/agencies/<id> first")
            if not _acts_for(conn, key_agency, fields.agency_id):
                raise Forbidden("agency_id is not the agency of this key", "agency_id")
            _check_code_owner(conn, key_agency, fields.code)
            existing = rows.get_for_update(conn, fields.code.match_key)
            if existing is not None and not _acts_for(conn, key_agency, existing.agency_id):
                raise Forbidden("this dossier belongs to another agency")
            said = statement(fields)
            stored = history.State.of_row(existing) if existing is not None else None
            at = history.statement_time(said, stored, now)
            values = {
                "agency_id": fields.agency_id,
                "procedure_name_vi": fields.procedure_name_vi,
                "procedure_name_en": fields.procedure_name_en,
                "applicant_name": fields.applicant_name,
                "applicant_phone": fields.applicant_phone,
                "language": fields.language,
                "received_at": fields.received_at,
                "updated_at": now,
            }
            if existing is None:
                pin = fields.pin or self.new_pin()
                first = history.derive([history.as_event(said, at)], None, said)
                dossier_id = rows.insert_dossier(conn, {
                    **values,
                    **first.columns(),
                    "code": fields.code.display,
                    "match_key": fields.code.match_key,
                    "keypad": fields.code.keypad,
                    "pin": pin,
                    "demo": demo,
                })
            else:
                pin = fields.pin or existing.pin
                dossier_id = existing.id
                rows.update_dossier(conn, dossier_id, {**values, "pin": pin})
            change = self._record(conn, dossier_id, history.as_event(said, at), existing, said)
            tokens = [(lst, lst.in_transaction(conn, change)) for lst in self.listeners]
        self._after_commit(tokens)
        return PutResult(code=fields.code.display, pin=pin, created=existing is None,
                         receipt_version=existing.receipt_version if existing is not None else 0)

    def add_event(self, raw_code: str, event: EventFields, key_agency: str) -> Change | None:
        """Record a status change. None when the code is unknown. Sending it twice is harmless.

        Raises FieldError (field "code") for text that cannot be a dossier code, as PUT does.
        """
        code = ingest.dossier_code(raw_code)
        tokens: list[tuple[ChangeListener, Any]] = []
        with self.store.begin() as conn:
            existing = _writable(conn, code, key_agency)
            if existing is None:
                return None
            happened = history.Happened(event.status, event.at, event.note, event.due_at, event.office)
            change = self._record(conn, existing.id, happened, existing, None)
            if change.event_id is not None:
                tokens = [(lst, lst.in_transaction(conn, change)) for lst in self.listeners]
        self._after_commit(tokens)
        return change

    def reissue(self, raw_code: str, key_agency: str) -> PutResult | None:
        """A lost receipt: a new PIN and QR link, the old ones void, and any PIN lock lifted
        (the office has seen the applicant). None when the code is unknown."""
        code = ingest.dossier_code(raw_code)
        with self.store.begin() as conn:
            existing = _writable(conn, code, key_agency)
            if existing is None:
                return None
            pin = self.new_pin()
            while pin == existing.pin:
                pin = self.new_pin()
            version = existing.receipt_version + 1
            rows.update_dossier(conn, existing.id, {"pin": pin, "receipt_version": version,
                                                    "updated_at": self.clock()})
            self.pins.unlock(conn, existing.id)
        return PutResult(code=existing.code, pin=pin, created=False, receipt_version=version)

    def receipt(self, raw_code: str, key_agency: str) -> Receipt | None:
        """What the office prints on a receipt's QR code; None when the code is unknown."""
        code = ingest.dossier_code(raw_code)
        existing = rows.look_up(self.store, code.match_key, expected=False)
        if existing is None:
            return None
        with self.store.connect() as conn:
            if not _acts_for(conn, key_agency, existing.agency_id):
                raise Forbidden("this dossier belongs to another agency")
        return Receipt(existing.code, existing.receipt_version)

    def _record(self, conn: Connection, dossier_id: int, event: history.Happened,
                previous: Row | None, said: history.Statement | None) -> Change:
        """Store the event (once) and derive the dossier's state from its whole history."""
        now = self.clock()
        event_id = rows.insert_event(conn, {
            "dossier_id": dossier_id,
            "status": event.status,
            "at": event.at,
            "note": event.note,
            "due_at": event.due_at,
            "office": event.office,
            "recorded_at": now,
        })
        # The whole history in one read (a dossier has a handful of events); all else derives.
        events = [history.Happened(e.status, e.at, e.note, e.due_at, e.office)
                  for e in rows.history(conn, dossier_id)]
        stored = history.State.of_row(previous) if previous is not None else None
        state = history.derive(events, stored, said)
        rows.update_dossier(conn, dossier_id, {**state.columns(), "updated_at": now})
        return Change(
            dossier_id=dossier_id,
            event_id=event_id,
            event_status=event.status,
            previous_status=previous.status if previous is not None else None,
            status=state.status,
            previous_due_at=previous.due_at if previous is not None else None,
            due_at=state.due_at,
            at=event.at,
        )

    # One more phone for the alerts (lookup.recipients)

    def add_recipient(self, code_text: str, proof: Proof, phone_text: str,
                      language: str) -> recipients.ExtraPhone:
        """Send a code to one more phone for this dossier's alerts; it gets alerts once it
        texts the code back (Subscribers.answer_code). `proof` must prove the dossier is the
        asker's (the receipt: its QR link, or a PIN checked earlier for its version).

        Raises recipients.Refused (with a reason) when the phone cannot be added now, and
        LookupError when the code is unknown or the proof does not hold (any more)."""
        try:
            phone = phones.to_e164(phone_text)
        except phones.InvalidPhone:
            raise recipients.Refused(recipients.INVALID_PHONE) from None
        if not phones.is_vietnamese_mobile(phone):
            raise recipients.Refused(recipients.INVALID_PHONE)
        code = codes.parse(code_text)
        now = self.clock()
        tokens: list[tuple[ChangeListener, Any]] = []
        with self.store.begin() as conn:
            # The dossier's row, locked: two requests at once cannot both send a code.
            row = rows.get_for_update(conn, code.match_key)
            if row is None or not proof.offered or not self._proven(row, proof):
                raise LookupError("not proven")
            existing = recipient_rows.get(conn, row.id)
            sends, since = recipients.check_add(existing, phone, _e164(row.applicant_phone),
                                                phone_rows.is_opted_out(conn, phone), now)
            secret = recipients.new_code()
            expires = now + recipients.CODE_LIFETIME
            recipient_rows.put(conn, row.id, {
                "phone": phone, "language": messages.language(language),
                "code_hash": recipients.code_hash(row.id, secret), "code_expires_at": expires,
                "tries": 0, "confirmed_at": None, "sends": sends, "sends_since": since,
            }, now)
            confirmation = recipients.Confirmation(row.id, row.code, phone, messages.language(language),
                                                   secret, expires)
            tokens = [(lst, lst.confirmation_in_transaction(conn, confirmation)) for lst in self.listeners]
        self._after_commit(tokens)
        return recipients.ExtraPhone(recipients.shown_phone(phone), False, expires)

    def remove_recipient(self, code_text: str, proof: Proof) -> None:
        """Stop the alerts to the dossier's extra phone (the registered phone keeps its own).
        LookupError when the code is unknown or the proof does not hold."""
        code = codes.parse(code_text)
        with self.store.begin() as conn:
            row = rows.get_for_update(conn, code.match_key)
            if row is None or not proof.offered or not self._proven(row, proof):
                raise LookupError("not proven")
            recipient_rows.remove(conn, row.id, self.clock())

    def _after_commit(self, tokens: list[tuple[ChangeListener, Any]]) -> None:
        for listener, token in tokens:
            listener.after_commit(token)



def statement(fields: DossierFields, *, live: bool = True) -> history.Statement:
    """What a PUT (live) or an import row (a snapshot) says of the dossier as a whole."""
    moved = fields.first_due_at is not None and fields.first_due_at != fields.due_at
    return history.Statement(
        status=fields.status, status_at=fields.status_at, received_at=fields.received_at,
        due_at=fields.first_due_at if moved else fields.due_at, note=fields.note,
        handling_office=fields.handling_office, live=live,
        due_moved_to=fields.due_at if moved else None)


def _e164(phone: str) -> str:
    try:
        return phones.to_e164(phone)
    except phones.InvalidPhone:
        return ""


def _pin_matches(given: str, pin: str) -> bool:
    return hmac.compare_digest(ascii_digits(given.strip()).encode(), pin.encode())


def _writable(conn: Connection, code: codes.DossierCode, key_agency: str) -> Row | None:
    """The stored dossier, locked for this write, if this key may write it; None if unknown."""
    existing = rows.get_for_update(conn, code.match_key)
    if existing is None:
        return None
    _check_code_owner(conn, key_agency, code)
    if not _acts_for(conn, key_agency, existing.agency_id):
        raise Forbidden("this dossier belongs to another agency")
    return existing


def _check_code_owner(conn: Connection, key_agency: str, code: codes.DossierCode) -> None:
    """A code that starts with an agency's e-ID is that agency's to write (or the office it
    was merged into): no office may write under another's codes, whose public lookup would
    then show what it wrote."""
    owner = rows.code_owner(conn, code.display)
    if owner is not None and not _acts_for(conn, key_agency, owner):
        raise Forbidden(f"the code starts with the e-ID of agency {owner}: only that agency "
                        "(or the office it was merged into) may write it", "code")


def _acts_for(conn: Connection, key_agency: str, agency_id: str) -> bool:
    """Whether a key of `key_agency` may write what `agency_id` filed: its own, or an office's
    that was merged into it."""
    return agency_id == key_agency or rows.office_of(conn, agency_id) == key_agency


def _with_current_state(row: Row, entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """The events, and the current state where it came from a bulk import with no event."""
    if history.is_imported(row.status, row.status_at, entries):
        entries.append(TimelineEntry(row.status, row.status_at, row.note, None))
        entries.sort(key=lambda e: e.at)
    return entries
