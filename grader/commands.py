"""The commands the kit prints, in the form that runs as printed in the user's own shell.

After the README's set-up only tox is on the learner's PATH, so under tox every command is a
tox command: `tox -e grade -- …` to grade and `tox -e kit -- VERB …` for the other verbs.
Run without tox (`python -m grader` on a GPU server, or the script itself), the kit prints
commands in that same form instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def kit(verb: str, *args: str) -> str:
    """The command line that runs `kit VERB ARGS` the way this kit was started, in the same
    language: a `--lang` given to this command is given to the printed one too."""
    from grader import i18n

    chosen = i18n.choice()
    if chosen.source == "--lang" and "--lang" not in args:
        args = (*args, "--lang", chosen.lang)
    words = [verb, *args]
    if os.environ.get("TOX_ENV_NAME"):
        if verb == "grade":
            return "tox -e grade" + (" -- " + shlex.join(args) if args else "")
        return "tox -e kit -- " + shlex.join(words)
    return " ".join([*_launcher(), shlex.join(words)])


def _launcher() -> list[str]:
    script = sys.argv[0] if sys.argv and sys.argv[0] else "kit"
    if Path(script).name == "__main__.py":
        return ["python", "-m", "grader"]
    on_path = shutil.which("kit")
    if on_path and Path(on_path).resolve() == Path(script).resolve():
        return ["kit"]
    try:
        shown = os.path.relpath(script)
    except ValueError:
        shown = script
    return [shlex.quote(shown if not shown.startswith("..") else str(Path(script).resolve()))]
