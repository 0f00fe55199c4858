"""Expected completion on every channel: web result, JSON lookup, SMS reply, hotline answer,
and the per-procedure table on /thong-ke with its CSV."""

from __future__ import annotations

import csv
import io

import pytest

from channels.ivr import driver as ivr_driver
from channels.ivr import flow, prompts
from channels.sms import commands
from channels.sms.inbound import settings_from
from lookup.expected import Figures
from lookup.store import expected as expected_rows
from tests.channels.web.htmlcheck import parse_page, text_of
from tests.conftest import NOW

PROCESSING = "000.00.04.H40-261105-0002"  # processing, received 2026-11-05 (demo)
PROCEDURE = "Chứng thực bản sao từ bản chính"
READY = "000.00.04.H40-261102-0001"


def figures(app, found):
    with app.extensions["tracuu.store"].begin() as conn:
        expected_rows.replace_all(conn, found, NOW)


@pytest.fixture
def known(app, demo):
    figures(app, {("000.00.04.H40", PROCEDURE): Figures(5, 8, 0.92, 143),
                  ("000.00.04.H40", "Cấp giấy khai sinh"): Figures(3, 3, 1.0, 40),
                  ("000.00.12.H05", "Cấp giấy phép xây dựng nhà ở riêng lẻ"): Figures(20, 35, 0.5, 19)})
    return app


def test_the_json_lookup_carries_the_expected_object(client, known):
    body = client.get("/api/v1/lookup", query_string={"code": PROCESSING}).get_json()
    # Received Tuesday 17 November; 8 working days later (Tuesday 24 is a holiday).
    assert body["received_at"].startswith("2026-11-17")
    assert body["expected"] == {"p50_working_days": 5, "p90_working_days": 8, "on_time_share": 0.92,
                                "samples": 143, "likely_ready_by": "2026-11-30"}
    assert client.get("/api/v1/lookup", query_string={"code": READY}).get_json()["expected"] is None
    # 19 dossiers are fewer than EXPECTED_MIN_SAMPLES (20).
    few = client.get("/api/v1/lookup", query_string={"code": "000.00.12.H05-261101-0002"}).get_json()
    assert few["expected"] is None


def test_the_web_result_says_it_in_one_sentence(client, known):
    page = text_of(parse_page(
        client.post("/tra-cuu", data={"code": PROCESSING}, follow_redirects=True).data, "vi"))
    assert "Hồ sơ loại này ở cơ quan này thường có kết quả sau 5–8 ngày làm việc; 92% đúng hẹn." in page
    english = client.post("/tra-cuu?lang=en", data={"code": PROCESSING}, follow_redirects=True).data
    assert ("usually have a result after 5–8 working days; 92% on time."
            in text_of(parse_page(english, "en")))
    ready = text_of(parse_page(
        client.post("/tra-cuu?lang=vi", data={"code": READY}, follow_redirects=True).data, "vi"))
    assert "thường có kết quả" not in ready


def test_the_sms_reply_adds_it_when_it_fits(app, known):
    service = app.extensions["tracuu.service"]
    reply = commands.handle(PROCESSING, "+84912000002", resolve=service.resolve,
                            incomplete=service.incomplete, settings=settings_from(app))
    assert reply.text.endswith("Thuong co ket qua sau 5-8 ngay lam viec, 92% dung hen.")
    assert len(reply.text) <= 160


def test_the_hotline_says_it(app, known):
    service = app.extensions["tracuu.service"]
    matches = tuple(ivr_driver.to_match(v) for v in service.resolve_keypad(_keypad(PROCESSING)))
    assert matches and matches[0].expected_low == 5
    words = prompts.segments(flow.ask_menu("vi", flow.detail_lines(matches)))[0][1]
    assert "thường có kết quả sau 5 đến 8 ngày làm việc; 92 phần trăm" in words


def _keypad(code: str) -> str:
    from lookup import codes

    return codes.parse(code).keypad


def test_statistics_show_the_procedures_and_their_csv(client, known):
    page = text_of(parse_page(client.get("/thong-ke").data, "vi"))
    assert "Mỗi thủ tục mất bao lâu" in page and PROCEDURE in page
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" not in page  # 19 < 20
    response = client.get("/thong-ke/thu-tuc.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["office_id", "office_name", "procedure", "p50_working_days",
                           "p90_working_days", "on_time_percent"]
    by_procedure = {row[2]: row for row in rows[1:]}
    assert by_procedure[PROCEDURE][:7] == ["000.00.04.H40", "UBND phường Thanh Xuân", PROCEDURE, "5", "8",
                                           "92.0", "143"]
    assert len(rows) == 3


def test_statistics_without_figures_say_so(client, demo):
    page = text_of(parse_page(client.get("/thong-ke").data, "vi"))
    assert "Chưa đủ hồ sơ đã giải quyết" in page
