"""Segments and encodings (3GPP TS 23.038), and every reply template measured with them."""

from __future__ import annotations

import pytest

from channels.sms import replies
from channels.sms.encoding import GSM7, UCS2, segments
from channels.sms.text import fold, plain
from lookup import messages


@pytest.mark.parametrize(
    ("text", "encoding", "units", "count"),
    [
        ("", GSM7, 0, 0),
        ("a", GSM7, 1, 1),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        ("€" * 80, GSM7, 160, 1),  # the extension table costs two septets
        ("€" * 81, GSM7, 162, 2),
        ("[]{}", GSM7, 8, 1),
        ("Ho so da co ket qua", GSM7, 19, 1),
        ("Hồ sơ", UCS2, 5, 1),
        ("ồ" * 70, UCS2, 70, 1),
        ("ồ" * 71, UCS2, 71, 2),
        ("ồ" * 134, UCS2, 134, 2),
        ("ồ" * 135, UCS2, 135, 3),
        ("🙏", UCS2, 2, 1),  # outside the BMP: a surrogate pair
        ("🙏" * 35, UCS2, 70, 1),
        ("🙏" * 36, UCS2, 72, 2),
        ("é", GSM7, 1, 1),  # in GSM-7's basic table
        ("ê", UCS2, 1, 1),  # not in it
    ],
)
def test_segments(text, encoding, units, count):
    size = segments(text)
    assert (size.encoding, size.units, size.count) == (encoding, units, count)


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Tra cứu hồ sơ", "TRA CUU HO SO"), ("Đã có kết quả", "DA CO KET QUA"), ("Huỷ", "HUY"),
     ("Hủy", "HUY"), ("ＨＤ", "HD"), ("hd 🙏", "HD  "), ("a\x00b", "A B")],
)
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "gsm"),
    [("Đã có kết quả, chờ trả", "Da co ket qua, cho tra"), ("Thứ Hai–Thứ Sáu", "Thu Hai-Thu Sau"),
     ("“Mã” hồ sơ…", '"Ma" ho so...'), ("🙏", "?"), ("Ngõ 12/3 Đường Láng", "Ngo 12/3 Duong Lang")],
)
def test_plain_is_gsm7(text, gsm):
    assert plain(text) == gsm
    assert segments(plain(text)).encoding == GSM7


TEMPLATES = [value for name, value in vars(replies).items() if name.isupper() and isinstance(value, str)]
# The largest values a template is ever filled with.
WORST = {"code": "0" * 40, "status": "Yeu cau nghia vu tai chinh", "date": "31/12/2026", "office": "x" * 60,
         "hours": "x" * 60, "note": "x" * 200, "hotline": "0209 3870 0000", "number": "8077", "count": 3,
         "low": 120, "high": 250, "days": 250, "share": 100, "example": "0" * 40}
STAND_ALONE = [replies.HELP, replies.HINT, replies.PROCEDURE_CODE, replies.PHONE_NUMBER, replies.STOPPED,
               replies.STARTED, replies.LANGUAGE_EN, replies.LANGUAGE_VI, replies.RATE_LIMITED,
               replies.NOT_FOUND, replies.BAD_CODE, replies.CONFIRMED, replies.CODE_WRONG,
               replies.CODE_CANCELLED, replies.CODE_EXPIRED, replies.NO_CODE_WAITING,
               replies.AGENCY_CUT, replies.AGENCY_CUT_ANY, replies.NO_AGENCY]


def test_templates_were_found():
    assert len(TEMPLATES) >= 25


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_is_gsm7_and_never_over_three_segments(template, language):
    text = replies.Style(lang=language).say(template, **WORST)
    size = segments(text)
    assert size.encoding == GSM7
    assert size.count <= 3


@pytest.mark.parametrize("diacritics", [False, True])
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("template", STAND_ALONE)
def test_stand_alone_replies_are_whole(template, language, diacritics):
    """Help, hints, not found...: never cut; one GSM-7 segment, or two UCS-2 segments with
    diacritics (issue 12: the help and not-found texts used to be cut at 70 characters)."""
    style = replies.Style(lang=language, diacritics=diacritics)
    values = dict(WORST, code="000.00.04.H40-261102-0001")
    text = style.reply(template, **values)
    assert text == style.say(template, **values)
    assert segments(text).count <= (2 if diacritics else 1)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_status_labels_fit_a_head(language):
    for status in messages.STATUS_LABELS:
        label = messages.status_label(status, language)
        head = replies.Style(lang=language).say(replies.OVERDUE_HEAD, code="0" * 40, status=label)
        assert segments(head).count == 1
