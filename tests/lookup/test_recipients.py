"""One more phone for a dossier's alerts (issue 12, item 10): who may add one, the limits that
keep a leaked PIN from texting strangers, the code texted back, STOP."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lookup import recipients
from lookup.clock import fixed
from lookup.store.schema import extra_recipients, notifications
from lookup.views import Proof
from tests.conftest import NOW

READY = "000.00.04.H40-261102-0001"  # registered phone +84912000001
RECEIPT = Proof(receipt=True, receipt_version=0)
FAMILY, VOLUNTEER, STRANGER = "0987 654 321", "0901234567", "0933333333"


def row(**values):
    base = {"phone": "", "confirmed_at": None, "code_hash": "", "code_expires_at": None, "sends": 0,
            "sends_since": None, "tries": 0}
    return SimpleNamespace(**{**base, **values})


@pytest.mark.parametrize("existing, phone, opted_out, outcome", [
    (None, "+84987654321", False, (1, NOW)),
    (None, "+84912000001", False, recipients.SAME_PHONE),
    (None, "+84987654321", True, recipients.OPTED_OUT),
    (row(phone="+84901234567", confirmed_at=NOW), "+84987654321", False, recipients.ALREADY),
    (row(phone="+84901234567", code_hash="x", code_expires_at=NOW + timedelta(minutes=1), sends=1,
         sends_since=NOW), "+84987654321", False, recipients.WAITING),
    # The code expired unanswered: another may be asked, counted in the same day.
    (row(phone="+84901234567", code_hash="x", code_expires_at=NOW - timedelta(minutes=1), sends=1,
         sends_since=NOW - timedelta(hours=1)), "+84987654321", False, (2, NOW - timedelta(hours=1))),
    (row(sends=3, sends_since=NOW - timedelta(hours=23)), "+84987654321", False, recipients.TOO_MANY),
    (row(sends=3, sends_since=NOW - timedelta(hours=25)), "+84987654321", False, (1, NOW)),
])
def test_who_may_be_sent_a_code(existing, phone, opted_out, outcome):
    if isinstance(outcome, str):
        with pytest.raises(recipients.Refused) as refused:
            recipients.check_add(existing, phone, "+84912000001", opted_out, NOW)
        assert refused.value.reason == outcome
    else:
        assert recipients.check_add(existing, phone, "+84912000001", opted_out, NOW) == outcome


def waiting(dossier_id, code, tries=0, expires=NOW + timedelta(minutes=5)):
    return SimpleNamespace(dossier_id=dossier_id, code_hash=recipients.code_hash(dossier_id, code),
                           code_expires_at=expires, tries=tries, dossier_code=f"D{dossier_id}")


def test_a_texted_code_confirms_its_own_dossier_only():
    rows = [waiting(1, "111111"), waiting(2, "222222")]
    answer, confirmed, wrong = recipients.answer(rows, "222222", NOW)
    assert answer == recipients.Answer(recipients.CONFIRMED, "D2") and confirmed is rows[1] and wrong == []
    answer, confirmed, wrong = recipients.answer(rows, "333333", NOW)
    assert answer.outcome == recipients.WRONG and confirmed is None and wrong == rows
    last_try = recipients.answer([waiting(1, "111111", tries=4)], "000000", NOW)
    assert last_try[0].outcome == recipients.CANCELLED
    expired = [waiting(1, "111111", expires=NOW - timedelta(seconds=1))]
    assert recipients.answer(expired, "111111", NOW)[0].outcome == recipients.EXPIRED
    assert recipients.answer([], "111111", NOW)[0].outcome == recipients.NOTHING_WAITING


class Listener:
    """Records the confirmations the core hands to the outbox."""

    def __init__(self):
        self.sent = []

    def in_transaction(self, conn, change):
        return None

    def confirmation_in_transaction(self, conn, confirmation):
        self.sent.append(confirmation)
        return None

    def after_commit(self, token):
        pass


@pytest.fixture
def codes_sent(service, demo):
    listener = Listener()
    service.listeners[:] = [listener]
    return listener.sent


def extra(app):
    with app.extensions["tracuu.store"].connect() as conn:
        return conn.execute(select(extra_recipients)).first()


def test_with_proof_a_phone_is_sent_a_code_and_confirms_by_texting_it(app, service, codes_sent):
    shown = service.add_recipient(READY, RECEIPT, FAMILY, "en")
    assert shown == recipients.ExtraPhone("0987***321", False, NOW + recipients.CODE_LIFETIME)
    [sent] = codes_sent
    assert (sent.phone, sent.language, sent.dossier_code) == ("+84987654321", "en", READY)
    assert len(sent.code) == 6 and sent.code not in extra(app).code_hash  # kept hashed
    page = service.resolve(READY, RECEIPT)
    assert page.extra_phone == recipients.ExtraPhone("0987***321", False, NOW + recipients.CODE_LIFETIME)
    assert service.resolve(READY).extra_phone is None  # the code alone shows nothing of it

    subscribers = app.extensions["tracuu.subscribers"]
    assert subscribers.answer_code("+84987654321", "000000").outcome == recipients.WRONG
    assert subscribers.answer_code("+84933333333", sent.code).outcome == recipients.NOTHING_WAITING
    confirmed = subscribers.answer_code("+84987654321", sent.code)
    assert confirmed == recipients.Answer(recipients.CONFIRMED, READY)
    assert service.resolve(READY, RECEIPT).extra_phone == recipients.ExtraPhone("0987***321", True)
    # The same code again confirms nothing more.
    assert subscribers.answer_code("+84987654321", sent.code).outcome == recipients.NOTHING_WAITING


def test_without_proof_nothing_is_sent(service, codes_sent):
    for proof in (Proof(), Proof(receipt=True, receipt_version=1)):
        with pytest.raises(LookupError):
            service.add_recipient(READY, proof, FAMILY, "vi")
    with pytest.raises(LookupError):
        service.add_recipient("000.00.04.H40-261102-0999", RECEIPT, FAMILY, "vi")
    assert codes_sent == []


@pytest.mark.parametrize("phone", ["", "12", "0243 858 0000", "+1 415 555 0100", "0912000001"])
def test_only_another_vietnamese_mobile_is_sent_a_code(service, codes_sent, phone):
    with pytest.raises(recipients.Refused) as refused:
        service.add_recipient(READY, RECEIPT, phone, "vi")
    expected = recipients.SAME_PHONE if phone == "0912000001" else recipients.INVALID_PHONE
    assert refused.value.reason == expected
    assert codes_sent == []


def test_a_leaked_pin_cannot_text_strangers(app, service, codes_sent):
    """One phone per dossier; none other while a code waits; three codes a day; five tries."""
    service.add_recipient(READY, RECEIPT, FAMILY, "vi")
    with pytest.raises(recipients.Refused) as refused:
        service.add_recipient(READY, RECEIPT, STRANGER, "vi")
    assert refused.value.reason == recipients.WAITING
    assert refused.value.until == NOW + recipients.CODE_LIFETIME
    # Five wrong codes cancel it...
    subscribers = app.extensions["tracuu.subscribers"]
    for _ in range(recipients.MAX_TRIES - 1):
        assert subscribers.answer_code("+84987654321", "000000").outcome == recipients.WRONG
    assert subscribers.answer_code("+84987654321", "000000").outcome == recipients.CANCELLED
    assert subscribers.answer_code("+84987654321", codes_sent[0].code).outcome == recipients.NOTHING_WAITING
    # ...and the day's count goes on: two more codes, then no more until tomorrow.
    service.add_recipient(READY, RECEIPT, VOLUNTEER, "vi")
    service.clock = fixed(NOW + recipients.CODE_LIFETIME + timedelta(seconds=1))  # unanswered
    service.add_recipient(READY, RECEIPT, STRANGER, "vi")
    service.clock = fixed(NOW + 2 * recipients.CODE_LIFETIME + timedelta(seconds=2))
    with pytest.raises(recipients.Refused) as refused:
        service.add_recipient(READY, RECEIPT, FAMILY, "vi")
    assert refused.value.reason == recipients.TOO_MANY and refused.value.until == NOW + timedelta(days=1)
    # Removing and adding again does not reset the count.
    service.remove_recipient(READY, RECEIPT)
    with pytest.raises(recipients.Refused):
        service.add_recipient(READY, RECEIPT, FAMILY, "vi")
    assert len(codes_sent) == 3
    service.clock = fixed(NOW + timedelta(days=1, seconds=1))
    service.add_recipient(READY, RECEIPT, FAMILY, "vi")
    assert len(codes_sent) == 4


def test_one_confirmed_phone_per_dossier_until_it_is_removed(app, service, codes_sent):
    service.add_recipient(READY, RECEIPT, FAMILY, "vi")
    app.extensions["tracuu.subscribers"].answer_code("+84987654321", codes_sent[-1].code)
    with pytest.raises(recipients.Refused) as refused:
        service.add_recipient(READY, RECEIPT, VOLUNTEER, "vi")
    assert refused.value.reason == recipients.ALREADY
    service.remove_recipient(READY, RECEIPT)
    assert service.resolve(READY, RECEIPT).extra_phone is None
    service.add_recipient(READY, RECEIPT, VOLUNTEER, "vi")
    assert service.resolve(READY, RECEIPT).extra_phone.masked == "0901***567"


def test_stop_from_the_extra_phone_removes_it_and_the_registered_phone_stays(app, service, codes_sent):
    service.add_recipient(READY, RECEIPT, FAMILY, "vi")
    subscribers = app.extensions["tracuu.subscribers"]
    subscribers.answer_code("+84987654321", codes_sent[-1].code)
    subscribers.update("+84987654321", opted_out=True)
    assert service.resolve(READY, RECEIPT).extra_phone is None
    assert subscribers.settings("+84912000001").opted_out is False
    # Opted out, it cannot be asked again until it texts START.
    service.clock = fixed(NOW + timedelta(minutes=1))
    with pytest.raises(recipients.Refused) as refused:
        service.add_recipient(READY, RECEIPT, FAMILY, "vi")
    assert refused.value.reason == recipients.OPTED_OUT


def test_the_outbox_writes_the_code_as_a_text_to_the_new_phone(app, demo):
    service = app.extensions["tracuu.service"]
    service.add_recipient(READY, RECEIPT, FAMILY, "vi")
    with app.extensions["tracuu.store"].connect() as conn:
        [text] = conn.execute(select(notifications)
                              .where(notifications.c.kind == "confirm_phone")).all()
    assert (text.to_phone, text.channel, text.status) == ("+84987654321", "sms", "queued")
    assert text.send_after is None
    assert READY in text.body and "8077" in text.body and "15 phut" in text.body
