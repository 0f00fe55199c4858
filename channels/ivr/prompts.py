"""What the caller hears: prompt texts from the `ivr` catalogue domain, and their audio files.

Every prompt is one audio file, because Asterisk looks at an AsyncAGI queue only about ten
times a second: a string of short files would leave gaps. A file is named by a hash of its
written text, so the cache is keyed by what is said; a studio recording dropped in under the
same name is used as it is and never rendered over. Each `.wav` has a `.txt` beside it saying
what it says, for whoever records it.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from channels.ivr import hours as office_hours
from channels.ivr import speech
from channels.ivr.flow import Ask, Line, Match, Say
from lookup import messages
from lookup.messages import N_

MESSAGES = {
    "welcome": N_("Welcome to the dossier status hotline."),
    "choose_vi": N_("For Vietnamese, press 1."),
    "choose_en": N_("For English, press 2."),
    "enter_code": N_("Please key the dossier code on your receipt, then press the hash key. "
                     "Key letters as on a phone: A, B and C are on key 2. Press star to start again."),
    "no_input": N_("We did not hear any key."),
    "invalid_key": N_("That key is not one of the choices."),
    "too_short": N_("That code is too short."),
    "too_long": N_("That code is too long."),
    "read_back": N_("You keyed: %(digits)s."),
    "confirm_menu": N_("If this is right, press 1. To key it again, press 2."),
    "not_found": N_("No dossier matches the code you keyed."),
    "several": N_("%(count)s dossiers match this code."),
    "menu_details": N_("To hear the office, its opening hours and what to bring or do, press 1."),
    "menu_again": N_("To hear this again, press 1."),
    "menu_another": N_("For another dossier, press 2."),
    "menu_operator": N_("To talk to an operator, press 0."),
    "connecting": N_("Please hold, we are connecting you to an operator."),
    "operator_closed": N_("Operators answer %(hours)s. Please call again then."),
    "no_operator": N_("This hotline has no operator service."),
    "goodbye_misses": N_("We could not get your answer. Please call again later. Goodbye."),
    "goodbye_thanks": N_("Thank you for calling. Goodbye."),
    "time_limit": N_("This call has reached its time limit. Please call again if you need more. Goodbye."),
    "try_later": N_("Sorry, the hotline has a technical problem. Please try again later. Goodbye."),
}
DOSSIER = {
    "number": N_("Dossier %(n)s, at %(office)s."),
    "procedure": N_("Your dossier:"),
    "status": N_("Status: %(status)s."),
    "due": N_("Due date: %(date)s."),
    "on_time": N_("It is not overdue."),
    "overdue": N_("It is overdue."),
    "expected": N_("Dossiers like this usually take %(low)s to %(high)s working days here; "
                   "%(share)s percent are ready on time."),
    "expected_same": N_("Dossiers like this usually take %(days)s working days here; "
                        "%(share)s percent are ready on time."),
    "note": N_("Note from the office:"),
    "pickup": N_("Pickup place: %(office)s."),
    "address": N_("Address:"),
    "hours": N_("Opening hours:"),
}
DAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
        N_("Sunday"))
HOURS = {
    "days": N_("%(first)s to %(last)s"),
    "span": N_("%(days)s, %(opens)s to %(closes)s"),
}
# Keeps a long office note from turning the prompt into a lecture.
MAX_NOTE_CHARS = 300

Segments = tuple[tuple[str, str], ...]


class RenderError(RuntimeError):
    """espeak-ng or sox is missing or failed: the prompt has no audio."""


def _(lang: str, msgid: str, **values: Any) -> str:
    return messages.gettext(lang, msgid, **values)


def line_parts(line: Line, lang: str) -> list[tuple[str, str]]:
    """The line's words as (language, text) parts: office data stays in the Vietnamese voice."""
    values = dict(line.values)
    if line.key == "answer":
        return answer_parts(values["match"], values.get("n", 0), lang, values.get("year", 0))
    if line.key == "details":
        return detail_parts(values["match"], values.get("n", 0), lang)
    if line.key == "read_back":
        values["digits"] = speech.digits_aloud(values["digits"])
    if line.key == "operator_closed":
        values["hours"] = hours_text(values["hours"], lang)
    return [(lang, _(lang, MESSAGES[line.key], **values))]


