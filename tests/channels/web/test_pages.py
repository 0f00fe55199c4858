"""The citizen pages through the Flask test client: lookup, result, QR link, errors, headers."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from markupsafe import Markup

from lookup import qr
from tests.channels.web.htmlcheck import XHTML, by_id, find_all, parse_page, text_of

READY = "000.00.04.H40-261102-0001"  # ready, PIN 204851
OVERDUE = "000.00.04.H40-261020-0003"  # processing, past its due date, PIN 530917
SUPPLEMENT = "000.00.04.H40-261110-0004"  # more documents needed, note is public


def lookup(client, code, pin="", **kwargs):
    """The form posted, and the result page it leads to (Post/Redirect/Get)."""
    return client.post("/tra-cuu", data={"code": code, "pin": pin}, follow_redirects=True, **kwargs)


def test_lookup_page_is_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    tree = parse_page(response.data, "vi")
    assert text_of(next(find_all(tree, "h1"))) == "Tra cứu hồ sơ"
    labels = {label.get("for"): text_of(label) for label in find_all(tree, "label")}
    assert labels == {"code": "Mã hồ sơ", "pin": "Mã tra cứu (không bắt buộc)"}
    form = next(find_all(tree, "form"))
    assert form.get("method") == "post" and form.get("action") == "/tra-cuu"
    other = text_of(next(s for s in find_all(tree, "section") if s.get("class") == "other"))
    assert "8077" in other and "1900 0000" in other
    switch = [a for a in find_all(tree, "a") if a.get("hreflang") == "en"]
    assert switch and switch[0].get("href") == "/?lang=en"


@pytest.mark.parametrize("how, expected", [
    ({"query_string": {"lang": "en"}}, "en"),
    ({"headers": {"Accept-Language": "en-GB,en;q=0.9"}}, "en"),
    ({"headers": {"Accept-Language": "fr-FR"}}, "vi"),
    ({"headers": {"Accept-Language": "fr-FR,fr;q=0.9,en-US;q=0.8,vi;q=0.7"}}, "en"),
    ({"headers": {"Accept-Language": "en;q=0.2,vi-VN;q=0.9"}}, "vi"),
    ({"headers": {"Accept-Language": ";;;q=x,\u00e9"}}, "vi"),
    ({"headers": {"Accept-Language": "vi"}, "query_string": {"lang": " EN "}}, "en"),
    ({"query_string": {"lang": "xx"}}, "vi"),
    ({"query_string": "%6Cang=en"}, "en"),  # spelled with an escape, still asked for
    ({"query_string": "language=en"}, "vi"),
])
def test_language_choice(client, how, expected):
    tree = parse_page(client.get("/", **how).data, expected)
    heading = text_of(next(find_all(tree, "h1")))
    assert heading == {"en": "Look up your dossier", "vi": "Tra cứu hồ sơ"}[expected]


def test_the_remembered_language_beats_the_browsers(client):
    client.set_cookie("lang", "vi")
    parse_page(client.get("/", headers={"Accept-Language": "en"}).data, "vi")


def test_a_changed_office_shows_on_the_next_page(client, demo, service):
    # Each office's details are rendered once and kept (site.rendered_per_values): kept by
    # what they say, so an office that moves is shown at its new address at once.
    office = "000.00.04.H40"
    before = text_of(parse_page(lookup(client, READY).data, "vi"))
    assert "9 Khuất Duy Tiến" in before
    service.put_agency(office, {"name_vi": "UBND phường Thanh Xuân", "name_en": "",
                                "address": "12 Nguyễn Trãi, phường Thanh Xuân, Hà Nội",
                                "pickup_hours": "Thứ Hai–Thứ Sáu 8:00–17:00", "hotline": "024 3858 0000"},
                       office)
    after = text_of(parse_page(lookup(client, READY).data, "vi"))
    assert "12 Nguyễn Trãi" in after and "9 Khuất Duy Tiến" not in after


def test_pages_say_they_vary_by_language(client, demo):
    for response in (client.get("/"), lookup(client, READY)):
        assert set(response.headers["Vary"].split(", ")) >= {"Accept-Language", "Cookie"}


def test_english_is_remembered_in_a_cookie(client):
    response = client.get("/?lang=en")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    parse_page(client.get("/thong-ke").data, "en")
    parse_page(lookup(client, READY).data, "en")
    client.get("/?lang=vi")
    parse_page(client.get("/").data, "vi")


def test_result_in_vietnamese_with_pin_shows_everything(client, demo):
    response = lookup(client, "000.00.04.h40 261102 0001", "204851")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    tree = parse_page(response.data, "vi")
    assert text_of(next(find_all(tree, "h1"))) == "Đã có kết quả, chờ trả"
    page = text_of(tree)
    for expected in ("Cấp giấy khai sinh", "UBND phường Thanh Xuân", "9 Khuất Duy Tiến",
                     "Thứ Hai–Thứ Sáu 8:00–17:00", "Mang theo CCCD và giấy hẹn.", "Nguyễn V*** A**",
                     "Thứ Bảy, 14/11/2026", "Quá trình xử lý", "Đã tiếp nhận",
                     "trong giờ trả kết quả"):
        assert expected in page, expected
    assert "Nguyễn Văn An" not in page


def test_result_in_english_without_pin_is_the_public_tier(client, demo):
    tree = parse_page(lookup(client, READY, query_string={"lang": "en"}).data, "en")
    page = text_of(tree)
    assert text_of(next(find_all(tree, "h1"))) == "Ready for pickup"
    assert "Birth registration" in page and "Thanh Xuan Ward People's Committee" in page
    assert "Saturday, 14/11/2026" in page
    assert "Nguyễn" not in page and "History" not in text_of(next(find_all(tree, "main"))).split("See")[0]
    assert "See the whole history" in page


def test_overdue_is_said_plainly(client, demo):
    tree = parse_page(lookup(client, OVERDUE, query_string={"lang": "en"}).data, "en")
    alert = [div for div in find_all(tree, "div") if div.get("role") == "alert"]
    assert alert and text_of(alert[0]).startswith(
        "Overdue. The due date, Friday, 13/11/2026, has passed")
    assert "a new date in a letter of apology" in text_of(tree)


@pytest.mark.parametrize("code, lang, count", [
    ("000.00.04.H40-261105-0002", "vi", "(còn 2 ngày làm việc)"),  # due Wed 25; Tue 24 a holiday
    ("000.00.04.H40-261105-0002", "en", "(2 working days left)"),
    ("000.00.04.H40-261020-0003", "en", "(5 working days late)"),
])
def test_the_due_date_says_how_many_working_days(client, demo, code, lang, count):
    page = text_of(parse_page(lookup(client, code, query_string={"lang": lang}).data, lang))
    assert count in page


def test_moved_due_date_is_shown(app, client, demo, service):
    from datetime import timedelta

    from lookup.ingest import EventFields
    from tests.conftest import NOW

    new_due = NOW + timedelta(days=3)
    service.add_event(OVERDUE, EventFields("processing", NOW - timedelta(hours=1), "", new_due, ""),
                      "000.00.04.H40")
    page = text_of(parse_page(lookup(client, OVERDUE, "530917", query_string={"lang": "en"}).data, "en"))
    assert "The due date was moved. New due date: Monday, 23/11/2026." in page
    assert "The first date given was Friday, 13/11/2026" in page
    assert "New due date: Monday, 23/11/2026." in page


def test_public_note_is_shown(client, demo):
    page = text_of(parse_page(lookup(client, SUPPLEMENT).data, "vi"))
    assert "Bổ sung bản sao sổ hộ khẩu" in page and "Yêu cầu bổ sung" in page


@pytest.mark.parametrize("typed, message", [
    ("", "Vui lòng nhập mã hồ sơ in trên giấy hẹn."),
    ("   ", "Vui lòng nhập mã hồ sơ in trên giấy hẹn."),
    ("1.000948.H38", "Đây là mã thủ tục, không phải mã hồ sơ. Mã hồ sơ in trên giấy hẹn."),
    ("0912 345 678", "Đây có vẻ là số điện thoại. Vui lòng nhập mã hồ sơ trên giấy hẹn."),
    ("<script>alert(1)</script>", "Mã hồ sơ chỉ gồm chữ cái, chữ số, dấu chấm và dấu gạch ngang."),
    ("x" * 5000, "Chuỗi này quá dài, không phải mã hồ sơ."),
    ("ABC", "Mã hồ sơ phải có chữ số."),
    ("12", "Chuỗi này quá ngắn, không phải mã hồ sơ."),
])
def test_not_a_code_gets_a_specific_answer_on_the_form(client, typed, message):
    response = lookup(client, typed)
    assert response.status_code == 400
    tree = parse_page(response.data, "vi")
    assert text_of(by_id(tree, "code-error")) == message
    field = by_id(tree, "code")
    assert field.get("aria-invalid") == "true" and "code-error" in field.get("aria-describedby")
    assert field.get("value") == typed[:200]


def test_unknown_code_and_wrong_pin_get_the_same_page(client, demo):
    unknown = lookup(client, "000.00.04.H40-261102-0999", "204851")
    wrong_pin = lookup(client, READY, "999999")
    assert unknown.status_code == wrong_pin.status_code == 404
    tree = parse_page(wrong_pin.data, "vi")
    assert text_of(next(find_all(tree, "h1"))) == "Không tìm thấy hồ sơ"
    assert "kiểm tra mã trên giấy hẹn" in text_of(tree)
    # Byte for byte the same once the typed code is taken out: a guess learns nothing.
    assert typed_code_out(unknown.data) == typed_code_out(wrong_pin.data)
    assert b"204851" not in unknown.data and b"999999" not in wrong_pin.data


def typed_code_out(body: bytes) -> bytes:
    return re.sub(rb'name="code" type="text" value="[^"]*"', b"", body)


def test_qr_link_opens_the_full_view(app, client, demo):
    token = qr.make_token(READY, app.config["SECRET_KEY"])
    response = client.get(f"/d/{token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text_of(parse_page(response.data, "vi"))
    assert "Nguyễn V*** A**" in page and "Quá trình xử lý" in page
    english = parse_page(client.get(f"/d/{token}?lang=en").data, "en")
    assert text_of(next(find_all(english, "h1"))) == "Ready for pickup"


def _edited(token: str) -> str:
    body, signature = token.split(".")
    return body[:-1] + ("A" if body[-1] != "A" else "B") + "." + signature


@pytest.mark.parametrize("make", [
    pytest.param(lambda app: qr.make_token(READY, "another-secret"), id="forged"),
    pytest.param(lambda app: _edited(qr.make_token(READY, app.config["SECRET_KEY"])), id="edited-code"),
    pytest.param(lambda app: qr.make_token(READY, app.config["SECRET_KEY"])[:-2], id="cut-short"),
    pytest.param(lambda app: qr.make_token("000.00.04.H40-261102-0999", app.config["SECRET_KEY"]),
                 id="genuine-but-unknown"),
    pytest.param(lambda app: "not a token", id="garbage"),
    pytest.param(lambda app: "a/b.c", id="slashes"),
    pytest.param(lambda app: "x" * 3000, id="huge"),
    pytest.param(lambda app: "%FF%FE.%00", id="bad-bytes"),
])
def test_bad_qr_token_gets_the_uniform_not_found_page(app, client, demo, make):
    response = client.get(f"/d/{make(app)}")
    assert response.status_code == 404
    main = text_of(next(find_all(parse_page(response.data, "vi"), "main")))
    assert main.startswith("Không tìm thấy hồ sơ")
    # The same as a typed unknown code with an empty field, and a wrong PIN: one page for all.
    assert main == text_of(next(find_all(parse_page(lookup(client, READY, "999999").data, "vi"), "main")))


def test_pages_carry_security_headers_and_no_script(client, demo):
    for response in (client.get("/"), lookup(client, READY), client.get("/thong-ke"),
                     client.get("/no-such-page")):
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none' covers it
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
        tree = parse_page(response.data, "vi")
        assert not list(find_all(tree, "script"))
        assert not [e for e in tree.iter() if any(k.startswith("on") for k in e.keys())]
        assert not [e for e in tree.iter() if e.get("style") is not None]


def test_lookup_page_weighs_under_50_kb(client):
    page = client.get("/")
    css = client.get("/static/web/site.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert len(page.data) + len(css.data) < 50 * 1024


def test_every_field_has_a_label(client, demo):
    for response in (client.get("/"), lookup(client, READY), client.get("/thong-ke"),
                     lookup(client, "nope-123456")):
        tree = parse_page(response.data, "vi")
        labelled = {label.get("for") for label in find_all(tree, "label")}
        for field in find_all(tree, "input"):
            if field.get("type") != "hidden":
                assert field.get("id") in labelled, field.attrib


def test_unknown_page_is_a_page_and_the_api_stays_json(client):
    response = client.get("/no-such-page?lang=en")
    assert response.status_code == 404
    assert text_of(next(find_all(parse_page(response.data, "en"), "h1"))) == "Page not found"
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json
    assert client.get("/api/v1/lookup", query_string={"code": READY}).is_json


def test_get_on_the_form_target_goes_back_to_the_form(client):
    response = client.get("/tra-cuu?lang=en")
    assert response.status_code == 303 and response.headers["Location"] == "/?lang=en"


def test_oversized_post_gets_a_page(client):
    response = client.post("/tra-cuu", data={"code": "x" * 200_000})
    assert response.status_code == 413
    assert text_of(next(find_all(parse_page(response.data, "vi"), "h1"))) == "Nội dung gửi lên quá dài"


def test_garbage_bodies_get_the_form_back(client):
    for body, kind in ((b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
                       (b'{"code": 1}', "application/json"),
                       (b"code=%FF%FE%00", "application/x-www-form-urlencoded")):
        response = client.post("/tra-cuu", data=body, content_type=kind)
        assert response.status_code == 400
        parse_page(response.data, "vi")


def test_an_error_inside_a_page_is_a_polite_500(tmp_path):
    from tests.conftest import make_app

    app: Flask = make_app(f"sqlite:///{tmp_path / 'x.db'}")
    app.extensions["tracuu.store"].dispose()
    with app.extensions["tracuu.store"].begin() as conn:
        conn.exec_driver_sql("DROP TABLE events")
        conn.exec_driver_sql("DROP TABLE notifications")
        conn.exec_driver_sql("DROP TABLE dossiers")
    response = app.test_client().post("/tra-cuu", data={"code": READY})
    assert response.status_code == 500
    tree = parse_page(response.data, "vi")
    assert text_of(next(find_all(tree, "h1"))) == "Hệ thống đang gặp sự cố"
    assert not re.search(rb"Traceback|sqlite", response.data, re.I)
    assert XHTML


def test_translated_text_escapes_the_values_it_is_filled_with(app):
    env = app.extensions["tracuu.web.templates"]["en"]
    page = env.from_string('{{ _("Dossier %(code)s", code=code) }}|{{ _("Dossier %(code)s", code=safe) }}')
    assert page.render(code="<b>&", safe=Markup("<b>")) == "Dossier &lt;b&gt;&amp;|Dossier <b>"
    vi = app.extensions["tracuu.web.templates"]["vi"].from_string('{{ _("Dossier %(code)s", code=1) }}')
    assert vi.render() == "Hồ sơ 1"


CLOSED = {
    "000.00.12.H05-261103-0004": "not_accepted",
    "000.20.31.H17-261030-0002": "withdrawn",
    "000.20.31.H17-261025-0003": "stopped",
    "000.00.12.H05-261015-0003": "returned",
}


def facts(tree) -> dict[str, str]:
    """The page's terms and what they say (every <dl class="facts">)."""
    found = {}
    for dl in find_all(tree, "dl"):
        terms = [e for e in dl if e.tag.endswith("}dt") or e.tag.endswith("}dd")]
        for term, value in zip(terms[::2], terms[1::2], strict=True):
            found[text_of(term)] = text_of(value)
    return found


