"""At least 150 realistic inbound texts and the exact reply each gets (demo data, fixed clock).

Vietnamese with and without diacritics, typos, keywords, several codes, empty, 2,000
characters, invalid UTF-8 (as the adapters decode it: U+FFFD), emoji. Every reply is GSM-7; a
status reply is one segment (<= 160); nothing is over 3 segments; no applicant's name appears.
"""

from __future__ import annotations

import pytest

from channels.sms import commands
from channels.sms.encoding import GSM7, segments
from channels.sms.inbound import settings_from
from lookup import demo

# The demo dossiers (lookup/demo.py): code -> status.
R = "000.00.04.H40-261102-0001"   # ready, owner +84912000001, pin 204851
P = "000.00.04.H40-261105-0002"   # processing
D = "000.00.04.H40-261020-0003"   # processing, overdue
S = "000.00.04.H40-261110-0004"   # supplement requested
F = "000.00.12.H05-261028-0001"   # fee due
V = "000.00.12.H05-261101-0002"   # received
T = "000.00.12.H05-261015-0003"   # returned
N = "000.00.12.H05-261103-0004"   # not accepted
G = "000.20.31.H17-261112-0001"   # registered online
W = "000.20.31.H17-261030-0002"   # withdrawn
X = "000.20.31.H17-261025-0003"   # stopped

