"""The national portal's sync format end to end: DongBoHoSoMC and CapNhatTienDoHoSoMC envelopes
through HTTP into the core, and what a lookup then shows."""

import pytest
from sqlalchemy import func, select

from lookup import statuses
from lookup.store.schema import dossiers, events
from tests.conftest import AGENCY, OTHER_AGENCY

CODE = "000.00.04.H40-261110-0001"
SECOND = "000.00.04.H40-261110-0002"


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def item(code=CODE, **overrides):
    """A DongBoHoSoMC item as provincial systems send it: every value a string, "" for absent."""
    body = {
        "MaHoSo": code, "MaTTHC": "1.001193.000.00.00.H40", "TenTTHC": "Đăng ký khai sinh",
        "MaLinhVuc": "G01-TP01", "TenLinhVuc": "Hộ tịch", "ChuHoSo": "Nguyễn Văn An",
        "LoaiDoiTuong": "1", "MaDoiTuong": "", "ThongTinKhac": "", "Email": "", "Fax": "",
        "SoDienThoai": "0912345678", "TrichYeuHoSo": "", "NgayTiepNhan": "20261110083000",
        "NgayHenTra": "20261125170000", "TrangThaiHoSo": "2", "NgayTra": "", "ThongTinTra": "",
        "HinhThuc": "0", "NgayKetThucXuLy": "", "DonViXuLy": "Bộ phận một cửa", "GhiChu": "",
        "TaiLieuNop": [], "DanhSachLePhi": [], "DanhSachTepDinhKemKhac": [], "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": [],
    }
    body.update(overrides)
    return body


def step(code=CODE, **overrides):
    """A CapNhatTienDoHoSoMC item."""
    body = {"MaHoSo": code, "NguoiXuLy": "Trần Thị B", "ChucDanh": "Chuyên viên",
            "ThoiDiemXuLy": "20261112090000", "PhongBanXuLy": "Phòng Tư pháp",
            "NoiDungXuLy": "Chuyển xử lý", "TrangThai": "4", "NgayBatDau": "", "NgayKetThucTheoQuyDinh": ""}
    body.update(overrides)
    return body


def envelope(service, items, madonvi=AGENCY):
    return {"session": "ignored", "madonvi": madonvi, "service": service, "isUpdating": "False",
            "data": items}


@pytest.fixture
def agency(client, api_key):
    response = client.put(f"/api/v1/agencies/{AGENCY}", headers=auth(api_key), json={
        "name_vi": "UBND phường Thanh Xuân", "address": "9 Khuất Duy Tiến", "hotline": "024 3858 0000"})
    assert response.status_code == 200
    return api_key


def sync(client, key, items, **kwargs):
    return client.post("/api/v1/dvcqg/dossiers", headers=auth(key),
                       json=envelope("DongBoHoSoMC", items, **kwargs))


def progress(client, key, items, **kwargs):
    return client.post("/api/v1/dvcqg/progress", headers=auth(key),
                       json=envelope("CapNhatTienDoHoSoMC", items, **kwargs))


def lookup(client, code=CODE):
    return client.get("/api/v1/lookup", query_string={"code": code}).get_json()