@pytest.mark.parametrize("code", CLOSED)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_closed_dossier_shows_no_due_date_and_no_pickup_hours(client, demo, code, lang):
    tree = parse_page(lookup(client, code, demo[code][0], query_string={"lang": lang}).data, lang)
    shown = facts(tree)
    terms = {"vi": ("Ngày hẹn trả", "Giờ trả kết quả"), "en": ("Due date", "Opening hours for pickup")}[lang]
    assert not set(terms) & set(shown), shown
    page = text_of(tree)
    assert "ngày làm việc" not in page and "working day" not in page
    # Still useful: where the office is, and its phone.
    assert {"vi": "Địa chỉ", "en": "Address"}[lang] in shown


def test_an_open_dossier_still_shows_them(client, demo):
    shown = facts(parse_page(lookup(client, READY, query_string={"lang": "en"}).data, "en"))
    assert "Due date" in shown and "Opening hours for pickup" in shown


def test_english_pages_mark_what_the_office_wrote_as_vietnamese(client, demo):
    tree = parse_page(lookup(client, READY, "204851", query_string={"lang": "en"}).data, "en")
    in_vietnamese = {text_of(e) for e in tree.iter() if e.get("lang") == "vi"}
    assert {"9 Khuất Duy Tiến, phường Thanh Xuân, Hà Nội",
            "Thứ Hai–Thứ Sáu 8:00–17:00; sáng thứ Bảy 8:00–11:30",
            "Mang theo CCCD và giấy hẹn."} <= in_vietnamese
    assert "Message from the office (in Vietnamese)" in text_of(tree)
    assert "as it wrote them, in Vietnamese" in text_of(tree)
    # What has an English name is not marked.
    assert "Birth registration" not in in_vietnamese
    assert "Thanh Xuan Ward People's Committee" not in in_vietnamese


