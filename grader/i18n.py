"""The kit's messages in the reader's language: gettext catalogs managed with Babel.

Every module that shows text imports `_` (and `ngettext`, `N_`) from here. Values go in by
name, never by position, so that a translation may put them in any order:

    _("{done}/{total} exercises done").format(done=3, total=40)

The catalogs are grader/locale/<lang>/LC_MESSAGES/kit.po (committed; glossary.ja.md beside them
fixes the manual's terms). The compiled .mo is built on first use with Babel's own API into the
kit's cache folder, keyed by the .po's hash, so an edited catalog is recompiled by itself and no
compiled file is ever committed. Where the cache is read-only (an autograde job), it is compiled
in memory.

Which language: see `choose`. English, the language the kit is written in, is the default.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from grader import PROJECT_ROOT

DOMAIN = "kit"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("en", "ja")
# The saved choice (`kit config lang ja`), beside the learner's progress and, like it,
# git-ignored: it belongs to this copy of the kit, not to the lab's fork.
SETTINGS_FILE = PROJECT_ROOT / ".kit-settings.json"
# The POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


@dataclass(frozen=True)
class Choice:
    lang: str
    source: str  # where it came from, as shown by `kit config`: "--lang", "KIT_LANG", ...


_translation: gettext.NullTranslations | None = None
_choice: Choice | None = None


def _(message: str) -> str:
    """`message` in the chosen language (itself when no translation is known)."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of the message for the number n, in the chosen language."""
    return _current().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table of labels, a constant);
    it is translated with _() where it is shown, once the language is known."""
    return message


def language() -> str:
    return choice().lang


def choice() -> Choice:
    global _choice
    if _choice is None:
        _choice = choose()
    return _choice


def use(chosen: Choice) -> None:
    """Shows every later message in chosen.lang."""
    global _choice, _translation
    _choice, _translation = chosen, None


def _current() -> gettext.NullTranslations:
    global _translation
    if _translation is None:
        _translation = catalog(language())
    return _translation


# --- where the language comes from -----------------------------------------------------------


class LanguageError(ValueError):
    """A language the kit has no messages in, named by the option, variable or file given."""


def choose(argv: list[str] | None = None, settings: Path | None = None) -> Choice:
    """The language, from the first of these that names one:

    1. `--lang LANG` on the command line (any verb);
    2. the environment variable KIT_LANG;
    3. the setting saved with `kit config lang LANG` (.kit-settings.json);
    4. the locale: the first of LC_ALL, LC_MESSAGES and LANG that is set; ja_* means Japanese,
       any other value English (as for every program that follows the locale);
    5. English.
    """
    given = _lang_option(argv or [])
    if given is not None:
        return Choice(_checked(given, "--lang"), "--lang")
    env = os.environ.get("KIT_LANG", "").strip()
    if env:
        return Choice(_checked(env, "KIT_LANG"), "KIT_LANG")
    saved = saved_language(settings)
    if saved:
        return Choice(saved, "config")
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return Choice("ja" if value.lower().startswith("ja") else "en", variable)
    return Choice("en", "default")


def _lang_option(argv: list[str]) -> str | None:
    """The value of the last --lang in argv (argparse takes the last one too)."""
    found = None
    for n, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and n + 1 < len(argv):
            found = argv[n + 1]
        elif word.startswith("--lang="):
            found = word.split("=", 1)[1]
    return found


def _checked(lang: str, where: str) -> str:
    code = lang.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        # Said in English: no language is chosen yet.
        raise LanguageError(
            f"{where} {lang!r}: the kit speaks {' and '.join(LANGUAGES)}; "
            f"use one of them (ja: 日本語)"
        )
    return code


def saved_language(settings: Path | None = None) -> str | None:
    """The language saved by `kit config lang`; None if none was (or the file is damaged,
    which is no reason for any command to fail)."""
    try:
        value = json.loads((settings or SETTINGS_FILE).read_text()).get("lang")
    except (OSError, ValueError, AttributeError):
        return None
    return value if value in LANGUAGES else None


def save_language(lang: str, settings: Path | None = None) -> Path:
    path = settings or SETTINGS_FILE
    try:
        state = json.loads(path.read_text())
        if not isinstance(state, dict):
            state = {}
    except (OSError, ValueError):
        state = {}
    state["lang"] = _checked(lang, "lang")
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(state, indent=1, ensure_ascii=False) + "\n")
    os.replace(partial, path)
    return path


# --- the catalogs ---------------------------------------------------------------------------


def po_file(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang`; English (no catalog) returns every message as it is."""
    po = po_file(lang)
    if lang == "en" or not po.is_file():
        return gettext.NullTranslations()
    source = po.read_bytes()
    name = f"{DOMAIN}-{hashlib.sha256(source).hexdigest()[:16]}.mo"
    from grader import cache

    for folder in dict.fromkeys((cache.write_dir(), cache.cache_dir())):
        compiled = folder / "locale" / lang / name
        try:
            with compiled.open("rb") as f:
                return gettext.GNUTranslations(f)
        except OSError:  # missing, or not a catalog (gettext says OSError too)
            continue
    data = compile_po(source, lang)
    _store(cache.write_dir() / "locale" / lang, name, data)
    return gettext.GNUTranslations(io.BytesIO(data))


def compile_po(source: bytes, lang: str) -> bytes:
    """The .mo bytes of a .po file's bytes, with Babel (fuzzy entries left out, as msgfmt
    does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    parsed = read_po(io.BytesIO(source), locale=lang, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, parsed)
    return out.getvalue()


def _store(folder: Path, name: str, data: bytes) -> None:
    """Keeps the compiled catalog for the next run; older ones of the language are removed.
    A cache that cannot be written only costs the next run the compilation again."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{name}.{os.getpid()}.tmp"
        partial.write_bytes(data)
        os.replace(partial, folder / name)
        for old in folder.glob(f"{DOMAIN}-*.mo"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError:
        pass


# --- argparse's own messages -----------------------------------------------------------------

# argparse looks its messages up with gettext as it formats them. These are the ones a kit user
# can meet; they are listed here so that extraction keeps them in the catalog (their %s
# placeholders are argparse's, not ours).
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
)


def translate_argparse() -> None:
    """argparse's own messages (usage:, invalid choice, ...) in the chosen language.

    argparse calls the `_` and `ngettext` it imported from gettext when it formats a message;
    pointing those names at this module's catalog is the only hook it has."""
    import argparse

    argparse._ = _
    argparse.ngettext = ngettext
