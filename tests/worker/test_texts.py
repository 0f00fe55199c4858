"""Alert texts: the applicant's language, no diacritics by default, one segment where possible,
nothing personal beyond the dossier code."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from channels.sms import replies
from channels.sms.encoding import GSM7, UCS2, segments
from tests.channels.sms.views import sms_view
from worker import policy, texts

CODE = "000.00.12.H05-261028-0001"
FACTS = texts.Facts(
    code=CODE,
    office="Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên",
    hours="Thứ Hai–Thứ Sáu 7:30–17:00",
    hotline="0209 3870 000",
    note="Nộp lệ phí trước bạ 1.250.000 đồng tại Chi cục Thuế khu vực.",
    date=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
)
CASES = [(kind, lang) for kind in policy.KINDS for lang in ("vi", "en")]


@pytest.mark.parametrize("kind, lang", CASES)
def test_one_gsm7_segment_with_the_code(kind, lang):
    text = texts.render(kind, lang, FACTS)
    counted = segments(text)
    assert (counted.encoding, counted.count) == (GSM7, 1), text
    assert CODE in text


@pytest.mark.parametrize("kind, lang, words", [
    ("pickup", "vi", ["da co ket qua", "CCCD"]),
    ("pickup", "en", ["result is ready", "ID card"]),
    ("supplement", "vi", ["bo sung", "27/11/2026"]),
    ("supplement", "en", ["more documents", "27/11/2026"]),
    ("fee_due", "vi", ["1.250.000 dong"]),
    ("not_accepted", "vi", ["khong duoc tiep nhan", "Chi cuc Thue"]),
    ("stopped", "en", ["stopped", "Chi cuc Thue"]),
    ("new_due_date", "vi", ["xin loi", "Ngay hen moi: 27/11/2026"]),
    ("new_due_date", "en", ["apologises", "New date: 27/11/2026"]),
    ("overdue", "vi", ["qua han 27/11/2026"]),
    ("pickup_reminder", "en", ["Reminder"]),
])
def test_what_each_text_says(kind, lang, words):
    text = texts.render(kind, lang, FACTS)
    for word in words:
        assert word in text


def test_no_name_no_phone_in_any_text():
    facts = texts.Facts(code=CODE, office="UBND phường Thanh Xuân", note="Thiếu ảnh 4x6")
    for kind, lang in CASES:
        text = texts.render(kind, lang, facts)
        assert "Nguyen" not in text and "+84" not in text


def test_diacritics_when_asked_for():
    text = texts.render("pickup", "vi", FACTS, diacritics=True)
    assert "Hồ sơ" in text and segments(text).encoding == UCS2


@pytest.mark.parametrize("diacritics", [False, True])
def test_a_long_note_is_shortened_to_two_segments(diacritics):
    facts = texts.Facts(code=CODE, note="Bổ sung giấy tờ " * 60, date=FACTS.date)
    for lang in ("vi", "en"):
        text = texts.render("supplement", lang, facts, diacritics=diacritics)
        assert segments(text).count == texts.MAX_SEGMENTS and CODE in text and ".." in text


@pytest.mark.parametrize("diacritics", [False, True])
def test_a_note_that_fits_two_segments_is_never_shortened(diacritics):
    note = "Bổ sung bản sao sổ hộ khẩu, giấy khai sinh của con và ảnh 4x6 nền trắng"
    facts = texts.Facts(code=CODE, note=note, date=FACTS.date)
    text = texts.render("supplement", "vi", facts, diacritics=diacritics)
    assert (note if diacritics else "anh 4x6 nen trang") in text and ".." not in text
    assert segments(text).count <= texts.MAX_SEGMENTS


def test_a_variant_needs_all_its_facts():
    bare = texts.Facts(code=CODE)
    assert texts.render("pickup", "en", bare) == (
        f"Dossier {CODE}: your result is ready. Bring your receipt and ID card to collect it.")
    assert "Hotline" not in texts.render("not_accepted", "en", bare)


@pytest.mark.parametrize("note, plain", [
    ("Mang CCCD • ảnh 4×6", "Mang CCCD - anh 4x6"),
    ("Đường Trường Chinh", "Duong Truong Chinh"),
    ("Thứ Hai–Thứ Sáu", "Thu Hai-Thu Sau"),
    ("“Giấy hẹn”…", '"Giay hen"...'),
    ("ảnh 4×6 ✓", "anh 4x6 ?"),
])
def test_alerts_and_replies_write_a_note_alike(note, plain):
    """One GSM-7 rule (channels/sms/text.py): the office's note reads the same in an alert and
    in the reply to a lookup."""
    alert = texts.render("supplement", "vi", texts.Facts(code=CODE, note=note))
    assert plain in alert
    view = replace(sms_view("supplement_requested"), note=note)
    assert plain in replies.status_reply(view, replies.Style(lang="vi"))


def test_unknown_language_falls_back_to_vietnamese():
    assert texts.render("pickup", "fr", FACTS) == texts.render("pickup", "vi", FACTS)