def test_an_office_without_an_english_name_is_marked_vietnamese(client, demo, service):
    service.put_agency("000.00.04.H40", {"name_vi": "UBND phường Thanh Xuân", "name_en": "",
                                         "address": "9 Khuất Duy Tiến", "pickup_hours": "",
                                         "hotline": ""}, "000.00.04.H40")
    tree = parse_page(lookup(client, READY, query_string={"lang": "en"}).data, "en")
    assert text_of(by_id(tree, "office-title")) == "UBND phường Thanh Xuân"
    assert by_id(tree, "office-title").get("lang") == "vi"


def test_vietnamese_pages_need_no_marks(client, demo):
    tree = parse_page(lookup(client, READY, "204851").data, "vi")
    assert [e for e in tree.iter() if e.get("lang") == "vi"] == [tree]
    assert "bằng tiếng Việt" not in text_of(tree)


def test_dates_are_written_one_way(client, demo):
    """`Thứ Hai, 30/11/2026` on every page, as SMS writes dates, in both languages."""
    for lang, received in (("vi", "Thứ Bảy, 14/11/2026"), ("en", "Saturday, 14/11/2026")):
        page = text_of(parse_page(lookup(client, READY, "204851", query_string={"lang": lang}).data, lang))
        assert received in page
        assert not re.search(r"tháng \d+, \d{4}|(January|November|December) \d", page), page


