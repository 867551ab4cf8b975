"""Learners' identities: the name as the person writes it, and the id the course files it under.

- The display name is any Unicode text (李明, José Pérez, Jo Ann), NFC-normalised so that the
  same name typed on two keyboards is one name, and otherwise kept exactly as written.
- The id is the learner's folder in the course (submitted/<id>/) and nbgrader's student id.
  A name that is already a safe folder name (ada, ada@lab.example, 李明, Jo-Ann) is its own id.
  Any other name keeps its letters and digits and gets a short hash of the whole name after a
  "+", which a plain id never contains: "Jo Ann" becomes Jo-Ann+87eb04ae, never Jo-Ann. Two
  different names therefore never share an id, and no id holds a path separator, "..", a
  leading dot or dash, or a leading = + - @ (which a spreadsheet would read as a formula).

The learner's side of choosing an identity lives here too: --learner, KIT_LEARNER, or git's
user.email, which is only used once the learner has confirmed it (a shared account's git
identity would otherwise merge every member into one learner).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader import PROJECT_ROOT
from grader.i18n import _

MAX_ID = 64
SLUG_LENGTH = 40
HASH_LENGTH = 8
# A derived id: a slug, "+", and the start of the name's sha256.
DERIVED = re.compile(rf"^(?P<slug>.+)\+(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})$")
PUNCTUATION = "._@-"  # allowed inside an id, never first
# Where a clone remembers the git identity its learner confirmed (git ignores it).
CONFIRMED_FILE = ".kit-learner.json"


class NoIdentity(ValueError):
    """No usable learner name; the message says how to give one."""


@dataclass(frozen=True)
class Learner:
    id: str  # the folder-safe id
    name: str  # the display name
    email: str | None = None
    account: str | None = None  # the Unix account that submits, where the course uses them


@dataclass(frozen=True)
class Chosen:
    learner: Learner
    source: str  # "--learner", "KIT_LEARNER", "git's user.email", ...


def display(name: str) -> str:
    """The name as shown: NFC-normalised, outer whitespace removed; refused when empty or when
    it holds control characters (a newline in a name would break every listing)."""
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        raise NoIdentity(_("learner name {name} is empty; give a name").format(name=repr(name)))
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Zl", "Zp")]
    if bad:
        raise NoIdentity(
            _(
                "learner name {name} holds a control character ({char}); give the name as "
                "plain text"
            ).format(name=repr(name), char=repr(bad[0]))
        )
    return text


def _allowed(char: str, first: bool) -> bool:
    kind = unicodedata.category(char)[0]
    if first:
        return kind in "LN"
    return kind in "LNM" or char in PUNCTUATION or char == "_"


def _plain(text: str) -> bool:
    """Whether `text` is a safe folder name as it is."""
    return (
        0 < len(text) <= MAX_ID
        and _allowed(text[0], True)
        and all(_allowed(c, False) for c in text[1:])
        and ".." not in text
        and not text.endswith((".", "-"))
        and unicodedata.is_normalized("NFC", text)
    )


def is_id(text: str) -> bool:
    """Whether `text` is an id this module gives: a plain name, or a slug + "+" + hash."""
    match = DERIVED.match(text)
    return _plain(match["slug"]) if match else _plain(text)


def name_hash(name: str) -> str:
    return hashlib.sha256(display(name).encode()).hexdigest()[:HASH_LENGTH]


def folder_name(name: str) -> str:
    """The learner id (folder name) for a display name; see the module's docstring."""
    text = display(name)
    if _plain(text):
        return text
    slug = "".join(c if _allowed(c, False) else "-" for c in text)
    slug = re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", ".", slug))
    while slug and not _allowed(slug[0], True):
        slug = slug[1:]
    slug = slug[:SLUG_LENGTH].rstrip(".-_@") or "learner"
    return f"{slug}+{name_hash(text)}"


# --- the roster ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member(Learner):
    first_name: str | None = None
    last_name: str | None = None

    def nbgrader_names(self) -> tuple[str | None, str]:
        """(first, last) for nbgrader's student record: as the roster gives them, else the
        name split at its last space ("Ana María García" → "Ana María", "García"); a name
        without a space (李明) is kept whole as the last name, never cut into guessed parts."""
        if self.first_name or self.last_name:
            return self.first_name, self.last_name or ""
        first, space, last = self.name.rpartition(" ")
        return (first, last) if space else (None, self.name)


def find(roster: tuple[Member, ...], given: str) -> Member | None:
    """The roster member `given` names: their id, e-mail or display name (case-insensitive for
    e-mail), or None."""
    text = display(given)
    for member in roster:
        if text in (member.id, member.name):
            return member
        if member.email and text.casefold() == member.email.casefold():
            return member
    return None


