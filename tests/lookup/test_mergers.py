"""Offices merged into others (the 2025 reform), on both databases: old codes keep resolving,
shown with the office that took them over, whose keys may now write them."""

import pytest

from lookup import codes, mergers, stats
from lookup.ingest import event_fields
from lookup.service import Forbidden
from lookup.store import notifications as alert_rows
from lookup.store.schema import dossiers
from lookup.views import Proof
from tests.conftest import AGENCY, NOW, OTHER_AGENCY
from tests.lookup.core import open_core, put

PROVINCE = "000.00.00.H99"  # the merged office
OLD_CODE = "000.00.04.H40-261110-0001"
OTHER_CODE = "000.00.12.H05-261110-0002"


@pytest.fixture
def core(database_url):
    service = open_core(database_url, {AGENCY: "UBND quận cũ", OTHER_AGENCY: "UBND huyện cũ",
                                       PROVINCE: "UBND phường mới"})
    put(service, OLD_CODE, AGENCY)
    put(service, OTHER_CODE, OTHER_AGENCY)
    yield service
    service.store.dispose()


def test_a_merged_offices_codes_resolve_with_the_new_office(core):
    done = mergers.merge(core.store, AGENCY, PROVINCE)
    assert (done.office_id, done.dossiers, done.followers) == (PROVINCE, 1, ())
    view = core.resolve(OLD_CODE, Proof(receipt=True))
    assert view.code == OLD_CODE
    assert view.office.id == PROVINCE
    assert view.office.name("vi") == "UBND phường mới"
    assert view.office.address == "số 1, UBND phường mới"
    assert view.filed_with("vi") == view.filed_with("en") == "UBND quận cũ"
    assert view.as_dict("en")["filed_with"] == "UBND quận cũ"
    assert [e.status for e in view.timeline] == ["received"]
    unmoved = core.resolve(OTHER_CODE)
    assert (unmoved.office.id, unmoved.filed_with("vi"), unmoved.as_dict("vi")["filed_with"]) == (
        OTHER_AGENCY, "", None)
    assert core.resolve_keypad(codes.keypad_form(OLD_CODE))[0].office.id == PROVINCE


def test_the_new_offices_key_writes_the_old_offices_dossiers(core):
    mergers.merge(core.store, AGENCY, PROVINCE)
    change = core.add_event(OLD_CODE, event_fields({"status": "ready", "at": "2026-11-19T10:00:00+07:00"}),
                            PROVINCE)
    assert change.status == "ready"
    put(core, OLD_CODE, AGENCY, key_agency=PROVINCE, status="ready", note="Mang CCCD")
    put(core, "000.00.04.H40-261119-0009", AGENCY, key_agency=PROVINCE)  # old software, old id
    assert core.resolve("000.00.04.H40-261119-0009").office.id == PROVINCE
    with pytest.raises(Forbidden):
        core.add_event(OLD_CODE, event_fields({"status": "returned", "at": "2026-11-20T09:00:00+07:00"}),
                       OTHER_AGENCY)
    with pytest.raises(Forbidden):
        put(core, OTHER_CODE, OTHER_AGENCY, key_agency=PROVINCE)
    with pytest.raises(Forbidden):
        put(core, "000.00.12.H05-261119-0001", OTHER_AGENCY, key_agency=PROVINCE)


def test_the_old_offices_keys_act_for_the_new_office(core):
    old_key = core.create_api_key(AGENCY, "the district's software")
    assert core.agency_for_key(old_key) == AGENCY
    mergers.merge(core.store, AGENCY, PROVINCE)
    assert core.agency_for_key(old_key) == PROVINCE
    mergers.unmerge(core.store, AGENCY)
    assert core.agency_for_key(old_key) == AGENCY


def test_mergers_never_chain(core):
    mergers.merge(core.store, AGENCY, OTHER_AGENCY)
    done = mergers.merge(core.store, OTHER_AGENCY, PROVINCE)
    assert (done.followers, done.dossiers) == ((AGENCY,), 2)
    assert core.resolve(OLD_CODE).office.id == PROVINCE
    core.put_agency("000.00.07.H40", {"name_vi": "UBND xã", "name_en": "", "address": "", "pickup_hours": "",
                                      "hotline": ""}, "000.00.07.H40")
    into_merged = mergers.merge(core.store, "000.00.07.H40", AGENCY)  # AGENCY is part of PROVINCE now
    assert into_merged.office_id == PROVINCE


@pytest.mark.parametrize("agency, into, problem", [
    ("000.99.99.H00", PROVINCE, "no agency 000.99.99.H00"),
    (AGENCY, "000.99.99.H00", "no agency 000.99.99.H00"),
    (AGENCY, AGENCY, "cannot be merged into itself"),
    (PROVINCE, AGENCY, f"{AGENCY} is part of {PROVINCE}"),
])
def test_mergers_that_cannot_be(core, agency, into, problem):
    mergers.merge(core.store, AGENCY, PROVINCE)
    with pytest.raises(mergers.MergeRefused, match=problem):
        mergers.merge(core.store, agency, into)


def test_unmerge_shows_the_old_office_again(core):
    mergers.merge(core.store, AGENCY, PROVINCE)
    assert mergers.unmerge(core.store, AGENCY) == PROVINCE
    assert core.resolve(OLD_CODE).office.id == AGENCY
    with pytest.raises(mergers.MergeRefused, match="not merged"):
        mergers.unmerge(core.store, AGENCY)


def test_statistics_and_alerts_follow_the_new_office(core):
    mergers.merge(core.store, AGENCY, PROVINCE)
    figures = stats.for_month(core.store, stats.Month.parse("2026-11", NOW), NOW)
    assert {(o.office_id, o.received) for o in figures.offices} == {(PROVINCE, 1), (OTHER_AGENCY, 1)}
    with core.store.begin() as conn:
        dossier_id = conn.execute(dossiers.select().where(dossiers.c.code == OLD_CODE)).first().id
        alert_rows.set_switch(conn, PROVINCE, "ready", False, NOW)
        facts = alert_rows.dossier_for_alert(conn, dossier_id)
        assert (facts.office_id, facts.agency_name_vi) == (PROVINCE, "UBND phường mới")
        assert alert_rows.disabled_kinds(conn, facts.office_id) == frozenset({"ready"})