def answer_parts(match: Match, n: int, lang: str, year: int = 0) -> list[tuple[str, str]]:
    """What the caller called for, first and short: the status, the due date (without its year
    when it is `year`) and how it stands (working days left or late, overdue or not). With
    several matches, which office each is at."""
    parts: list[tuple[str, str]] = []

    def say(msgid: str, **values: Any) -> None:
        parts.append((lang, _(lang, msgid, **values)))

    if n:
        say(DOSSIER["number"], n=n, office=_office(match, lang))
    say(DOSSIER["status"], status=messages.status_label(match.status, lang))
    if match.due and not match.final:
        due = date.fromisoformat(match.due)
        say(DOSSIER["due"], date=speech.date_words(due, lang, with_year=due.year != year))
        count = messages.working_days(lang, match.days_left, match.days_late, match.due_today)
        if count:
            parts.append((lang, count[:1].upper() + count[1:] + "."))
        elif match.overdue:
            say(DOSSIER["overdue"])
        else:
            say(DOSSIER["on_time"])
    return parts


def detail_parts(match: Match, n: int, lang: str) -> list[tuple[str, str]]:
    """On request, after the answer: the procedure (to its owner), what to do, the office's note,
    where and when.

    The office's own words (address, hours, note, a procedure with no English name) are
    Vietnamese whatever the caller chose, so they are said in the Vietnamese voice.
    """
    office = _office(match, lang)
    parts: list[tuple[str, str]] = []

    def say(msgid: str, **values: Any) -> None:
        parts.append((lang, _(lang, msgid, **values)))

    if n:
        say(DOSSIER["number"], n=n, office=office)
    procedure = (match.procedure_en if lang == "en" else "") or match.procedure_vi
    if match.proven and procedure:
        say(DOSSIER["procedure"])
        parts.append((lang if procedure != match.procedure_vi else "vi", procedure + "."))
    if match.expected_low is not None and not match.final:
        if match.expected_low == match.expected_high:
            say(DOSSIER["expected_same"], days=match.expected_low, share=match.expected_share)
        else:
            say(DOSSIER["expected"], low=match.expected_low, high=match.expected_high,
                share=match.expected_share)
    parts.append((lang, messages.next_step(match.status, lang, overdue=match.overdue,
                                           note=bool(match.note))))
    if match.note:
        say(DOSSIER["note"])
        parts.append(("vi", match.note.strip()[:MAX_NOTE_CHARS]))
    say(DOSSIER["pickup"], office=office)
    if match.address:
        say(DOSSIER["address"])
        parts.append(("vi", match.address.rstrip(".") + "."))
    if match.hours:
        say(DOSSIER["hours"])
        parts.append(("vi", match.hours.rstrip(".") + "."))
    return parts


def _office(match: Match, lang: str) -> str:
    return (match.office_en if lang == "en" else "") or match.office_vi


def hours_text(setting: str, lang: str) -> str:
    """`Mon-Fri 07:30-17:00` as words: "Monday to Friday, 07:30 to 17:00"."""
    try:
        parsed = office_hours.parse(setting)
    except ValueError:
        return setting
    parts = []
    for span in parsed.spans:
        first, last = _(lang, DAYS[span.days[0]]), _(lang, DAYS[span.days[-1]])
        days = first if first == last else _(lang, HOURS["days"], first=first, last=last)
        parts.append(_(lang, HOURS["span"], days=days, opens=span.opens.strftime("%H:%M"),
                       closes=span.closes.strftime("%H:%M")))
    return "; ".join(parts)


@lru_cache(maxsize=4096)
def segments(prompt: Ask | Say) -> Segments:
    """The prompt's written text, split where the language changes (the greeting is bilingual)."""
    result: list[tuple[str, str]] = []
    for line in prompt.lines:
        for lang, text in line_parts(line, line.lang or prompt.lang):
            if result and result[-1][0] == lang:
                result[-1] = (lang, result[-1][1] + " " + text)
            else:
                result.append((lang, text))
    return tuple(result)


def written(parts: Segments) -> str:
    return " ".join(text for _lang, text in parts)


