"""Status replies never lose what the citizen must know or do to fit a segment (issue 12).

A table over every status, with and without the office's note, overdue or not, in both
languages, with and without diacritics: the reply says the required facts in full (the place,
the amount, the reason, the documents, the date), in one segment where they fit and in two
where they do not (two UCS-2 segments are 134 characters); the hotline and the hours only join
when they fit the segments already used.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from channels.sms import replies
from channels.sms.encoding import GSM7, UCS2, segments
from channels.sms.text import MAX_SEGMENTS, finish
from lookup import messages, statuses
from tests.channels.sms.views import DUE, HANDLING, NOTES, OFFICE, sms_view

STATUSES = list(statuses.STATUSES)
CASES = [(status, note, overdue, lang, diacritics)
         for status in STATUSES for note in (True, False) for overdue in (False, True)
         for lang in ("vi", "en") for diacritics in (False, True)
         if not overdue or status in ("received", "processing", "supplement_requested")]
DATE = "27/11/2026"


def required(status: str, note: bool, overdue: bool, lang: str, diacritics: bool) -> list[str]:
    """What the reply must say, whole, for this case."""
    def say(message: str, **values) -> str:
        return finish(messages.gettext(lang, message, **values), diacritics)

    label = messages.status_label(status, lang)
    head = replies.OVERDUE_HEAD if overdue else replies.HEAD
    wanted = [say(head, code=sms_view(status).code, status=label)]
    written = NOTES.get(status, "") if note else ""
    if overdue:
        return wanted + [say(replies.OVERDUE_SINCE, date=DATE)]
    if status in ("received", "processing"):
        wanted.append(say(replies.DUE, date=DATE))
        if status == "processing":
            wanted.append(say(replies.AT_OFFICE, office=HANDLING))
    elif status == "supplement_requested":
        wanted += [finish(written, diacritics) if written else say(messages.NEXT_STEPS[status]),
                   DATE]
    elif status == "fee_due":
        wanted.append(finish(written, diacritics) if written else say(messages.NEXT_STEPS[status]))
    elif status in ("not_accepted", "stopped"):
        wanted.append(finish(written, diacritics) if written
                      else say(replies.CALL_FOR_REASON, hotline=OFFICE.hotline))
    elif status == "ready":
        # The office's name may be shortened (they know where they filed), what to bring not.
        wanted += [" ".join(finish(OFFICE.name(lang), diacritics).split()[:3]),
                   finish(written, diacritics) if written else say(replies.BRING)]
    elif status == "registered":
        wanted.append(say(replies.WAIT_DESK))
    else:
        wanted.append(say(replies.NOTHING_MORE))
    return wanted


@pytest.mark.parametrize(("status", "note", "overdue", "lang", "diacritics"), CASES,
                         ids=[f"{s}-{'note' if n else 'bare'}-{'late' if o else 'ontime'}-{lg}-"
                              f"{'ucs2' if d else 'gsm7'}" for s, n, o, lg, d in CASES])
def test_a_status_reply_says_what_must_be_done_in_at_most_two_segments(status, note, overdue, lang,
                                                                          diacritics):
    view = replace(sms_view(status, None if note else ""), overdue=overdue)
    text = replies.status_reply(view, replies.Style(lang=lang, diacritics=diacritics))
    size = segments(text)
    assert size.count <= MAX_SEGMENTS, text
    assert size.encoding == (UCS2 if diacritics and lang == "vi" else GSM7) or diacritics, text
    for words in required(status, note, overdue, lang, diacritics):
        assert words in text, (words, text)
    # Nothing was cut, but a long office name where the office also says what to bring.
    assert ".." not in text or (status == "ready" and note and diacritics), text


@pytest.mark.parametrize("diacritics", [False, True])
def test_the_hotline_never_costs_a_segment(diacritics):
    """Optional parts join only within the segments the required ones take."""
    style = replies.Style(lang="vi", diacritics=diacritics)
    for status in STATUSES:
        view = sms_view(status)
        text = replies.status_reply(view, style)
        without = replies.status_reply(replace(view, office=replace(OFFICE, hotline="")), style)
        assert segments(text).count == segments(without).count, (text, without)


def test_one_segment_where_everything_fits():
    view = sms_view("processing")
    text = replies.status_reply(view, replies.Style(lang="vi"))
    assert segments(text).count == 1
    assert text.endswith("Goi 0209 3870 000.")


def test_a_note_too_long_for_two_segments_is_shortened_not_dropped():
    long_note = "Bổ sung giấy tờ chứng minh nơi cư trú, " * 12
    for diacritics in (False, True):
        view = sms_view("supplement_requested", long_note)
        text = replies.status_reply(view, replies.Style(lang="vi", diacritics=diacritics))
        assert segments(text).count == MAX_SEGMENTS
        assert finish("Bổ sung giấy tờ chứng minh", diacritics) in text and ".." in text
        assert DATE in text and DUE.strftime("%d/%m/%Y") == DATE


@pytest.mark.parametrize("diacritics", [False, True])
def test_the_working_days_never_cost_a_segment(diacritics):
    style = replies.Style(lang="vi", diacritics=diacritics)
    view = sms_view("received")
    counted = replies.status_reply(replace(view, working_days_left=3), style)
    assert segments(counted).count == segments(replies.status_reply(view, style)).count
    assert ("3 ngày làm việc" if diacritics else "3 ngay lam viec") in counted or diacritics