def count(app, table):
    with app.extensions["tracuu.store"].connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_dossier_sync_is_taken_item_by_item_in_order(client, app, agency):
    response = sync(client, agency, [
        item(),
        item("000.00.04.H40-261110-0003", NgayHenTra="20261345170000"),
        item("000.00.04.H40-261110-0004", SoDienThoai="12"),
        item("000.00.04.H40-261110-0005", TrangThaiHoSo="11"),
        "not an object",
        item("1.000948.H38"),
        item(SECOND, TrangThaiHoSo=4, TenTTHC="", NgayTiepNhan="20261110"),
        item("000.00.04.H40-261110-0006", NgayHenTra="20261101170000"),
        item("000.00.04.H40-261110-0007", ChuHoSo=""),
    ])
    assert response.status_code == 200
    body = response.get_json()
    assert body["error_code"] == "01"
    found = [(r["MaHoSo"], r["error_code"], r.get("field")) for r in body["results"]]
    assert found == [
        (CODE, "0", None),
        ("000.00.04.H40-261110-0003", "invalid_field", "NgayHenTra"),
        ("000.00.04.H40-261110-0004", "invalid_field", "SoDienThoai"),
        ("000.00.04.H40-261110-0005", "invalid_field", "TrangThaiHoSo"),
        ("", "invalid_field", "data"),
        ("1.000948.H38", "invalid_field", "MaHoSo"),
        (SECOND, "0", None),
        ("000.00.04.H40-261110-0006", "invalid_field", "NgayHenTra"),  # before NgayTiepNhan
        ("000.00.04.H40-261110-0007", "invalid_field", "ChuHoSo"),
    ]
    assert body["results"][0]["created"] is True and body["results"][0]["pin"].isdigit()
    assert body["results"][0]["qr_url"].startswith("http://localhost/d/")
    assert count(app, dossiers) == 2

    first = lookup(client)
    assert first["status"] == "received" and first["status_code_national"] == 2
    assert first["received_at"] == "2026-11-10T01:30:00Z"  # 08:30 in Vietnam
    assert first["due_at"] == "2026-11-25T10:00:00Z"
    assert first["procedure_name"] == "Đăng ký khai sinh"
    assert first["handling_office"] == "Bộ phận một cửa"
    second = lookup(client, SECOND)
    assert second["status"] == "processing" and second["status_code_national"] == 4
    assert second["procedure_name"] == "1.001193.000.00.00.H40"  # no TenTTHC: the procedure's code
    assert second["received_at"] == "2026-11-10T10:00:00Z"  # a date alone: 17:00


def test_the_same_sync_twice_changes_nothing(client, app, agency):
    items = [item(), item(SECOND, TrangThaiHoSo="4")]
    first = sync(client, agency, items).get_json()
    again = sync(client, agency, items).get_json()
    assert first["error_code"] == again["error_code"] == "00"
    assert [r["created"] for r in again["results"]] == [False, False]
    assert [r["pin"] for r in again["results"]] == [r["pin"] for r in first["results"]]
    assert count(app, dossiers) == 2 and count(app, events) == 2


def test_progress_steps_move_the_dossier_on(client, app, agency):
    assert sync(client, agency, [item()]).get_json()["error_code"] == "00"
    response = progress(client, agency, [
        step(),
        step(TrangThai="5", ThoiDiemXuLy="20261113100000", NoiDungXuLy="Bổ sung bản sao CCCD"),
        step("000.00.04.H40-261110-0404"),
        step(ThoiDiemXuLy="2026-11-13"),
        step(TrangThai=""),
    ])
    body = response.get_json()
    assert [(r["error_code"], r.get("field")) for r in body["results"]] == [
        ("0", None), ("0", None), ("not_found", "MaHoSo"), ("invalid_field", "ThoiDiemXuLy"),
        ("invalid_field", "TrangThai")]
    shown = lookup(client)
    assert shown["status"] == "supplement_requested" and shown["status_code_national"] == 5
    assert shown["note"] == "Bổ sung bản sao CCCD"
    assert shown["handling_office"] == "Phòng Tư pháp"
    again = progress(client, agency, [step()]).get_json()
    assert again["results"][0]["stored"] is False
    assert count(app, events) == 3  # the sync's own status, then two steps


def test_a_returned_dossier_dates_its_return_from_ngay_tra(client, app, agency):
    taken = sync(client, agency, [item(TrangThaiHoSo="10", NgayTra="20261120143000")]).get_json()
    pin = taken["results"][0]["pin"]
    shown = client.get("/api/v1/lookup", query_string={"code": CODE, "pin": pin}).get_json()
    assert shown["status"] == "returned" and shown["status_code_national"] == 10
    assert shown["timeline"][-1]["at"] == "2026-11-20T07:30:00Z"