# The replies, exactly.
HELP_VI = (
    'Soan TC <ma ho so> gui 8077, vd TC 000.00.04.H40-230414-0002. HUY: tat thong bao. BATDAU: bat '
    'lai. EN: English. Goi 1900 0000'
)
HELP_EN = (
    'Text the dossier code to 8077, e.g. TC 000.00.04.H40-230414-0002. STOP: no alerts. START: alerts '
    'on. VI: Vietnamese. Hotline 1900 0000'
)
STOP_VI = 'Ban se khong nhan tin nhan thong bao nua. Soan BATDAU de bat lai.'
STOP_EN = 'You will get no more SMS alerts. Text START to turn them back on.'
START_VI = 'Da bat lai tin nhan thong bao. Soan HUY de tat.'
START_EN = 'SMS alerts are on. Text STOP to stop them.'
EN_SET = 'Replies will now be in English. Text VI for Vietnamese.'
VI_SET = 'Tu nay tin tra loi bang tieng Viet. Soan EN de nhan tieng Anh.'
READY = (
    'HS 000.00.04.H40-261102-0001: Da co ket qua, cho tra. Nhan tai UBND phuong Thanh Xuan. Mang '
    'theo CCCD va giay hen. Goi 024 3858 0000.'
)
PROCESSING = (
    'HS 000.00.04.H40-261105-0002: Dang xu ly. Hen tra 25/11/2026 (con 2 ngay lam viec). '
    'Goi 024 3858 0000.'
)
OVERDUE = (
    'HS 000.00.04.H40-261020-0003: Dang xu ly, tre han. Hen tra 13/11/2026 da qua han; co quan phai '
    'xin loi va hen lai ngay moi. Goi 024 3858 0000.'
)
SUPPLEMENT = (
    'HS 000.00.04.H40-261110-0004: Yeu cau bo sung. Can lam: Bo sung ban sao so ho khau va anh 4x6 '
    'truoc ngay hen. Han bo sung 23/11/2026. Goi 024 3858 0000.'
)
FEE = (
    'HS 000.00.12.H05-261028-0001: Yeu cau nghia vu tai chinh. Can lam: Nop le phi truoc ba '
    '1.250.000 dong tai Chi cuc Thue khu vuc. Goi 0209 3870 000.'
)
RECEIVED = (
    'HS 000.00.12.H05-261101-0002: Da tiep nhan. Hen tra 04/12/2026 (con 9 ngay lam viec). '
    'Goi 0209 3870 000.'
)
RETURNED = 'HS 000.00.12.H05-261015-0003: Da tra ket qua. Khong can lam gi them.'
NOT_ACCEPTED = (
    'HS 000.00.12.H05-261103-0004: Khong duoc tiep nhan. Ly do: To khai thieu chu ky; vui long nop '
    'lai ho so moi. Goi 0209 3870 000.'
)
REGISTERED = (
    'HS 000.20.31.H17-261112-0001: Moi dang ky. Vui long cho bo phan mot cua tiep nhan. Goi 0236 '
    '3842 000.'
)
WITHDRAWN = 'HS 000.20.31.H17-261030-0002: Cong dan rut ho so. Khong can lam gi them.'
STOPPED = (
    'HS 000.20.31.H17-261025-0003: Dung xu ly. Ly do: Co so khong du dieu kien theo bien ban kiem '
    'tra. Goi 0236 3842 000.'
)
NOT_FOUND_R = (
    'Khong tim thay ho so 000.00.04.H40-261102-0001. Vui long kiem tra ma tren giay hen hoac goi '
    '1900 0000.'
)
TWO_RP = (
    'HS 000.00.04.H40-261102-0001: Da co ket qua, cho tra. Nhan tai UBND phuong Thanh Xuan. Mang '
    'theo CCCD va giay hen. Goi 024 3858 0000.\nHS 000.00.04.H40-261105-0002: Dang xu ly. Hen tra '
    '25/11/2026 (con 2 ngay lam viec). Goi 024 3858 0000.'
)
THREE_RPO = (
    'HS 000.00.04.H40-261102-0001: Da co ket qua, cho tra. Nhan tai UBND phuong Thanh Xuan. Mang '
    'theo CCCD va giay hen. Goi 024 3858 0000.\nHS 000.00.04.H40-261105-0002: Dang xu ly. Hen tra '
    '25/11/2026 (con 2 ngay lam viec). Goi 024 3858 0000.\nHS 000.00.04.H40-261020-0003: Dang xu '
    'ly, tre han. Hen tra '
    '13/11/2026 da qua han; co quan phai xin loi va hen lai ngay moi. Goi 024 3858 0000.'
)
FOUR = (
    'HS 000.00.04.H40-261102-0001: Da co ket qua, cho tra. Nhan tai UBND phuong Thanh Xuan. Mang '
    'theo CCCD va giay hen. Goi 024 3858 0000.\nHS 000.00.04.H40-261105-0002: Dang xu ly. Hen tra '
    '25/11/2026 (con 2 ngay lam viec). Goi 024 3858 0000.\nHS 000.00.04.H40-261020-0003: Dang xu '
    'ly, tre han. Hen tra '
    '13/11/2026 da qua han; co quan phai xin loi va hen lai ngay moi.\nMoi tin chi tra cuu toi da 3 '
    'ma.'
)
TWO_R_MISSING = (
    'HS 000.00.04.H40-261102-0001: Da co ket qua, cho tra. Nhan tai UBND phuong Thanh Xuan. Mang '
    'theo CCCD va giay hen. Goi 024 3858 0000.\n000.00.04.H40-999999-0001: khong tim thay.'
)
PROCEDURE = 'Day la ma thu tuc, khong phai ma ho so. Soan ma ho so in tren giay hen. HD: huong dan.'
PHONE = (
    'Day la so dien thoai, khong phai ma ho so. Soan ma ho so in tren giay hen. HD: huong dan.'
)
HINT = (
    'Khong hieu tin nhan. Soan TC <ma ho so tren giay hen>, vd TC 000.00.04.H40-230414-0002. Soan '
    'HD de xem huong dan.'
)
# Not found, and lacking the office's e-ID (lookup.codes.incomplete, as the web page says it).
NO_AGENCY = (
    'Ma 2611020001 thieu ma co quan o dau. Soan du ma nhu in tren giay hen, vd TC '
    '000.00.04.H40-230414-0002.'
)
AGENCY_CUT_R = (
    'Day la phan cuoi cua ma ho so. Soan du ma, bat dau bang ma co quan, vd TC '
    '000.00.04.H40-261102-0001.'
)
AGENCY_CUT_R_SPACED = (
    'Day la phan cuoi cua ma ho so. Soan du ma, bat dau bang ma co quan, vd TC '
    '000.00.04.H402611020001.'
)
TOO_LONG = (
    'Ma 111111111111111111111111111111 khong hop le. Vui long kiem tra giay hen va gui lai ma. HD: '
    'huong dan.'
)
NOT_FOUND_999 = (
    'Khong tim thay ho so 000.00.04.H40-999999-0001. Vui long kiem tra ma tren giay hen hoac goi '
    '1900 0000.'
)
NOT_FOUND_0009 = (
    'Khong tim thay ho so 000.00.04.H40-261102-0009. Vui long kiem tra ma tren giay hen hoac goi '
    '1900 0000.'
)