class PromptStore:
    """Audio files for prompts under one directory (IVR_AUDIO_DIR), 8 kHz mono 16-bit WAV,
    which both Asterisk (`.wav`) and Twilio `<Play>` take."""

    VOICES = {"vi": "vi", "en": "en"}
    SPEED = {"vi": "140", "en": "150"}

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        # Files known to be there: a file once there stays (a studio recording replaces it in place).
        self._known: dict[Segments, Path] = {}

    @staticmethod
    def name(parts: Segments) -> str:
        digest = hashlib.sha256("\n".join(f"{lang}:{text}" for lang, text in parts).encode()).hexdigest()
        return f"{parts[0][0]}-{digest[:24]}"

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.wav"

    def ready(self, parts: Segments) -> Path | None:
        known = self._known.get(parts)
        if known is not None:
            return known
        path = self.path(self.name(parts))
        if not os.path.exists(path):
            return None
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[parts] = path
        return path

    def ensure(self, parts: Segments) -> Path:
        """The file for these words, rendered now if it is not there yet."""
        return self.ready(parts) or self.render(parts)

    def render(self, parts: Segments) -> Path:
        name = self.name(parts)
        final = self.path(name)
        espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
        if not espeak or not sox:
            raise RenderError("espeak-ng and sox are needed to render prompts (deploy/apt-run.txt)")
        if not self.directory.is_dir():
            # Prompts are public words; the switch, running as its own user, must read them.
            self.directory.mkdir(parents=True, exist_ok=True)
            self.directory.chmod(0o755)
        with tempfile.TemporaryDirectory(dir=self.directory, prefix=".render-") as tmp:
            pieces = []
            for index, (lang, text) in enumerate(parts):
                piece = Path(tmp) / f"{index}.wav"
                _run([espeak, "-v", self.VOICES.get(lang, lang), "-s", self.SPEED.get(lang, "150"),
                      "-w", str(piece), speech.spoken(text, lang)])
                pieces.append(str(piece))
            out = Path(tmp) / "out.wav"
            _run([sox, *pieces, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", str(out)])
            out.chmod(0o644)
            try:
                # link() never replaces: a studio recording (or a twin render) already there wins.
                os.link(out, final)
            except FileExistsError:
                pass
        script = final.with_suffix(".txt")
        if not script.exists():
            script.write_text(written(parts) + "\n", encoding="utf-8")
        return final

    def unreadable(self, switch_user: str = "asterisk", limit: int = 200) -> list[str]:
        """Why the switch, running as its own user, could not play our files; [] if nothing is
        in the way. With `switch_user` on this machine its own rights are checked; otherwise
        those of users outside the files' owner and group (a switch elsewhere mounts the
        directory: its user is none of ours)."""
        try:
            account = pwd.getpwnam(switch_user)
            who = f"the {switch_user!r} user"
            uid = account.pw_uid
            gids = {account.pw_gid} | {g.gr_gid for g in grp.getgrall() if switch_user in g.gr_mem}
        except KeyError:
            who, uid, gids = "other users (Asterisk runs as its own user)", None, set()
        directory = self.directory.absolute()
        if not directory.is_dir():
            return [f"IVR_AUDIO_DIR {directory} does not exist: no prompt can be played"]
        for folder in (*reversed(directory.parents), directory):
            if not _allowed(folder.stat(), uid, gids, execute=True):
                return [f"{folder} cannot be entered by {who} (mode {stat.filemode(folder.stat().st_mode)}): "
                        f"the switch cannot play any prompt in IVR_AUDIO_DIR {directory}; make it and "
                        f"its parents searchable (chmod o+x), or set IVR_AUDIO_DIR to a directory that is"]
        sounds = sorted(directory.glob("*.wav"))[:limit]
        locked = [p for p in sounds if not _allowed(p.stat(), uid, gids, execute=False)]
        if locked:
            return [f"{len(locked)} of {len(sounds)} prompt files in {directory} cannot be read by {who} "
                    f"(e.g. {locked[0].name}, mode {stat.filemode(locked[0].stat().st_mode)}): the "
                    f"switch cannot play them; chmod o+r, or render them again with a umask that allows it"]
        return []

    def render_missing(self, prompts: Iterable[Ask | Say]) -> tuple[int, int]:
        """(rendered, already there) for these prompts."""
        made = kept = 0
        for prompt in prompts:
            parts = segments(prompt)
            if self.ready(parts):
                kept += 1
            else:
                self.render(parts)
                made += 1
        return made, kept


def _allowed(status: os.stat_result, uid: int | None, gids: set[int], execute: bool) -> bool:
    """Whether this user (None: someone outside owner and group) may read the file or enter
    the directory, by its mode bits."""
    if uid == 0:
        return True
    if uid is not None and uid == status.st_uid:
        bit = stat.S_IXUSR if execute else stat.S_IRUSR
    elif uid is not None and status.st_gid in gids:
        bit = stat.S_IXGRP if execute else stat.S_IRGRP
    else:
        bit = stat.S_IXOTH if execute else stat.S_IROTH
    return bool(status.st_mode & bit)


def _run(argv: list[str]) -> None:
    try:
        subprocess.run(argv, check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        raise RenderError(f"{Path(argv[0]).name} failed: {error}") from error
