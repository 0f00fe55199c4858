"""Chat with the Official Account: what a Zalo user types, and the exact reply the worker sends
back through the OA (the SMS command handler, with accents). A user who shared their phone with
the OA (LINKED, +84912000001, the demo's registered phone) is that phone; a NEW user is no one.

Each row starts from nothing remembered (no language, no opt-out, no link but the row's own).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channels.zalo import chat
from lookup import demo
from lookup.store.schema import chat_users, phones
from lookup.subscribers import ChatUser, PhoneSettings
from tests.conftest import make_app

NEW, LINKED, LINKED_EN = "new", "linked", "linked, English"
ASK = True  # the reply comes with Zalo's "share your phone" card
USER = "1000000000000000001"
PHONE = "+84912000001"

CHATS = [
    (NEW, '000.00.04.H40-261102-0001',
     'HS 000.00.04.H40-261102-0001: Đã có kết quả, chờ trả. Nhận tại UBND phường Thanh Xuân. '
     'Mang theo CCCD và giấy hẹn. Gọi 024 3858 0000.'),
    (NEW, 'tc 000.00.04.H40-261102-0001',
     'HS 000.00.04.H40-261102-0001: Đã có kết quả, chờ trả. Nhận tại UBND phường Thanh Xuân. '
     'Mang theo CCCD và giấy hẹn. Gọi 024 3858 0000.'),
    (NEW, 'TRACUU 000.00.04.H40-261105-0002',
     'HS 000.00.04.H40-261105-0002: Đang xử lý. Hẹn trả 25/11/2026.'),
    (NEW, 'Tra cứu 000.00.04.H40-261020-0003',
     'HS 000.00.04.H40-261020-0003: Đang xử lý, trễ hạn. Hẹn trả 13/11/2026 đã quá hạn; cơ '
     'quan phải xin lỗi và hẹn lại ngày mới.'),
    (NEW, 'hs 000.00.04.H40-261110-0004',
     'HS 000.00.04.H40-261110-0004: Yêu cầu bổ sung. Cần làm: Bổ sung bản sao sổ hộ khẩu và '
     'ảnh 4x6 trước ngày hẹn. Hạn bổ sung 23/11/2026.'),
    (NEW, '000.00.12.H05-261028-0001',
     'HS 000.00.12.H05-261028-0001: Yêu cầu nghĩa vụ tài chính. Cần làm: Nộp lệ phí trước bạ '
     '1.250.000 đồng tại Chi cục Thuế khu vực.'),
    (NEW, '000.00.12.H05-261101-0002',
     'HS 000.00.12.H05-261101-0002: Đã tiếp nhận. Hẹn trả 04/12/2026.'),
    (NEW, '000.00.12.H05-261015-0003',
     'HS 000.00.12.H05-261015-0003: Đã trả kết quả. Không cần làm gì thêm.'),
    (NEW, '000.00.12.H05-261103-0004',
     'HS 000.00.12.H05-261103-0004: Không được tiếp nhận. Lý do: Tờ khai thiếu chữ ký; vui '
     'lòng nộp lại hồ sơ mới. Gọi 0209 3870 000.'),
    (NEW, '000.20.31.H17-261112-0001',
     'HS 000.20.31.H17-261112-0001: Mới đăng ký. Vui lòng chờ bộ phận một cửa tiếp nhận. Gọi '
     '0236 3842 000.'),
    (NEW, '000.20.31.H17-261030-0002',
     'HS 000.20.31.H17-261030-0002: Công dân rút hồ sơ. Không cần làm gì thêm.'),
    (NEW, '000.20.31.H17-261025-0003',
     'HS 000.20.31.H17-261025-0003: Dừng xử lý. Lý do: Cơ sở không đủ điều kiện theo biên '
     'bản kiểm tra. Gọi 0236 3842 000.'),
    (NEW, 'TC 000.00.04.H40-261102-0001 204851',
     'HS 000.00.04.H40-261102-0001: Đã có kết quả, chờ trả. Nhận tại UBND phường Thanh Xuân. '
     'Mang theo CCCD và giấy hẹn. Gọi 024 3858 0000.'),
    (NEW, 'TC 000.00.04.H40-261102-0001 999999',
     'Không tìm thấy hồ sơ 000.00.04.H40-261102-0001. Vui lòng kiểm tra mã trên giấy hẹn '
     'hoặc gọi 1900 0000.'),
    (NEW, '000.00.04.H40 261102 0001',
     'HS 000.00.04.H40-261102-0001: Đã có kết quả, chờ trả. Nhận tại UBND phường Thanh Xuân. '
     'Mang theo CCCD và giấy hẹn. Gọi 024 3858 0000.'),
    (NEW, '000.OO.04.H40-261102-0001',
     'HS 000.00.04.H40-261102-0001: Đã có kết quả, chờ trả. Nhận tại UBND phường Thanh Xuân. '
     'Mang theo CCCD và giấy hẹn. Gọi 024 3858 0000.'),
    (NEW, '０００.００.０４.Ｈ４０-２６１１０２-０００１',
     'HS 000.00.04.H40-261102-0001: Đã có kết quả, chờ trả. Nhận tại UBND phường Thanh Xuân. '
     'Mang theo CCCD và giấy hẹn. Gọi 024 3858 0000.'),
    (NEW, 'TC 000.00.04.H40-261102-9999',
     'Không tìm thấy hồ sơ 000.00.04.H40-261102-9999. Vui lòng kiểm tra mã trên giấy hẹn '
     'hoặc gọi 1900 0000.'),
    (NEW, '000.00.04.H40-261102-0001, 000.00.12.H05-261028-0001',
     'HS 000.00.04.H40-261102-0001: Đã có kết quả, chờ trả.\nHS 000.00.12.H05-261028-0001: '
     'Yêu cầu nghĩa vụ tài chính.'),
    (NEW, '1.000948.H38',
     'Đây là mã thủ tục, không phải mã hồ sơ. Soạn mã hồ sơ in trên giấy hẹn. HD: hướng dẫn.'),
    (NEW, '0912345678',
     'Đây là số điện thoại, không phải mã hồ sơ. Soạn mã hồ sơ in trên giấy hẹn. HD: hướng '
     'dẫn.'),
    (NEW, '123',
     'Không hiểu tin nhắn. Soạn TC <mã hồ sơ trên giấy hẹn>, vd TC '
     '000.00.04.H40-230414-0002. Soạn HD để xem hướng dẫn.'),
    (NEW, 'HD',
     'Soạn TC <mã hồ sơ> gửi 8077, vd TC 000.00.04.H40-230414-0002. HUY: tắt thông báo. '
     'BATDAU: bật lại. EN: English. Gọi 1900 0000'),
    (NEW, 'hướng dẫn',
     'Soạn TC <mã hồ sơ> gửi 8077, vd TC 000.00.04.H40-230414-0002. HUY: tắt thông báo. '
     'BATDAU: bật lại. EN: English. Gọi 1900 0000'),
    (NEW, 'help',
     'Text the dossier code to 8077, e.g. TC 000.00.04.H40-230414-0002. STOP: no alerts. '
     'START: alerts on. VI: Vietnamese. Hotline 1900 0000'),
    (NEW, '?',
     'Soạn TC <mã hồ sơ> gửi 8077, vd TC 000.00.04.H40-230414-0002. HUY: tắt thông báo. '
     'BATDAU: bật lại. EN: English. Gọi 1900 0000'),
    (NEW, 'xin chào',
     'Không hiểu tin nhắn. Soạn TC <mã hồ sơ trên giấy hẹn>, vd TC '
     '000.00.04.H40-230414-0002. Soạn HD để xem hướng dẫn.'),
    (NEW, 'EN',
     'Replies will now be in English. Text VI for Vietnamese.'),
    (NEW, 'english',
     'Replies will now be in English. Text VI for Vietnamese.'),
    (NEW, 'VI',
     'Từ nay tin trả lời bằng tiếng Việt. Soạn EN để nhận tiếng Anh.'),
    (NEW, 'Tiếng Việt',
     'Từ nay tin trả lời bằng tiếng Việt. Soạn EN để nhận tiếng Anh.'),
    (NEW, 'HUY',
     'Để tắt hoặc bật thông báo qua Zalo, trước hết hãy chia sẻ số điện thoại của bạn: bấm '
     'vào thẻ bên dưới. Hoặc nhắn tin HUY gửi 8077.', ASK),
    (NEW, 'STOP',
     'To turn alerts off or on from Zalo, first share your phone number with us: tap the '
     'card below. Or text STOP to 8077 by SMS.', ASK),
    (NEW, 'Bắt đầu',
     'Để tắt hoặc bật thông báo qua Zalo, trước hết hãy chia sẻ số điện thoại của bạn: bấm '
     'vào thẻ bên dưới. Hoặc nhắn tin BATDAU gửi 8077.', ASK),
    (NEW, 'START',
     'To turn alerts off or on from Zalo, first share your phone number with us: tap the '
     'card below. Or text START to 8077 by SMS.', ASK),
    (LINKED, 'HUY',
     'Bạn sẽ không nhận tin nhắn thông báo nữa. Soạn BATDAU để bật lại.'),
    (LINKED, 'BATDAU',
     'Đã bật lại tin nhắn thông báo. Soạn HUY để tắt.'),
    (LINKED, 'EN',
     'Replies will now be in English. Text VI for Vietnamese.'),
    (LINKED_EN, 'TC 000.00.04.H40-261102-0001',
     'Dossier 000.00.04.H40-261102-0001: Ready for pickup. Collect at Thanh Xuan Ward '
     "People's Committee. Mang theo CCCD và giấy hẹn."),
    (LINKED, 'TC 000.00.04.H40-261102-0001',
     'HS 000.00.04.H40-261102-0001: Đã có kết quả, chờ trả. Nhận tại UBND phường Thanh Xuân. '
     'Mang theo CCCD và giấy hẹn. Gọi 024 3858 0000.'),
    (LINKED, '000.00.04.H40-261110-0004',
     'HS 000.00.04.H40-261110-0004: Yêu cầu bổ sung. Cần làm: Bổ sung bản sao sổ hộ khẩu và '
     'ảnh 4x6 trước ngày hẹn. Hạn bổ sung 23/11/2026.'),
    (NEW, '🙂',
     'Không hiểu tin nhắn. Soạn TC <mã hồ sơ trên giấy hẹn>, vd TC '
     '000.00.04.H40-230414-0002. Soạn HD để xem hướng dẫn.'),
    (NEW, 'Hồ sơ của tôi là 000.00.04.H40-261105-0002 ạ',
     'HS 000.00.04.H40-261105-0002: Đang xử lý. Hẹn trả 25/11/2026.'),
    (LINKED, 'TC 000.00.12.H05-261028-0001',
     'HS 000.00.12.H05-261028-0001: Yêu cầu nghĩa vụ tài chính. Cần làm: Nộp lệ phí trước bạ '
     '1.250.000 đồng tại Chi cục Thuế khu vực.'),
    (LINKED_EN, '000.00.04.H40-261102-0001 000.00.04.H40-261105-0002 000.00.12.H05-261101-0002 '
                '000.00.04.H40-261110-0004',
     'Dossier 000.00.04.H40-261102-0001: Ready for pickup.\nDossier '
     '000.00.04.H40-261105-0002: Being processed.\nDossier 000.00.12.H05-261101-0002: '
     'Received.\nOnly 3 codes per SMS are answered.'),
    (NEW, 'tieng anh',
     'Replies will now be in English. Text VI for Vietnamese.'),
    (NEW, 'huy dang ky',
     'Để tắt hoặc bật thông báo qua Zalo, trước hết hãy chia sẻ số điện thoại của bạn: bấm '
     'vào thẻ bên dưới. Hoặc nhắn tin HUY gửi 8077.', ASK),
    (NEW, 'tu choi',
     'Để tắt hoặc bật thông báo qua Zalo, trước hết hãy chia sẻ số điện thoại của bạn: bấm '
     'vào thẻ bên dưới. Hoặc nhắn tin HUY gửi 8077.', ASK),
    (LINKED_EN, 'HUY',
     'You will get no more SMS alerts. Text START to turn them back on.'),
    (LINKED, '000.00.04.H40-261102-0001 999999',
     'Không tìm thấy hồ sơ 000.00.04.H40-261102-0001. Vui lòng kiểm tra mã trên giấy hẹn '
     'hoặc gọi 1900 0000.'),
    (NEW, 'H40-261102-0001',  # the same hint as SMS and the web page (lookup.codes.incomplete)
     'Đây là phần cuối của mã hồ sơ. Soạn đủ mã, bắt đầu bằng mã cơ quan, vd TC '
     '000.00.04.H40-261102-0001.'),
    (NEW, 'EN HUY',
     'Không hiểu tin nhắn. Soạn TC <mã hồ sơ trên giấy hẹn>, vd TC '
     '000.00.04.H40-230414-0002. Soạn HD để xem hướng dẫn.'),
    (NEW, 'tc',
     'Không hiểu tin nhắn. Soạn TC <mã hồ sơ trên giấy hẹn>, vd TC '
     '000.00.04.H40-230414-0002. Soạn HD để xem hướng dẫn.'),
]



@pytest.fixture(scope="module")
def chat_app(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('zalo') / 'chat.db'}", HOTLINE_NUMBER="1900 0000")
    demo.load(app.extensions["tracuu.service"])
    yield app
    app.extensions["tracuu.store"].dispose()


def start(app, who: str) -> None:
    with app.extensions["tracuu.store"].begin() as conn:
        conn.execute(phones.delete())
        conn.execute(chat_users.delete())
    subscribers = app.extensions["tracuu.subscribers"]
    if who in (LINKED, LINKED_EN):
        subscribers.link_chat_user("zalo", USER, PHONE)
    if who == LINKED_EN:
        subscribers.update(PHONE, language="en")


def test_the_table_is_long_enough():
    assert len(CHATS) >= 40


@pytest.mark.parametrize(("who", "text", "reply", "ask"), [(*row, False)[:4] for row in CHATS],
                         ids=[f"{i}-{row[1][:24]}" for i, row in enumerate(CHATS)])
def test_what_a_zalo_user_types_and_the_reply(chat_app, who, text, reply, ask):
    start(chat_app, who)
    outcome = chat.answer_text(chat_app, USER, text)
    assert (outcome.text, outcome.ask_for_phone) == (reply, ask)


def test_a_linked_users_keywords_switch_their_phone(chat_app):
    start(chat_app, LINKED)
    subscribers = chat_app.extensions["tracuu.subscribers"]
    chat.answer_text(chat_app, USER, "HUY")
    assert subscribers.settings(PHONE) == PhoneSettings(PHONE, None, True)
    chat.answer_text(chat_app, USER, "EN")
    chat.answer_text(chat_app, USER, "bat dau")
    assert subscribers.settings(PHONE) == PhoneSettings(PHONE, "en", False)


def test_a_new_users_language_is_kept_and_carried_to_the_phone_they_share(chat_app):
    start(chat_app, NEW)
    subscribers = chat_app.extensions["tracuu.subscribers"]
    chat.answer_text(chat_app, USER, "EN")
    assert subscribers.chat_user("zalo", USER) == ChatUser("zalo", USER, None, "en")
    assert chat.answer_text(chat_app, USER, "000.00.12.H05-261101-0002").text.startswith(
        "Dossier 000.00.12.H05-261101-0002: Received.")
    assert chat.answer_text(chat_app, USER, "HUY").text.startswith("To turn alerts off or on from Zalo")
    assert subscribers.settings(PHONE).opted_out is False  # no phone: nothing switched
    linked = chat.link_phone(chat_app, USER, "84912000001")
    assert linked.text == ("This Zalo account is now linked to 0912 000 001. Lookups here count as from "
                           "that phone. HUY: stop alerts. BATDAU: alerts on.")
    assert subscribers.settings(PHONE).language == "en"
    with chat_app.extensions["tracuu.store"].connect() as conn:
        assert conn.execute(select(chat_users.c.phone)).scalars().all() == [PHONE]


@pytest.mark.parametrize(("shared", "reply", "ask"), [
    ("84912000001", "Tài khoản Zalo này đã được liên kết với số 0912 000 001. Tra cứu tại đây được "
                    "coi như gửi từ số đó. HUY: dừng thông báo. BATDAU: bật lại thông báo.", False),
    ("0912000001", "Tài khoản Zalo này đã được liên kết với số 0912 000 001. Tra cứu tại đây được "
                   "coi như gửi từ số đó. HUY: dừng thông báo. BATDAU: bật lại thông báo.", False),
    ("", "Không đọc được số điện thoại bạn đã chia sẻ. Vui lòng chia sẻ lại.", True),
    ("not a phone", "Không đọc được số điện thoại bạn đã chia sẻ. Vui lòng chia sẻ lại.", True),
])
def test_sharing_a_phone(chat_app, shared, reply, ask):
    start(chat_app, NEW)
    outcome = chat.link_phone(chat_app, USER, shared)
    assert (outcome.text, outcome.ask_for_phone) == (reply, ask)


def test_wrong_pins_from_zalo_count_towards_the_dossiers_lock(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'pins.db'}", PIN_FAILURES_PER_DOSSIER=3)
    demo.load(app.extensions["tracuu.service"])
    try:
        for _ in range(3):
            chat.answer_text(app, USER, "TC 000.00.04.H40-261102-0001 111111")
        locked = chat.answer_text(app, USER, "TC 000.00.04.H40-261102-0001 204851")
        assert locked.reply.kind == "pin_locked"
        assert locked.text.startswith("000.00.04.H40-261102-0001: mã PIN tạm khóa do nhập sai nhiều lần.")
    finally:
        app.extensions["tracuu.store"].dispose()