CASES = [
    # help
    ("HD", HELP_VI), ("hd", HELP_VI), ("Hd", HELP_VI), ("  HD  ", HELP_VI), ("HD.", HELP_VI),
    ("hd!", HELP_VI), ("Hướng dẫn", HELP_VI), ("huong dan", HELP_VI), ("HUONGDAN", HELP_VI),
    ("HUONGDAM", HELP_VI), ("Trợ giúp", HELP_VI), ("tro giup", HELP_VI), ("HDSD", HELP_VI),
    ("HELP", HELP_EN), ("help", HELP_EN), ("Help.", HELP_EN), ("MENU", HELP_EN),
    ("❤️ HD", HELP_VI), ("?", HELP_VI), ("??", HELP_VI), (" ? ", HELP_VI), ("？", HELP_VI),
    # stop
    ("HUY", STOP_VI), ("huy", STOP_VI), ("Hủy", STOP_VI), ("HỦY", STOP_VI), ("hủy", STOP_VI),
    ("Huỷ", STOP_VI), ("TU CHOI", STOP_VI), ("tu choi", STOP_VI), ("Từ chối", STOP_VI),
    ("TUCHOI", STOP_VI), ("tuchoi", STOP_VI), ("TUCHOL", STOP_VI), ("huy dang ky", STOP_VI),
    ("Hủy đăng ký", STOP_VI), ("HUY TB", STOP_VI), ("Dừng", STOP_VI), ("dung lai", STOP_VI),
    ("STOP", STOP_EN), ("stop", STOP_EN), ("Stop.", STOP_EN), ("STOP ALL", STOP_EN),
    ("unsubscribe", STOP_EN), ("CANCEL", STOP_EN),
    # start
    ("BATDAU", START_VI), ("batdau", START_VI), ("Bắt đầu", START_VI), ("bat dau", START_VI),
    ("BAT DAU", START_VI), ("BATDUA", START_VI), ("BAT LAI", START_VI), ("START", START_EN),
    ("start", START_EN),
    # language
    ("EN", EN_SET), ("en", EN_SET), ("English", EN_SET), ("ENGLISH", EN_SET), ("Tiếng Anh", EN_SET),
    ("ENGLSH", EN_SET), ("VI", VI_SET), ("vi", VI_SET), ("VN", VI_SET), ("Tiếng Việt", VI_SET),
    ("tieng viet", VI_SET),
    # each status, bare code
    (R, READY), (P, PROCESSING), (D, OVERDUE), (S, SUPPLEMENT), (F, FEE), (V, RECEIVED),
    (T, RETURNED), (N, NOT_ACCEPTED), (G, REGISTERED), (W, WITHDRAWN), (X, STOPPED),
    # keywords before the code, any case, with or without diacritics, punctuation
    (f"TC {R}", READY), (f"tc {R}", READY), (f"TC:{R}", READY), (f"TC: {R}", READY),
    (f"tc.{R}", READY), (f"TC{R}", READY), (f"TRACUU {R}", READY), (f"tracuu {R}", READY),
    (f"Tra cứu {R}", READY), (f"tra cuu {R}", READY), (f"TRA CUU: {R}", READY), (f"TRACU {R}", READY),
    (f"HS {P}", PROCESSING), (f"hs {P}", PROCESSING), (f"Hồ sơ {P}", PROCESSING),
    (f"ho so {P}", PROCESSING), (f"HOSO {P}", PROCESSING), (f"MA {S}", SUPPLEMENT),
    (f"Mã hồ sơ {S}", SUPPLEMENT), (f"ma hs {S}", SUPPLEMENT), (f"Mã HS: {S}", SUPPLEMENT),
    (f"KT {F}", FEE), (f"kiem tra {F}", FEE), (f"Kiểm tra hồ sơ {F}", FEE), (f"MAHS {V}", RECEIVED),
    (f"TC  {V} ", RECEIVED), (f"TC\t{T}", RETURNED), (f"TC\n{N}", NOT_ACCEPTED),
    # the code typed badly
    (R.lower(), READY), (f"tc {R.lower()}", READY), ("0000004H40-261102-0001", READY),
    ("000.00.04.H40 261102 0001", READY), ("000 00 04 H40 261102 0001", READY),
    ("000.00.04.H40-2611020001", READY), ("0000004H402611020001", READY),
    ("OOO.OO.O4.H4O-2611O2-OOO1", READY), ("000.00.04.H40–261102–0001", READY),
    ("０００.００.０４.Ｈ４０-２６１１０２-０００１", READY), (f"«{R}»", READY), (f'"{R}"', READY),
    (f"({R})", READY), (f"{R}.", READY), (f"{R}$", READY), (f"TC {R} 🙏", READY),
    (f"🙏🙏 {R}", READY), (f"TC {R} .", READY), ("tc 000.00.04.h40 - 261102 - 0001", READY),
    ("000.00.04.H40/261102/0001", READY), ("000_00_04_H40_261102_0001", READY),
    # with the receipt PIN
    (f"TC {R} 204851", READY), (f"{R} PIN 204851", READY), (f"TC {R} mk 204851", READY),
    (f"TC {R} 111111", NOT_FOUND_R), ("000.00.04.H40 261102 0001 204851", READY),
    # in a sentence
    (f"Cho hỏi hồ sơ {R} đến đâu rồi ạ", READY), (f"Em muon tra cuu ho so {P} a", PROCESSING),
    (f"Xin chào, mã hồ sơ của tôi là {D}. Cảm ơn!", OVERDUE), (f"Ho so {G} cua toi sao roi", REGISTERED),
    (f"Kiem tra giup em ho so so {W} voi", WITHDRAWN), (f"TC {X}. Xin cam on", STOPPED),
    (f"HD {R}", READY), (f"{R} HD", READY),
    # several codes
    (f"{R} {P}", TWO_RP), (f"TC {R}, {P}", TWO_RP), (f"{R};{P}", TWO_RP), (f"{R}\n{P}", TWO_RP),
    (f"TC {R} va {P}", TWO_RP), (f"TC {R} và {P}", TWO_RP), (f"{R} {R}", READY),
    (f"{R} {R.lower()}", READY), (f"{R} {P} {D}", THREE_RPO), (f"TC {R}, {P}, {D}", THREE_RPO),
    (f"{R} {P} {D} {S}", FOUR), (f"{R} 204851 {P}", TWO_RP),
    (f"{R} 000.00.04.H40-999999-0001", TWO_R_MISSING),
    # not a dossier code
    ("1.000948.H38", PROCEDURE), ("TC 1.000948.H38", PROCEDURE), ("tc 1.000948.h38", PROCEDURE),
    ("0912345678", PHONE), ("+84912345678", PHONE), ("TC 0912 345 678", PHONE),
    ("TC 84912345678", PHONE), ("TC 123", HINT), ("12", HINT), ("TC 2611020001", NO_AGENCY),
    ("TC H40-261102-0001", AGENCY_CUT_R), ("h40 261102 0001", AGENCY_CUT_R_SPACED),
    ("04.H40-261102-0001", AGENCY_CUT_R),
    ("000.00.04.H40@261102-0001", READY), ("000.00.04.H40*261102*0001", READY), ("TC " + "1" * 70, TOO_LONG),
    ("000.00.04.H40-999999-0001", NOT_FOUND_999), ("TC 000.00.04.H40-261102-0009", NOT_FOUND_0009),
    # nothing to go on
    ("", HINT), ("   ", HINT), ("\n", HINT), ("...", HINT), ("TC", HINT),
    ("tra cuu", HINT), ("Ho so", HINT), ("xin chao", HINT), ("Xin chào", HINT), ("Alo", HINT),
    ("Cảm ơn", HINT), ("ok", HINT), ("Ai vay?", HINT), ("help me", HINT), ("HUYY BO", HINT),
    ("😀😀", HINT), ("👍", HINT), ("a" * 2000, HINT), ("Tôi " * 500, HINT),
    ("\ufffd\ufffd\ufffd", HINT), ("\x00\x01\x02", HINT), ("\u200b\u200b", HINT),
    ("<script>alert(1)</script>", HINT), ("'; DROP TABLE dossiers; --", HINT),
    ("%s %(code)s {0}", HINT), ("Hồ sơ của tôi đâu?", HINT),
    (f"TC {R} " + "x" * 2000, READY), (f"TC \ufffd{R}", READY), (f"TC {R}\x00", READY),
]

