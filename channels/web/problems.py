"""What to tell someone whose typed code cannot be looked up: one wording per reason
(lookup.codes), shared by the pages and the JSON API."""

from __future__ import annotations

from lookup import codes, messages
from lookup.messages import N_

EXAMPLE = "000.00.04.H40-261102-0001"

CODE_PROBLEMS = {
    codes.EMPTY: N_("Please enter the dossier code printed on your receipt."),
    codes.TOO_LONG: N_("This is too long to be a dossier code."),
    codes.TOO_SHORT: N_("This is too short to be a dossier code."),
    codes.BAD_CHARACTERS: N_("A dossier code has only letters, digits, dots and dashes."),
    codes.NO_DIGITS: N_("A dossier code contains digits."),
    codes.PROCEDURE_CODE: N_(
        "This is a procedure code, not a dossier code. The dossier code is on your receipt."),
    codes.PHONE_NUMBER: N_(
        "This looks like a phone number. Please enter the dossier code from your receipt."),
    codes.SEVERAL_CODES: N_("These are several dossier codes. Please look them up one at a time."),
    codes.AGENCY_CUT: N_("This looks like the end of a dossier code. The whole code starts with "
                         "the office's ID, as printed on your receipt."),
    codes.NO_AGENCY: N_("The office's ID is missing from the start of this code. Type the whole "
                        "code as printed on your receipt, for example %(example)s."),
}
AGENCY_CUT_EXAMPLE = N_("This looks like the end of a dossier code. The whole code starts with "
                        "the office's ID, for example %(example)s.")


def code_problem(lang: str, reason: str, example: str = "") -> str:
    """The words for a reason, in `lang`; `example` is the whole code an office would give."""
    if reason == codes.AGENCY_CUT and example:
        return messages.gettext(lang, AGENCY_CUT_EXAMPLE, example=example)
    message = CODE_PROBLEMS.get(reason, CODE_PROBLEMS[codes.BAD_CHARACTERS])
    if "%(" in message:
        return messages.gettext(lang, message, example=EXAMPLE)
    return messages.gettext(lang, message)
