"""Safe to put into service (issue 10): writes under another agency's codes, PIN guessing per
dossier across channels, a lost receipt, revoked keys, and hostile input to the ingest API."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

import config as settings
from app import create_app
from lookup import demo as demo_data
from tests.channels.web.htmlcheck import parse_page, text_of
from tests.conftest import AGENCY, NOW, OTHER_AGENCY

READY = "000.00.04.H40-261102-0001"  # demo: PIN 204851, phone 0912000001
PIN = "204851"
H05_CODE = "000.00.12.H05-261201-0001"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def safe_app(tmp_path, clock):
    config = settings.TestConfig()
    config.DATABASE_URL = f"sqlite:///{tmp_path / 'safe.db'}"
    config.KANNEL_SECRET = "k"
    app = create_app(config, clock=clock)
    app.extensions["tracuu.store"].create_all()
    demo_data.load(app.extensions["tracuu.service"])
    yield app
    app.extensions["tracuu.store"].dispose()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def dossier_body(agency: str = AGENCY, **extra) -> dict:
    return {"agency_id": agency, "procedure_name": "Cấp giấy khai sinh", "applicant_name": "Nguyễn Văn An",
            "applicant_phone": "0912345678", "received_at": "2026-11-10", "due_at": "2026-11-25",
            "status": "received", "note": "", **extra}


def resolve(app, code):
    return app.extensions["tracuu.service"].resolve(code)


# 3. One agency cannot write under another's codes

def test_an_agency_cannot_create_a_dossier_under_anothers_code(safe_app):
    key = safe_app.extensions["tracuu.service"].create_api_key(AGENCY)
    client = safe_app.test_client()
    body = dossier_body(note="Bring 5,000,000 VND cash to room 9", status="supplement_requested")
    refused = client.put(f"/api/v1/dossiers/{H05_CODE}", headers=auth(key), json=body)
    assert refused.status_code == 403
    assert refused.get_json()["field"] == "code" and OTHER_AGENCY in refused.get_json()["message"]
    assert resolve(safe_app, H05_CODE) is None  # nothing written
    # Nor change an existing one, nor give it a new receipt.
    existing = "000.00.12.H05-261101-0002"
    assert client.put(f"/api/v1/dossiers/{existing}", headers=auth(key), json=body).status_code == 403
    assert client.post(f"/api/v1/dossiers/{existing}/events", headers=auth(key),
                       json={"status": "ready", "at": "2026-11-20"}).get_json()["field"] == "code"
    assert client.post(f"/api/v1/dossiers/{existing}/reissue", headers=auth(key)).status_code == 403
    assert resolve(safe_app, existing).status == "received"


def test_a_code_with_the_e_id_of_an_agency_not_yet_here_is_still_its_own(safe_app):
    key = safe_app.extensions["tracuu.service"].create_api_key(AGENCY)
    response = safe_app.test_client().put("/api/v1/dossiers/000.00.99.H99-261201-0001", headers=auth(key),
                                          json=dossier_body())
    assert response.status_code == 403 and response.get_json()["field"] == "code"


@pytest.mark.parametrize("code", [f"{AGENCY}-261201-0042", "HS-2026-000123"])
def test_an_agency_writes_its_own_codes_and_codes_without_an_e_id(safe_app, code):
    key = safe_app.extensions["tracuu.service"].create_api_key(AGENCY)
    response = safe_app.test_client().put(f"/api/v1/dossiers/{code}", headers=auth(key), json=dossier_body())
    assert response.status_code == 201, response.get_json()


def test_the_office_an_agency_was_merged_into_writes_its_codes(safe_app):
    from lookup import mergers

    mergers.merge(safe_app.extensions["tracuu.store"], OTHER_AGENCY, AGENCY)
    key = safe_app.extensions["tracuu.service"].create_api_key(AGENCY)
    response = safe_app.test_client().put(f"/api/v1/dossiers/{H05_CODE}", headers=auth(key),
                                          json=dossier_body(OTHER_AGENCY))
    assert response.status_code == 201, response.get_json()


# 4. PIN guessing is limited per dossier

def wrong_pin_everywhere(client, count: int) -> None:
    """Wrong PINs from several addresses and every channel that takes one."""
    for n in range(count):
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        kind = n % 3
        if kind == 0:
            page = client.post("/tra-cuu", data={"code": READY, "pin": f"{n:06d}"})
            assert page.status_code == 404
        elif kind == 1:
            api = client.get("/api/v1/lookup", query_string={"code": READY, "pin": f"{n:06d}"})
            assert api.status_code == 404
        else:
            sms = client.get("/sms/kannel", query_string={"secret": "k", "from": f"8498700{n:04d}",
                                                          "text": f"TC {READY} {n:06d}"})
            assert sms.status_code == 200 and "khong" in sms.get_data(as_text=True).lower()


def test_ten_wrong_pins_from_anywhere_lock_the_pin_for_an_hour(safe_app, clock):
    client = safe_app.test_client()
    wrong_pin_everywhere(client, 9)
    # The tenth wrong PIN locks it, and says so.
    locked = client.get("/api/v1/lookup", query_string={"code": READY, "pin": "999999", "lang": "en"})
    assert locked.status_code == 429
    body = locked.get_json()
    assert body["error"] == "pin_locked" and "QR code" in body["message"]
    wait = int(locked.headers["Retry-After"])
    assert 3500 <= wait <= 3600 and body["retry_after"] == wait
    # Even the right PIN opens nothing now, on any channel.
    assert client.get("/api/v1/lookup", query_string={"code": READY, "pin": PIN}).status_code == 429
    page = client.post("/tra-cuu?lang=en", data={"code": READY, "pin": PIN}, follow_redirects=True)
    assert page.status_code == 200
    words = text_of(parse_page(page.data, "en"))
    assert "The PIN cannot be used for this dossier for now." in words
    assert "scan the QR code on your receipt" in words
    assert "Nguyễn V***" not in words  # the code-only tier: no name, no timeline
    sms = client.get("/sms/kannel", query_string={"secret": "k", "from": "84987001234",
                                                  "text": f"TC {READY} {PIN}"})
    assert "PIN" in sms.get_data(as_text=True) and "khoa" in sms.get_data(as_text=True)
    # The code alone, the receipt's QR link and the registered phone still work.
    code_only = client.get("/api/v1/lookup", query_string={"code": READY})
    assert code_only.status_code == 200 and code_only.get_json()["proven"] is False
    from lookup import qr

    token = qr.make_token(READY, safe_app.config["SECRET_KEY"])
    assert "timeline" in client.get(f"/d/{token}").get_data(as_text=True)
    from_owner = client.get("/sms/kannel", query_string={"secret": "k", "from": "84912000001",
                                                         "text": f"TC {READY}"})
    assert from_owner.status_code == 200 and "khong" not in from_owner.get_data(as_text=True).lower()
    # An hour later the PIN works again.
    clock.now = NOW + timedelta(hours=1, seconds=1)
    again = client.get("/api/v1/lookup", query_string={"code": READY, "pin": PIN})
    assert again.status_code == 200 and again.get_json()["proven"] is True


def test_wrong_pins_spread_over_more_than_an_hour_do_not_lock(safe_app, clock):
    client = safe_app.test_client()
    for n in range(12):
        clock.now = NOW + timedelta(minutes=7 * n)
        assert client.get("/api/v1/lookup", query_string={"code": READY, "pin": "000000"}).status_code == 404
    assert client.get("/api/v1/lookup", query_string={"code": READY, "pin": PIN}).status_code == 200


def test_a_proven_answer_is_never_cached(safe_app):
    answer = safe_app.test_client().get("/api/v1/lookup", query_string={"code": READY, "pin": PIN})
    assert answer.get_json()["proven"] is True and answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("asked, status", [
    ({"code": READY}, 200),
    ({"code": READY, "pin": "000000"}, 404),              # a wrong PIN
    ({"code": "000.00.04.H40-991231-9999"}, 404),         # no such dossier, yet
    ({"code": "H40-991231-9999"}, 400),                   # the office part cut off
    ({"code": "xyz"}, 400),
])
def test_no_lookup_answer_is_kept_by_a_cache(safe_app, asked, status):
    # A 404 or 400 is cacheable by default: kept on the way, it would answer a later lookup of
    # a code the office has entered since.
    answer = safe_app.test_client().get("/api/v1/lookup", query_string=asked)
    assert (answer.status_code, answer.headers.get("Cache-Control")) == (status, "no-store")


def test_the_form_shown_again_with_what_was_typed_is_not_cached(safe_app):
    again = safe_app.test_client().post("/tra-cuu", data={"code": "H40-991231-9999"})
    assert (again.status_code, again.headers.get("Cache-Control")) == (400, "no-store")


def test_a_lost_receipt_is_reissued_and_the_old_pin_and_qr_link_stop_working(safe_app, clock):
    service = safe_app.extensions["tracuu.service"]
    key = service.create_api_key(AGENCY)
    client = safe_app.test_client()
    old_qr = client.put(f"/api/v1/dossiers/{AGENCY}-261201-0042", headers=auth(key),
                        json=dossier_body()).get_json()["qr_url"]
    code = f"{AGENCY}-261201-0042"
    wrong_pin_everywhere(client, 0)
    for _ in range(10):
        client.get("/api/v1/lookup", query_string={"code": code, "pin": "000000"})
    old_pin = service.resolve(code, None)  # the code-only view; the PIN is read below
    assert old_pin is not None
    reissued = client.post(f"/api/v1/dossiers/{code}/reissue", headers=auth(key))
    assert reissued.status_code == 200
    body = reissued.get_json()
    assert set(body) == {"code", "pin", "qr_url"} and body["code"] == code
    assert len(body["pin"]) == 6 and body["qr_url"] != old_qr
    # The new PIN works at once (the lock is lifted) and the new QR link opens the full view.
    assert client.get("/api/v1/lookup", query_string={"code": code, "pin": body["pin"]}).status_code == 200
    assert "timeline" in client.get(urlsplit(body["qr_url"]).path).get_data(as_text=True)
    # The old QR link is void: the same answer as a forged one.
    assert client.get(urlsplit(old_qr).path).status_code == 404
    # And its receipt image carries the new link.
    assert client.get(f"/receipt/{code}.png", headers=auth(key)).status_code == 200
    unknown = client.post("/api/v1/dossiers/000.00.04.H40-991231-9999/reissue", headers=auth(key))
    assert unknown.status_code == 404


def test_a_revoked_key_is_refused_at_once(safe_app):
    service = safe_app.extensions["tracuu.service"]
    key = service.create_api_key(AGENCY, "back-office 1")
    other = service.create_api_key(AGENCY, "back-office 2")
    client = safe_app.test_client()
    agency = {"name_vi": "UBND phường Thanh Xuân"}
    assert client.put(f"/api/v1/agencies/{AGENCY}", headers=auth(key), json=agency).status_code == 200
    runner = safe_app.test_cli_runner()
    listed = runner.invoke(args=["list-api-keys", AGENCY])
    assert listed.exit_code == 0 and "back-office 1" in listed.output
    assert key not in listed.output and other not in listed.output
    revoked = runner.invoke(args=["revoke-api-key", key])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert client.put(f"/api/v1/agencies/{AGENCY}", headers=auth(key), json=agency).status_code == 401
    assert client.put(f"/api/v1/agencies/{AGENCY}", headers=auth(other), json=agency).status_code == 200
    # By id, as list-api-keys shows them.
    lines = runner.invoke(args=["list-api-keys", AGENCY]).output.splitlines()
    other_id = next(line.split("\t")[0] for line in lines if "back-office 2" in line)
    assert runner.invoke(args=["revoke-api-key", other_id]).exit_code == 0
    assert client.put(f"/api/v1/agencies/{AGENCY}", headers=auth(other), json=agency).status_code == 401
    assert runner.invoke(args=["revoke-api-key", "tk_nope"]).exit_code != 0


# 5. Hostile input never gets a 500

def raw_put(client, key, code, text: str):
    return client.put(f"/api/v1/dossiers/{code}", headers={**auth(key), "Content-Type": "application/json"},
                      data=text.encode())


@pytest.mark.parametrize("label, edit, field", [
    ("a lone surrogate in the procedure", lambda t: t.replace('"Cấp giấy khai sinh"', '"\\ud800"'),
     "procedure_name"),
    ("a lone surrogate in the name", lambda t: t.replace('"Nguyễn Văn An"', '"Nguy\\udfffn"'),
     "applicant_name"),
    ("a date of 5,000 digits", lambda t: t.replace('"2026-11-10"', "1" * 5000), "received_at"),
    ("a date string of 5,000 digits", lambda t: t.replace('"2026-11-10"', '"' + "1" * 5000 + '"'),
     "received_at"),
    ("a 4-digit PIN", lambda t: t[:-1] + ', "pin": "1234"}', "pin"),
    ("a PIN of letters", lambda t: t[:-1] + ', "pin": "12345a"}', "pin"),
    ("a phone of letters", lambda t: t.replace('"0912345678"', '"09123456٨x"'), "applicant_phone"),
])
def test_hostile_dossiers_are_refused_naming_the_field(safe_app, label, edit, field):
    key = safe_app.extensions["tracuu.service"].create_api_key(AGENCY)
    code = f"{AGENCY}-261201-0077"
    text = edit(json.dumps(dossier_body(), ensure_ascii=False))
    response = raw_put(safe_app.test_client(), key, code, text)
    assert response.status_code == 422, (label, response.get_data(as_text=True))
    assert response.get_json()["field"] == field
    assert resolve(safe_app, code) is None


def test_an_event_time_of_5000_digits_is_refused_naming_the_field(safe_app):
    key = safe_app.extensions["tracuu.service"].create_api_key(AGENCY)
    response = safe_app.test_client().post(f"/api/v1/dossiers/{READY}/events",
                                           headers={**auth(key), "Content-Type": "application/json"},
                                           data='{"status": "ready", "at": ' + "1" * 5000 + "}")
    assert response.status_code == 422 and response.get_json()["field"] == "at"


def test_other_scripts_digits_are_stored_as_ascii(safe_app):
    key = safe_app.extensions["tracuu.service"].create_api_key(AGENCY)
    client = safe_app.test_client()
    code = f"{AGENCY}-261201-0078"
    answer = client.put(f"/api/v1/dossiers/{code}", headers=auth(key),
                        json=dossier_body(pin="١٢٣٤٥٦", applicant_phone="０９１２３４５６７８"))
    assert answer.status_code == 201 and answer.get_json()["pin"] == "123456"
    view = client.get("/api/v1/lookup", query_string={"code": code, "pin": "123456"})
    assert view.status_code == 200
    sms = client.get("/sms/kannel", query_string={"secret": "k", "from": "84912345678", "text": f"TC {code}"})
    assert "khong" not in sms.get_data(as_text=True).lower()  # the registered phone, stored as +84912345678
