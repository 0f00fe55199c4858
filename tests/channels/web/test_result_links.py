"""Back and reload on a result (issue 12, item 6): the form's post is answered 303 to a page
that can be shown again, whose address holds neither the code nor the PIN, lives a few
minutes, carries what the post proved and nothing more."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from channels.web.result_link import LIFETIME_SECONDS, Ticket, Tickets
from lookup.clock import fixed
from tests.channels.web.htmlcheck import by_id, find_all, parse_page, text_of
from tests.conftest import NOW

READY, PIN = "000.00.04.H40-261102-0001", "204851"


def post(client, code, pin="", **kwargs):
    return client.post("/tra-cuu", data={"code": code, "pin": pin}, **kwargs)


def test_the_post_is_answered_with_a_page_to_come_back_to(client, demo):
    posted = post(client, READY, PIN)
    assert posted.status_code == 303
    where = posted.headers["Location"]
    assert where.startswith("/tra-cuu/")
    # Neither the code nor the PIN can be read from the address, in any spelling.
    ticket = where.removeprefix("/tra-cuu/")
    for secret in (READY, "261102", PIN, base64.urlsafe_b64encode(READY.encode()).decode()[:12]):
        assert secret not in where
    assert len(ticket) < 200
    first = client.get(where)
    again = client.get(where)  # reload, or Back to it
    assert first.status_code == again.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    assert first.data == again.data
    page = text_of(parse_page(first.data, "vi"))
    assert "Nguyễn V*** A**" in page and "Quá trình xử lý" in page


def test_code_only_comes_back_as_code_only_and_offers_the_pin(client, demo):
    page = parse_page(client.get(post(client, READY).headers["Location"]).data, "vi")
    assert "Nguyễn" not in text_of(page)
    form = [f for f in find_all(page, "form") if f.get("action") == "/tra-cuu"]
    hidden = [i for i in find_all(form[-1], "input") if i.get("name") == "code"]
    assert hidden[0].get("value") == READY


def test_the_language_switch_is_a_link_to_the_same_page(client, demo):
    where = post(client, READY).headers["Location"]
    tree = parse_page(client.get(where).data, "vi")
    switch = [a for a in find_all(tree, "a") if a.get("hreflang") == "en"][0].get("href")
    assert switch == f"{where}?lang=en"
    english = parse_page(client.get(switch).data, "en")
    assert text_of(next(find_all(english, "h1"))) == "Ready for pickup"
    assert not [f for f in find_all(tree, "form") if f.get("action", "").startswith("/tra-cuu?lang")]


def test_the_ticket_holds_what_was_proven_not_the_pin(app, client, demo):
    tickets = Tickets(app.config["SECRET_KEY"])
    proven = tickets.read(post(client, READY, PIN).headers["Location"].rsplit("/", 1)[1], NOW)
    assert proven == Ticket(READY, proven=True, receipt_version=0)
    public = tickets.read(post(client, READY).headers["Location"].rsplit("/", 1)[1], NOW)
    assert public == Ticket(READY)


def expired_page(response, lang="vi"):
    assert response.status_code == 410
    assert response.headers["Cache-Control"] == "no-store"
    tree = parse_page(response.data, lang)
    assert text_of(next(find_all(tree, "h1"))) == {"vi": "Kết quả này không còn hiển thị",
                                                     "en": "This result is no longer shown"}[lang]
    assert by_id(tree, "code").get("value") == ""  # the code is not given back either
    return text_of(tree)


def test_after_its_lifetime_the_page_asks_to_look_up_again(client, demo, service):
    where = post(client, READY, PIN).headers["Location"]
    service.clock = fixed(NOW + timedelta(seconds=LIFETIME_SECONDS - 1))
    assert client.get(where).status_code == 200
    service.clock = fixed(NOW + timedelta(seconds=LIFETIME_SECONDS + 1))
    words = expired_page(client.get(where + "?lang=en"), "en")
    assert "a result stays open for 10 minutes" in words
    assert "Nguyễn" not in words and "Birth registration" not in words


@pytest.mark.parametrize("make", [
    pytest.param(lambda app: Tickets("another-secret").make(Ticket(READY, proven=True), NOW), id="forged"),
    pytest.param(lambda app: "gAAAAA" + "x" * 100, id="garbled"),
    pytest.param(lambda app: "x" * 3000, id="huge"),
    pytest.param(lambda app: "%FF%00", id="bad-bytes"),
    pytest.param(lambda app: Tickets(app.config["SECRET_KEY"]).make(Ticket(READY), NOW)[:-4], id="cut"),
])
def test_a_ticket_we_did_not_make_opens_nothing(app, client, demo, make):
    expired_page(client.get(f"/tra-cuu/{make(app)}"))


def test_a_reissued_receipt_voids_the_full_view_a_pin_opened(client, demo, service):
    where = post(client, READY, PIN).headers["Location"]
    service.reissue(READY, "000.00.04.H40")
    expired_page(client.get(where))


def test_a_pin_locked_result_keeps_its_notice(client, demo, service):
    for n in range(service.pins.limit):
        post(client, READY, f"{n:06d}")
    locked = post(client, READY, PIN)
    assert locked.status_code == 303
    tree = parse_page(client.get(locked.headers["Location"] + "?lang=en").data, "en")
    words = text_of(tree)
    assert "The PIN cannot be used for this dossier for now." in words
    assert "Nguyễn" not in words
    # No PIN form while PINs cannot be used.
    assert not [i for i in find_all(tree, "input") if i.get("name") == "pin"]
    # An hour later the lock is over, and so is the notice (if the page were still open).
    tickets = Tickets(client.application.config["SECRET_KEY"])
    ticket = tickets.read(locked.headers["Location"].rsplit("/", 1)[1], NOW)
    assert ticket.pin_locked_until is not None and ticket.pin_locked_until > NOW


def test_not_found_and_bad_codes_stay_on_the_form(client, demo):
    assert post(client, "000.00.04.H40-261102-0999").status_code == 404
    assert post(client, READY, "999999").status_code == 404
    assert post(client, "1.000948.H38").status_code == 400


def test_a_get_of_the_form_target_still_goes_to_the_form(client):
    assert client.get("/tra-cuu").status_code == 303


def test_a_ticket_from_a_clock_a_little_ahead_opens_one_from_far_ahead_does_not(app):
    tickets = Tickets(app.config["SECRET_KEY"])
    ahead = tickets.make(Ticket(READY), NOW + timedelta(seconds=30))
    assert tickets.read(ahead, NOW) == Ticket(READY)
    assert tickets.read(tickets.make(Ticket(READY), NOW + timedelta(minutes=5)), NOW) is None
    edited = ahead[:-2] + ("A" if ahead[-2] != "A" else "B") + ahead[-1]
    assert tickets.read(edited, NOW) is None