NAMES = ("Nguyen", "Tran Thi", "Le Hoang", "Pham Thu", "Hoang Van", "Vu Thi", "Do Minh", "Bui Quang",
         "Ngo Thi", "Dang Van", "Phan Thi")


@pytest.fixture(scope="module")
def handler(tmp_path_factory):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('sms') / 't.db'}", HOTLINE_NUMBER="1900 0000")
    service = app.extensions["tracuu.service"]
    demo.load(service)
    settings = settings_from(app)

    def handle(text, sender="+84912000001", language=None):
        return commands.handle(text, sender, resolve=service.resolve, incomplete=service.incomplete,
                               settings=settings, language=language)

    yield handle
    app.extensions["tracuu.store"].dispose()


def test_the_table_is_big_enough():
    assert len(CASES) >= 150


@pytest.mark.parametrize(("text", "expected"), CASES,
                         ids=[f"{i:03d}-{t[:24]!r}" for i, (t, _) in enumerate(CASES)])
def test_inbound_text_gets_the_expected_reply(handler, text, expected):
    reply = handler(text)
    assert reply.text == expected
    size = segments(reply.text)
    assert size.encoding == GSM7
    assert 1 <= size.count <= 3
    if reply.kind != "several":
        assert size.count == 1 and len(reply.text) <= 160
    assert not any(name in reply.text for name in NAMES)