def test_the_last_change_is_beside_the_status(client, demo):
    tree = parse_page(lookup(client, READY).data, "vi")
    main = next(find_all(tree, "main"))
    heading = next(find_all(main, "h1"))
    after = list(main)[list(main).index(heading) + 1]
    # The ready event: the day before the demo's "now" (Friday 20/11/2026), at 02:00 UTC.
    assert text_of(after) == "Cập nhật lần cuối: Thứ Năm, 19/11/2026"
    english = parse_page(lookup(client, READY, query_string={"lang": "en"}).data, "en")
    assert "Last updated: Thursday, 19/11/2026" in text_of(english)


@pytest.mark.parametrize("typed, lang, message", [
    ("H40-261102-0001", "en", "This looks like the end of a dossier code. The whole code starts with "
                              "the office's ID, for example 000.00.04.H40-261102-0001."),
    ("H40-261102-0001", "vi", "Đây có vẻ là phần cuối của mã hồ sơ. Mã đầy đủ bắt đầu bằng mã cơ quan, "
                              "ví dụ 000.00.04.H40-261102-0001."),
    ("261102-0001", "en", "The office's ID is missing from the start of this code. Type the whole code "
                          "as printed on your receipt, for example 000.00.04.H40-261102-0001."),
    ("000.00.04.H40-261102-0001 000.00.04.H40-261105-0002", "en",
     "These are several dossier codes. Please look them up one at a time."),
    ("000.00.04.H40-261102-0001, 000.00.04.H40-261105-0002", "vi",
     "Đây là nhiều mã hồ sơ. Vui lòng tra cứu từng mã một."),
])
def test_typing_mistakes_get_a_hint(client, demo, typed, lang, message):
    response = lookup(client, typed, query_string={"lang": lang})
    assert response.status_code == 400
    tree = parse_page(response.data, lang)
    assert text_of(by_id(tree, "code-error")) == message
    assert by_id(tree, "code").get("value") == typed


def test_a_whole_code_not_found_is_still_not_found(client, demo):
    assert lookup(client, "000.00.04.H40-261102-0999").status_code == 404
