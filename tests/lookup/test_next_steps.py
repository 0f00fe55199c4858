"""What to do next, for every status, with and without the office's note, on time and late:
one sentence that adds to what is shown beside it (the status, the office's note) and never
repeats or contradicts it (issue 12, item 2)."""

from __future__ import annotations

import re

import pytest

from lookup import messages, statuses

# status, the office's note shown, overdue -> the sentence (English).
TABLE = [
    ("registered", False, False,
     "Nothing to do yet: the office will check your dossier and accept it, or tell you what is missing."),
    ("registered", False, True, "The office is late and must give you a new date in a letter of "
                                "apology; if none has reached you, ask the one-stop desk."),
    ("received", False, False, "Nothing to do until the due date."),
    ("received", False, True, "The office is late and must give you a new date in a letter of apology; "
                              "if none has reached you, ask the one-stop desk."),
    ("processing", False, False, "Nothing to do until the due date."),
    ("processing", False, True, "The office is late and must give you a new date in a letter of apology; "
                                "if none has reached you, ask the one-stop desk."),
    ("not_accepted", False, False, "Ask the one-stop desk why, and what to change to file it again."),
    ("not_accepted", True, False,
     "To file again, bring a dossier that answers the office's reason to the one-stop desk."),
    ("supplement_requested", False, False,
     "Ask the one-stop desk which documents are missing, then bring them there."),
    ("supplement_requested", True, False,
     "Bring the documents the office asks for to the one-stop desk, with your receipt."),
    # Late, but the office waits on the citizen: what they must do comes first.
    ("supplement_requested", False, True,
     "Ask the one-stop desk which documents are missing, then bring them there."),
    ("supplement_requested", True, True,
     "Bring the documents the office asks for to the one-stop desk, with your receipt."),
    ("fee_due", False, False,
     "Ask the one-stop desk how much to pay and where, and keep the payment receipt."),
    ("fee_due", True, False, "Pay as the office says and keep the payment receipt."),
    ("fee_due", False, True,
     "Ask the one-stop desk how much to pay and where, and keep the payment receipt."),
    ("fee_due", True, True, "Pay as the office says and keep the payment receipt."),
    ("withdrawn", False, False, "Nothing more to do; to apply again, file a new dossier."),
    ("stopped", False, False, "Ask the one-stop desk why, and what you can do next."),
    ("stopped", True, False, "Ask the one-stop desk what you can do next."),
    ("ready", False, False, "Collect it at the one-stop desk; bring your receipt and ID card."),
    ("ready", True, False, "Collect it at the one-stop desk during its opening hours."),
    ("returned", False, False, "Nothing more to do for this dossier."),
]

# With the office's note beside it, the sentence must not ask for what the note already says.
NOTE_ANSWERS = {
    "not_accepted": ("why", "lý do và"),
    "stopped": ("why", "lý do dừng", "lý do và"),
    "supplement_requested": ("which documents", "thiếu giấy tờ gì"),
    "fee_due": ("how much", "số tiền"),
    "ready": ("ID card", "CCCD"),  # the note says what to bring
}


def cases():
    """Every status × note shown or not × on time or late (late only where it can be)."""
    for status, state in statuses.STATUSES.items():
        for note in (False, True):
            if note and not state.note_is_public:
                continue  # never shown with one: lookup.service blanks the note
            for overdue in (False, True):
                if overdue and state.final:
                    continue  # a finished dossier is never late
                yield status, note, overdue


def test_the_table_covers_every_case():
    assert sorted((s, n, o) for s, n, o, _ in TABLE) == sorted(cases())


@pytest.mark.parametrize("status, note, overdue, sentence", TABLE)
def test_next_step_in_english(status, note, overdue, sentence):
    assert messages.next_step(status, "en", overdue=overdue, note=note) == sentence


@pytest.mark.parametrize("status, note, overdue", list(cases()))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_one_sentence_that_adds_to_the_page(status, note, overdue, lang):
    said = messages.next_step(status, lang, overdue=overdue, note=note)
    # One sentence: one full stop, at its end.
    assert said.endswith(".") and not re.search(r"[.!?]\s", said), said
    # It does not repeat the status named just above it.
    assert messages.status_label(status, lang).lower() not in said.lower()
    # No number to call when the page shows two (the office's and the hotline): say who.
    assert "hotline" not in said.lower() and "tổng đài" not in said.lower()
    # Spoken by the hotline and texted by SMS too: nothing points at a place on a page.
    assert not re.search(r"\b(below|above)\b|bên dưới|ở trên", said)
    if note:
        assert not any(asked in said for asked in NOTE_ANSWERS.get(status, ())), said
    if lang == "vi":
        assert messages.next_step(status, "en", overdue=overdue, note=note) != said


@pytest.mark.parametrize("status", [s for s, state in statuses.STATUSES.items() if state.note_is_public])
def test_a_note_changes_the_sentence(status):
    for lang in ("vi", "en"):
        assert messages.next_step(status, lang, note=True) != messages.next_step(status, lang)


def test_a_status_without_a_public_note_says_the_same_either_way():
    for status, state in statuses.STATUSES.items():
        if not state.note_is_public:
            assert messages.next_step(status, "vi", note=True) == messages.next_step(status, "vi")