def test_a_moved_due_date_is_kept_as_moved(client, app, agency):
    moved = item(TrangThaiHoSo="4", NgayHenTra="20261202170000", DanhSachHoSoBoSung=[{
        "HoSoBoSungId": "1", "NoiDungBoSung": "Bổ sung ảnh", "NgayBoSung": "20261112090000",
        "NgayHenTraTruoc": "20261125170000", "NgayHenTraMoi": "20261202170000"}])
    assert sync(client, agency, [item()]).get_json()["error_code"] == "00"
    assert sync(client, agency, [moved]).get_json()["error_code"] == "00"
    shown = lookup(client)
    assert shown["due_at"] == "2026-12-02T10:00:00Z"
    assert shown["original_due_at"] == "2026-11-25T10:00:00Z"
    bad = item(DanhSachHoSoBoSung=[{"NgayHenTraTruoc": "yesterday"}])
    assert sync(client, agency, [bad]).get_json()["results"][0]["field"] == "NgayHenTraTruoc"


def test_another_agencys_dossier_is_refused_item_by_item(client, app, agency, other_api_key):
    client.put(f"/api/v1/agencies/{OTHER_AGENCY}", headers=auth(other_api_key),
               json={"name_vi": "UBND khác"})
    other_code = "000.00.12.H05-261110-0001"
    taken = sync(client, other_api_key, [item(other_code)], madonvi=OTHER_AGENCY).get_json()
    assert taken["error_code"] == "00"
    mixed = sync(client, agency, [item(other_code), item()]).get_json()
    assert [r["error_code"] for r in mixed["results"]] == ["forbidden", "0"]
    steps = progress(client, agency, [step(other_code)]).get_json()
    assert steps["results"][0]["error_code"] == "forbidden"
    # A new code under another office's e-ID is that office's to write (issue 10).
    squatted = sync(client, agency, [item("000.00.12.H05-261110-0009")]).get_json()["results"][0]
    assert (squatted["error_code"], squatted["field"]) == ("forbidden", "MaHoSo")
    assert lookup(client, other_code)["status"] == "received"


@pytest.mark.parametrize("path, body, status, field", [
    ("/api/v1/dvcqg/dossiers", envelope("CapNhatTienDoHoSoMC", []), 422, "service"),
    ("/api/v1/dvcqg/progress", envelope("DongBoHoSoMC", []), 422, "service"),
    ("/api/v1/dvcqg/dossiers", {"madonvi": AGENCY, "data": {"MaHoSo": CODE}}, 422, "data"),
    ("/api/v1/dvcqg/dossiers", {"service": "DongBoHoSoMC", "data": []}, 422, "madonvi"),
    ("/api/v1/dvcqg/dossiers", envelope("DongBoHoSoMC", [], madonvi=OTHER_AGENCY), 403, "madonvi"),
    ("/api/v1/dvcqg/dossiers", envelope("DongBoHoSoMC", [{"MaHoSo": CODE}] * 501), 422, "data"),
    ("/api/v1/dvcqg/dossiers", ["not", "an", "envelope"], 400, "body"),
])
def test_a_wrong_envelope_is_refused_whole(client, app, agency, path, body, status, field):
    response = client.post(path, headers=auth(agency), json=body)
    assert response.status_code == status
    assert response.get_json()["field"] == field
    assert count(app, dossiers) == 0


def test_the_key_is_required_and_the_body_must_be_json(client, agency):
    assert client.post("/api/v1/dvcqg/dossiers", json=envelope("DongBoHoSoMC", [])).status_code == 401
    malformed = client.post("/api/v1/dvcqg/dossiers", data=b'{"data": [',
                            headers={**auth(agency), "Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.get_json()["field"] == "body"
    empty = sync(client, agency, [])
    assert empty.status_code == 200 and empty.get_json() == {"error_code": "00", "results": []}


@pytest.mark.parametrize("number, status", sorted(statuses.NATIONAL.items()))
def test_every_national_code_maps_one_to_one(client, agency, number, status):
    sync(client, agency, [item(TrangThaiHoSo=str(number), NgayTra="20261120143000")])
    assert lookup(client)["status"] == status
    assert lookup(client)["status_code_national"] == number


def test_the_openapi_document_describes_both_addresses(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/dvcqg/dossiers", "/dvcqg/progress"} <= set(spec["paths"])
    assert "status_code_national" in spec["components"]["schemas"]["Lookup"]["required"]