@pytest.mark.parametrize("sender", ["+84912000001", "+84987654321", "0912000001", "84912000001", "8077", ""])
def test_owner_and_stranger_get_the_same_words(handler, sender):
    """The registered phone proves ownership, but an SMS shows nothing the public tier does not."""
    assert handler(f"TC {R}", sender=sender).text == READY


def test_effects_of_keywords(handler):
    assert handler("HUY").effects == (commands.Effect(commands.OPT_OUT),)
    assert handler("BATDAU").effects == (commands.Effect(commands.OPT_IN),)
    assert handler("EN").effects == (commands.Effect(commands.LANGUAGE, "en"),)
    assert handler("VI").effects == (commands.Effect(commands.LANGUAGE, "vi"),)
    assert handler(R).effects == ()


def test_english_stop_says_how_to_restart_in_english(handler):
    """Issue 12 item 11: STOP is answered with START (not BATDAU), and START with STOP."""
    stop, start = handler("STOP"), handler("START")
    assert stop.lang == start.lang == "en"
    assert "START" in stop.text and "BATDAU" not in stop.text
    assert "STOP" in start.text and "HUY" not in start.text
    assert "BATDAU" in handler("HUY").text  # Vietnamese keeps its own keywords


def test_saved_language_is_used(handler):
    reply = handler(P, language="en")
    assert reply.text == ("Dossier 000.00.04.H40-261105-0002: Being processed. Due 25/11/2026 "
                          "(2 working days left). Call 024 3858 0000.")
    assert handler("HUY", language="en").text == STOP_EN
    assert handler("STOP", language="vi").text == STOP_VI


@pytest.mark.parametrize("code", [R, P, D, S, F, V, T, N, G, W, X])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_status_reply_is_one_segment_in_both_languages(handler, code, language):
    text = handler(code, language=language).text
    assert text.startswith(("HS ", "Dossier "))
    assert segments(text).count == 1 and segments(text).encoding == GSM7


def test_a_code_lacking_its_office_id_is_told_so_in_english_too(handler):
    """The rule the web page uses (lookup.codes.incomplete): what the start of the code lacks,
    with the whole code when one office fits, never whether such a dossier exists."""
    cut = handler("TC H40-261102-0001", language="en")
    assert cut.kind == "invalid"
    assert cut.text == ("That is the end of a dossier code. Text the whole code, office ID first, e.g. "
                        "TC 000.00.04.H40-261102-0001.")
    unknown = handler("TC H40-999999-0001", language="en")  # no such dossier: the same words
    assert unknown.text == cut.text.replace("261102", "999999")
    assert handler("TC 2611020001", language="en").text == (
        "Code 2611020001 lacks the office ID at its start. Text the whole code as printed on your "
        "receipt, e.g. TC 000.00.04.H40-230414-0002.")
