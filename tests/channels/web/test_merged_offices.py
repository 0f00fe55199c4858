"""A receipt from an office merged into another: the page names both, in either language, and
the operator records the merger with one command."""

from __future__ import annotations

from tests.channels.web.htmlcheck import parse_page, text_of

READY = "000.00.04.H40-261102-0001"  # Thanh Xuân, PIN 204851
PROVINCE = "000.00.00.H01"


def merge(runner, service):
    service.put_agency(PROVINCE, {"name_vi": "Trung tâm hành chính công Hà Nội", "name_en": "",
                                  "address": "1 Tràng Tiền", "pickup_hours": "8:00–17:00",
                                  "hotline": "024 1022"}, PROVINCE)
    return runner.invoke(args=["merge-agency", "000.00.04.H40", PROVINCE])


def test_the_page_names_the_office_now_and_the_one_on_the_receipt(client, runner, service, demo):
    result = merge(runner, service)
    assert result.exit_code == 0, result.output
    assert "000.00.04.H40 (UBND phường Thanh Xuân) is now part of 000.00.00.H01" in result.output
    assert "4 dossiers are now shown with 000.00.00.H01" in result.output

    vi = text_of(parse_page(looked_up(client, "/tra-cuu", {"code": READY, "pin": "204851"}), "vi"))
    assert "Trung tâm hành chính công Hà Nội" in vi and "1 Tràng Tiền" in vi
    assert "Giấy hẹn của bạn ghi UBND phường Thanh Xuân, nay đã hợp nhất vào cơ quan này." in vi
    en = text_of(parse_page(looked_up(client, "/tra-cuu?lang=en", {"code": READY}), "en"))
    assert "Your receipt names Thanh Xuan Ward People's Committee, which is now part of this office." in en
    answer = client.get("/api/v1/lookup", query_string={"code": READY, "lang": "vi"}).get_json()
    assert answer["filed_with"] == "UBND phường Thanh Xuân"

    assert runner.invoke(args=["unmerge-agency", "000.00.04.H40"]).exit_code == 0
    vi = text_of(parse_page(looked_up(client, "/tra-cuu?lang=vi", {"code": READY}), "vi"))
    assert "hợp nhất" not in vi and "9 Khuất Duy Tiến" in vi


def test_operators_get_a_clear_refusal(runner, service, demo):
    assert "no agency 000.99.99.H00" in runner.invoke(args=["merge-agency", "000.99.99.H00",
                                                             "000.00.04.H40"]).output
    assert merge(runner, service).exit_code == 0
    refused = runner.invoke(args=["alerts", "off", "000.00.04.H40", "pickup"])
    assert refused.exit_code != 0
    assert "merged into 000.00.00.H01" in refused.output
    assert "not merged" in runner.invoke(args=["unmerge-agency", "000.00.12.H05"]).output
    made = runner.invoke(args=["create-api-key", "000.00.04.H40"])
    assert made.exit_code == 0
    assert "000.00.04.H40 was merged into 000.00.00.H01: this key acts for 000.00.00.H01" in made.output
    assert service.agency_for_key(made.output.strip().splitlines()[-1]) == PROVINCE


def looked_up(client, path, form):
    """The result page the form leads to."""
    return client.post(path, data=form, follow_redirects=True).data
