"""The page's part of one more phone for the alerts (issue 12, item 10): only with proof, the
proof is the page itself, refusals said in the reader's language, back to the page (303)."""

from __future__ import annotations

import pytest

from lookup import qr
from tests.channels.web.htmlcheck import by_id, find_all, parse_page, text_of

READY, PIN = "000.00.04.H40-261102-0001", "204851"


def result_path(client, pin=""):
    return client.post("/tra-cuu", data={"code": READY, "pin": pin}).headers["Location"]


def test_only_a_page_with_proof_offers_it(app, client, demo):
    assert not [e for e in parse_page(client.get(result_path(client)).data, "vi").iter()
                if e.get("id") == "alerts"]
    for path in (result_path(client, PIN), f"/d/{qr.make_token(READY, app.config['SECRET_KEY'])}"):
        tree = parse_page(client.get(path + "?lang=en").data, "en")
        section = by_id(tree, "alerts")
        assert "Alerts on one more phone" in text_of(section)
        [form] = [f for f in find_all(section, "form")]
        assert form.get("action") == "/so-nhan-tin"
        hidden = {i.get("name"): i.get("value") for i in find_all(form, "input") if i.get("type") == "hidden"}
        assert hidden == {"page": path}
        assert by_id(tree, "phone").get("type") == "tel"


def test_added_from_a_pin_result_the_page_shows_the_code_waiting(client, demo):
    path = result_path(client, PIN)
    added = client.post("/so-nhan-tin", data={"page": path, "phone": "0987654321"})
    assert added.status_code == 303 and added.headers["Location"] == path + "#alerts"
    words = text_of(by_id(parse_page(client.get(path).data, "vi"), "alerts"))
    assert "Chúng tôi đã nhắn một mã xác nhận đến 0987***321" in words and "gửi 8077" in words
    # Another number now: refused until the code expires, said with the time.
    again = client.post("/so-nhan-tin?lang=en", data={"page": path, "phone": "0901234567"})
    assert again.status_code == 429
    said = text_of(by_id(parse_page(again.data, "en"), "phone-error"))
    assert said == ("A code sent for this dossier still waits for its answer, until Friday, 20/11/2026, "
                    "10:15. Try again after that.")
    # Cancelled from the page, the form is back.
    cancelled = client.post("/so-nhan-tin/bo", data={"page": path})
    assert cancelled.status_code == 303
    assert by_id(parse_page(client.get(path + "?lang=vi").data, "vi"), "phone").get("value") == ""


@pytest.mark.parametrize("page", [
    "",
    "https://example.com/d/x",
    "/tra-cuu/forged",
    "/d/not-a-token",
    "/tra-cuu/../d/x",
])
def test_without_a_page_that_proves_the_dossier_nothing_is_sent(client, demo, page):
    refused = client.post("/so-nhan-tin", data={"page": page, "phone": "0987654321"})
    assert refused.status_code == 410
    assert "Location" not in refused.headers


def test_a_code_only_result_cannot_be_used_as_proof(client, demo):
    refused = client.post("/so-nhan-tin", data={"page": result_path(client), "phone": "0987654321"})
    assert refused.status_code == 410


def test_the_registered_phone_is_told_it_has_them_already(client, demo):
    path = result_path(client, PIN)
    refused = client.post("/so-nhan-tin?lang=en", data={"page": path, "phone": "0912 000 001"})
    assert refused.status_code == 400
    tree = parse_page(refused.data, "en")
    assert "it gets the alerts already" in text_of(by_id(tree, "phone-error"))
    assert by_id(tree, "phone").get("aria-invalid") == "true"
    assert by_id(tree, "phone").get("value") == "0912 000 001"
