"""The citizen pages in a real browser (Debian's chromium), as a person uses them: scripts
off, a phone-sized screen, typing the code as it comes. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import pytest

from lookup import demo as demo_data
from lookup import qr
from lookup.expected import Figures
from lookup.store import expected as expected_rows
from tests.conftest import NOW, make_app
from tests.support.browser import LiveServer, chromium, screenshot

pytestmark = pytest.mark.browser

READY = "000.00.04.H40-261102-0001"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}")
    demo_data.load(app.extensions["tracuu.service"])
    with LiveServer(app) as server:
        server.app = app
        yield server
    app.extensions["tracuu.store"].dispose()


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    """A phone-sized page with JavaScript off: nothing on the site may need it."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    yield context.new_page()
    context.close()


def heading(page) -> str:
    return page.locator("h1").inner_text().strip()


def test_lookup_in_vietnamese(site, page):
    page.goto(site.url + "/")
    assert heading(page) == "Tra cứu hồ sơ"
    assert page.locator("html").get_attribute("lang") == "vi"
    screenshot(page, "lookup-vi")
    page.get_by_label("Mã hồ sơ").fill("000.00.04.h40 - 261102 - OOO1")  # as people type it
    page.get_by_label("Mã tra cứu (không bắt buộc)").fill("204851")
    page.get_by_role("button", name="Tra cứu").click()
    assert heading(page) == "Đã có kết quả, chờ trả"
    body = page.locator("main").inner_text()
    assert "UBND phường Thanh Xuân" in body and "Quá trình xử lý" in body
    assert "Nguyễn V*** A**" in body
    screenshot(page, "result-vi")
    # Back and reload show it again, and its address holds no code and no PIN.
    assert "/tra-cuu/" in page.url and "261102" not in page.url and "204851" not in page.url
    page.reload()
    assert heading(page) == "Đã có kết quả, chờ trả"
    page.go_back()
    assert heading(page) == "Tra cứu hồ sơ"
    page.go_forward()
    assert heading(page) == "Đã có kết quả, chờ trả"
    assert "Quá trình xử lý" in page.locator("main").inner_text()


def test_lookup_in_english_by_the_switch(site, page):
    page.goto(site.url + "/")
    page.get_by_role("link", name="English").click()
    assert heading(page) == "Look up your dossier"
    page.get_by_label("Dossier code").fill("000.00.04.H40-261020-0003")
    page.get_by_role("button", name="Look up").click()
    assert heading(page) == "Being processed"
    assert "Overdue. The due date, Friday, 13/11/2026, has passed" in page.locator("main").inner_text()
    screenshot(page, "result-en-overdue")
    # The choice is remembered for the next visit.
    page.goto(site.url + "/")
    assert heading(page) == "Look up your dossier"
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_closed_dossier_at_360_px(site, page):
    page.goto(site.url + "/?lang=en")
    page.get_by_label("Dossier code").fill("000.20.31.H17-261025-0003")  # processing stopped
    page.get_by_role("button", name="Look up").click()
    assert heading(page) == "Processing stopped"
    main = page.locator("main").inner_text()
    assert "Due date" not in main and "Opening hours for pickup" not in main
    assert page.locator("main [lang=vi]").first.is_visible()  # the office's reason, in Vietnamese
    screenshot(page, "closed-360")


def test_printing_a_result_prints_the_result_only(site, page):
    token = qr.make_token(READY, site.app.config["SECRET_KEY"])
    page.goto(f"{site.url}/d/{token}")
    page.emulate_media(media="print")
    for gone in (".top", ".foot", ".other", ".again"):
        assert not page.locator(gone).is_visible(), gone
    for kept in ("h1", ".next", ".note", ".timeline", ".office"):
        assert page.locator(kept).first.is_visible(), kept
    page.emulate_media(media="screen")
    assert page.locator(".top").is_visible()


def test_qr_link_opens_the_full_view(site, page):
    token = qr.make_token(READY, site.app.config["SECRET_KEY"])
    page.goto(f"{site.url}/d/{token}")
    assert heading(page) == "Đã có kết quả, chờ trả"
    assert "Quá trình xử lý" in page.locator("main").inner_text()
    screenshot(page, "qr-link")
    page.goto(f"{site.url}/d/{token[:-3]}AAA")
    assert heading(page) == "Không tìm thấy hồ sơ"


def test_wrong_pin_page(site, page):
    page.goto(site.url + "/")
    page.get_by_label("Mã hồ sơ").fill(READY)
    page.get_by_label("Mã tra cứu (không bắt buộc)").fill("111111")
    page.get_by_role("button", name="Tra cứu").click()
    assert heading(page) == "Không tìm thấy hồ sơ"
    assert "Vui lòng kiểm tra mã trên giấy hẹn" in page.locator("main").inner_text()
    screenshot(page, "wrong-pin")


def test_statistics_page(site, page):
    page.goto(site.url + "/thong-ke")
    assert heading(page) == "Thống kê giải quyết đúng hạn"
    assert page.locator("svg[role=img]").is_visible()
    table = page.locator("table").inner_text()
    assert "UBND phường Thanh Xuân" in table and "Tất cả cơ quan" in table
    screenshot(page, "statistics-vi")
    page.get_by_label("Tháng (năm-tháng)").fill("2026-10")
    page.get_by_role("button", name="Xem").click()
    assert "tháng 10 năm 2026" in page.locator("main").inner_text()


def test_readable_at_360_px_with_visible_focus(site, browser):
    # Scripts on here only so the test can measure the page; the page itself has none.
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    try:
        token = qr.make_token(READY, site.app.config["SECRET_KEY"])
        for path in ("/", f"/d/{token}", "/thong-ke"):
            page.goto(site.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, path
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 16
        # The statistics stack: no sideways scrolling inside the table's region either, and
        # every figure and its column name on screen.
        with site.app.extensions["tracuu.store"].begin() as conn:  # the per-procedure table too
            expected_rows.replace_all(conn, {("000.00.04.H40", "Chứng thực bản sao từ bản chính"):
                                             Figures(5, 8, 0.92, 143)}, NOW)
        page.goto(site.url + "/thong-ke")
        regions = page.locator(".scroll")
        assert regions.count() == 2
        for n in range(2):
            assert regions.nth(n).evaluate("e => e.scrollWidth - e.clientWidth") <= 0
        cells = page.locator(".figures td, .figures th[scope=row]")
        assert cells.count() >= 7 * 3 + 6
        for box in cells.evaluate_all("cells => cells.map(c => c.getBoundingClientRect().toJSON())"):
            assert 0 <= box["left"] and box["right"] <= PHONE["width"], box
        label = page.locator(".figures tbody td").nth(3).evaluate(
            "c => getComputedStyle(c, '::before').content")
        assert label == '"Tỷ lệ đúng hạn"'
        screenshot(page, "statistics-360")
        page.goto(site.url + "/")
        page.get_by_label("Mã hồ sơ").focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Shift+Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
        assert page.evaluate("document.activeElement.id") == "code"
        assert outline and outline != "none"
        screenshot(page, "focus-360")
    finally:
        context.close()
