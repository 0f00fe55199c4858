"""The core against both databases: SQLite and a private PostgreSQL, schema made by Alembic."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lookup import codes
from lookup.ingest import EventFields, FieldError, dossier_fields, event_fields
from lookup.service import Forbidden, Service
from lookup.store.schema import dossiers, events
from lookup.views import Proof
from tests.conftest import AGENCY, NOW, OTHER_AGENCY
from tests.lookup.core import CODE, open_core, put


@pytest.fixture
def core(database_url):
    service = open_core(database_url, {agency: f"UBND {agency}" for agency in (AGENCY, OTHER_AGENCY)})
    yield service
    service.store.dispose()


def event(status, at, note="", due_at=None):
    return event_fields({"status": status, "at": at, "note": note, **({"due_at": due_at} if due_at else {})})


def test_round_trip_public_tier(core):
    put(core)
    view = core.resolve("000 00 04 h40 261110 0001")
    assert view.code == CODE
    assert view.status == "received"
    assert view.office.name("vi") == f"UBND {AGENCY}"
    assert view.overdue is False
    assert view.proven is False
    assert view.applicant_name is None
    assert view.timeline == ()
    assert "Nguyễn" not in str(view.as_dict("vi"))
    assert "0912" not in str(view.as_dict("vi"))


def test_pin_shows_masked_name_and_timeline(core):
    pin = put(core).pin
    view = core.resolve(CODE, Proof(pin=pin))
    assert view.proven
    assert view.applicant_name == "Nguyễn V*** A**"
    assert [e.status for e in view.timeline] == ["received"]


def test_registered_phone_is_proof(core):
    put(core)
    assert core.resolve(CODE, Proof(phone="+84912345678")).proven
    assert core.resolve(CODE, Proof(phone="0987654321")).proven is False


def test_wrong_pin_is_indistinguishable_from_unknown_code(core):
    pin = put(core).pin
    wrong = str((int(pin) + 1) % 10**6).zfill(6)
    assert core.resolve(CODE, Proof(pin=wrong)) is None
    assert core.resolve("000.00.04.H40-261110-9999") is None
    assert core.resolve("000.00.04.H40-261110-9999", Proof(pin=pin)) is None


def test_garbage_raises_a_reason(core):
    with pytest.raises(codes.InvalidCode):
        core.resolve("1.000948.H38")


def test_events_are_idempotent_and_order_independent(core):
    put(core)
    later = event("ready", "2026-11-19T15:00:00+07:00", note="Mang CCCD")
    earlier = event("processing", "2026-11-12T08:00:00+07:00")
    first = core.add_event(CODE, later, AGENCY)
    again = core.add_event(CODE, later, AGENCY)
    late_arrival = core.add_event(CODE, earlier, AGENCY)
    assert first.event_id is not None and first.status_changed
    assert again.event_id is None
    assert late_arrival.status == "ready" and not late_arrival.status_changed
    view = core.resolve(CODE, Proof(phone="0912345678"))
    assert view.status == "ready"
    assert view.note == "Mang CCCD"
    assert [e.status for e in view.timeline] == ["received", "processing", "ready"]
    with core.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 3


def test_overdue_and_new_due_date(core):
    put(core, due_at="2026-11-15")
    assert core.resolve(CODE).overdue
    change = core.add_event(CODE, event("processing", "2026-11-16T08:00:00+07:00",
                                        note="Xin lỗi", due_at="2026-11-30"), AGENCY)
    assert change.due_date_moved
    view = core.resolve(CODE)
    assert not view.overdue
    assert view.due_date_moved
    assert view.due_at > view.original_due_at


def test_agency_scoping(core):
    put(core)
    with pytest.raises(Forbidden):
        put(core, agency=OTHER_AGENCY, code=CODE)
    with pytest.raises(Forbidden):
        core.add_event(CODE, event("ready", "2026-11-19T15:00:00+07:00"), OTHER_AGENCY)
    with pytest.raises(Forbidden):
        core.put_dossier(dossier_fields("000.00.12.H05-261110-0001", {
            "agency_id": OTHER_AGENCY, "procedure_name": "x", "applicant_name": "y",
            "applicant_phone": "0912345678", "received_at": "2026-11-10", "due_at": "2026-11-12",
            "status": "received"}), AGENCY)
    assert core.resolve(CODE).status == "received"


def test_put_again_keeps_pin_and_updates(core):
    first = put(core)
    second = put(core, procedure_name="Cấp bản sao trích lục khai sinh", status="processing")
    assert second.pin == first.pin and not second.created
    view = core.resolve(CODE)
    assert view.procedure_name("vi") == "Cấp bản sao trích lục khai sinh"
    assert view.status == "processing"


def test_unknown_code_event_is_none(core):
    assert core.add_event("000.00.04.H40-261110-0404",
                          EventFields("ready", NOW, "", None, ""), AGENCY) is None


def test_keypad_lookup(core):
    put(core)
    found = core.resolve_keypad(codes.keypad_form(CODE))
    assert [v.code for v in found] == [CODE]
    assert core.resolve_keypad("123") == []


def test_rejected_write_leaves_nothing(core):
    with pytest.raises(FieldError):
        put(core, agency_id="999.99.99.X99", agency="999.99.99.X99")
    with core.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(dossiers)).scalar_one() == 0


def test_api_keys(core):
    key = core.create_api_key(AGENCY)
    assert core.agency_for_key(key) == AGENCY
    assert core.agency_for_key(key + "x") is None
    assert core.agency_for_key("") is None


def test_overdue_flips_with_the_clock(core):
    put(core, due_at="2026-11-20T11:00:00+07:00")
    later = Service(core.store, clock=lambda: NOW + timedelta(hours=2))
    assert core.resolve(CODE).overdue is False
    assert later.resolve(CODE).overdue is True


def test_demo_loads_once(core):
    from lookup import demo

    first = demo.load(core)
    again = demo.load(core)
    assert first == again and len(first) == len(demo.DOSSIERS)
    assert {status for _, _, status in first} == set(statuses_codes())
    for code, pin, status in first:
        view = core.resolve(code, Proof(pin=pin))
        assert view.status == status
        assert len(view.timeline) == (1 if status == "received" else 2)


def statuses_codes():
    from lookup.statuses import CODES

    return CODES
