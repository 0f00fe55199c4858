"""No log line holds a full phone number or dossier code: the masks, and the scrubber that
catches them inside free text (a provider's error, a text's body)."""

import logging

import pytest

from lookup.privacy import ScrubbingFilter, mask_code, mask_phone, scrub


def test_masks():
    assert mask_phone("+84912345678") == "+8491234****"
    assert mask_code("000.00.04.H40-261102-0001") == "000.00.04.H40-26110******"


@pytest.mark.parametrize("text, logged", [
    ("SMS to +84912345678: Ho so 000.00.04.H40-261102-0001 da co ket qua.",
     "SMS to +8491234****: Ho so 000.00.04.H40-26110****** da co ket qua."),
    ("The 'To' number 0912 345 678 is not valid", "The 'To' number 0912 345**** is not valid"),
    ("(000.00.12.H05-261201-0001)", "(000.00.12.H05-26120******)"),
    ("code H40.22-230414-0002.", "code H40.22-23041******."),
    # Masked once only, and what is not personal stays as it is.
    ("dossier 000.00.04.H40-26113****** created", "dossier 000.00.04.H40-26113****** created"),
    ("at 2026-11-20T03:00:00Z, due 20/11/2026", "at 2026-11-20T03:00:00Z, due 20/11/2026"),
    ("fee 1.250.000 dong", "fee 1.250.000 dong"),
    ("updated by 000.00.04.H40", "updated by 000.00.04.H40"),
    ("AMI: PJSIP/office-trunk-00000012 hung up", "AMI: PJSIP/office-trunk-00000012 hung up"),
    ("alert 12 sent as SM0123456789abcdef0123", "alert 12 sent as SM0123456789abcdef0123"),
])
def test_scrub(text, logged):
    assert scrub(text) == logged


def test_the_filter_masks_the_final_message():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "SMS from %s about %s", ("+84912345678",
                               "000.00.04.H40-261102-0001"), None)
    assert ScrubbingFilter().filter(record)
    assert record.getMessage() == "SMS from +8491234**** about 000.00.04.H40-26110******"