def resolve(given: str, roster: tuple[Member, ...] = ()) -> Learner:
    """The learner a name gives: the roster's member where it names one; refused when a roster
    exists and names nobody; otherwise the name itself."""
    member = find(roster, given) if roster else None
    if member is not None:
        return member
    text = display(given)
    if roster:
        ids = ", ".join(m.id for m in roster[:12]) + (", …" if len(roster) > 12 else "")
        raise NoIdentity(
            _(
                "{name} is not on the course's roster (ids: {ids}); pass --learner with your id, "
                "e-mail or name as the roster has it, or ask your supervisor to add you"
            ).format(name=repr(text), ids=ids)
        )
    return Learner(folder_name(text), text, text if "@" in text else None)


def named(given: str, roster: tuple[Member, ...], known: set[str]) -> str:
    """The id a supervisor's --learner NAME names: the roster member's (by id, e-mail or name);
    an id the course already files a learner under, as it is (the kit prints derived ids such
    as Jo-Ann+87eb04ae, which must not be derived again); else the id the name is filed under."""
    member = find(roster, given)
    if member is not None:
        return member.id
    text = display(given)
    return text if text in known else folder_name(text)


# --- the learner's side: who is submitting ----------------------------------------------------


def git_identity() -> tuple[str, str] | None:
    """(value, where from) of git's user.email, else user.name; None when neither is set."""
    for key in ("user.email", "user.name"):
        value = _git_config(key)
        if value and value.strip():
            return value.strip(), _("git's {key}").format(key=key)
    return None


def _git_config(key: str) -> str | None:
    try:
        run = subprocess.run(
            ["git", "config", "--get", key],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout.strip() or None


def confirmed_file() -> Path:
    return PROJECT_ROOT / CONFIRMED_FILE


def confirmed(git_value: str) -> str | None:
    """The learner id this clone's learner confirmed for this git identity, if they did."""
    try:
        saved = json.loads(confirmed_file().read_text())
    except (OSError, ValueError):
        return None
    if isinstance(saved, dict) and saved.get("git") == git_value:
        return saved.get("learner")
    return None


def remember(git_value: str, learner_id: str) -> None:
    record = {
        "git": git_value,
        "learner": learner_id,
        "confirmed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        confirmed_file().write_text(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError:
        pass  # the learner is asked again next time


def choose(
    given: str | None,
    roster: tuple[Member, ...] = (),
    ask: Callable[[str], bool] | None = None,
    flag: str = "--learner",
) -> Chosen:
    """Who is acting: `given`, else KIT_LEARNER, else git's identity once confirmed.

    ask(question) -> bool asks the learner; None where nobody can answer (no terminal): then a
    git identity not confirmed before is refused, naming `flag`.
    """
    if given is not None:
        if not given.strip():
            raise NoIdentity(
                _("{flag} is empty; give your name, e.g. {example}").format(
                    flag=flag, example=f"{flag} ana@lab.example"
                )
            )
        return Chosen(resolve(given, roster), flag)
    env = os.environ.get("KIT_LEARNER", "")
    if env.strip():
        return Chosen(resolve(env, roster), "KIT_LEARNER")
    found = git_identity()
    if found is None:
        raise NoIdentity(no_name(flag))
    value, where = found
    learner = resolve(value, roster)
    earlier = confirmed(value)
    if earlier == learner.id:
        return Chosen(learner, _("{where}, confirmed earlier").format(where=where))
    if ask is None:
        raise NoIdentity(
            _(
                "your name would come from {where} ({value}), and there is no terminal to "
                "confirm it; pass {option} (or set KIT_LEARNER)"
            ).format(where=where, value=value, option=f"{flag} NAME")
        )
    shown = learner.id if learner.name == learner.id else f"{learner.id} ({learner.name})"
    question = _("No {flag} given: submit as {who}, from {where} {value}? [y/N] ")
    if not ask(question.format(flag=flag, who=shown, where=where, value=value)):
        raise NoIdentity(
            _("not confirmed; pass {option} with the name you want to use").format(
                option=f"{flag} NAME"
            )
        )
    remember(value, learner.id)
    return Chosen(learner, _("{where}, confirmed now").format(where=where))


def no_name(flag: str = "--learner") -> str:
    """The error when no name is given anywhere, and where to give one."""
    return _(
        "no learner name: pass {option}, or set KIT_LEARNER, or set git's user.email ({command})"
    ).format(option=f"{flag} NAME", command="git config --global user.email you@lab.example")


def me(roster: tuple[Member, ...] = ()) -> str | None:
    """The id `--learner me` means: KIT_LEARNER, else the git identity this clone confirmed,
    else git's identity; None when there is none. Never asks."""
    env = os.environ.get("KIT_LEARNER", "")
    if env.strip():
        return resolve(env, roster).id
    found = git_identity()
    if found is None:
        return None
    return confirmed(found[0]) or resolve(found[0], roster).id
