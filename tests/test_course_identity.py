"""Learners' identities: any Unicode name kept for display and filed under a safe id that never
merges two names; the roster in the course configuration, fed to nbgrader's student records;
`kit learners` and its rename, merge and withdraw, which keep the history; a git identity used
only once confirmed; follow-up commands that name the learner actually used and the course
actually given; a folder without submitted/ refused."""

from __future__ import annotations

import csv
import os
import pty
import re
import select
import shlex
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.cells import cell_len

from grader import PROJECT_ROOT, identity
from tests.test_course_autograde import autograde, instructor_kit, kit_results
from tests.test_course_submit import Course, learner_folder, one_line_error


@pytest.fixture
def course(tmp_path) -> Course:
    return Course(tmp_path, kit_root=instructor_kit(tmp_path))


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["ada", "ada@lab.example", "李明", "José", "Jo-Ann", "firstname.lastname@uni.example.ac.jp"],
)
def test_a_safe_name_is_its_own_id(name):
    assert identity.folder_name(name) == name and identity.is_id(name)


def test_names_that_differ_never_share_an_id():
    names = [
        "Jo Ann", "Jo-Ann", "Jo_Ann", "jo ann", "José Pérez", "Jose Perez", "José  Pérez",
        "=1+1", "+1", "-1", "@home", "..", ".hidden", "-rf", "a/b", "a\\\\b", "../../etc",
        "a..b", "x.", "Ana\u200bGarcía", "AnaGarcía", " ada ", "ада", "ada",
    ]  # fmt: skip
    ids = [identity.folder_name(n) for n in names]
    assert len(set(ids)) == len(names) - 1  # only " ada " and "ada" are one name (trimmed)
    for name, found in zip(names, ids, strict=True):
        assert identity.is_id(found), (name, found)
        assert "/" not in found and "\\" not in found and ".." not in found, found
        assert not found.startswith((".", "-", "=", "+", "@", "_")), found
        assert len(found) <= identity.MAX_ID


def test_names_are_nfc_normalised_and_kept_for_display():
    composed, decomposed = "Jos\u00e9", "Jose\u0301"
    assert identity.display(decomposed) == composed
    assert identity.folder_name(decomposed) == identity.folder_name(composed) == composed
    assert identity.display("  李明 ") == "李明"
    learner = identity.resolve("José Pérez")
    assert learner.name == "José Pérez" and learner.id.startswith("José-Pérez+")
    for bad in ("", "   ", "ana\nbob", "tab\there"):
        with pytest.raises(identity.NoIdentity):
            identity.folder_name(bad)


def test_the_roster_resolves_ids_emails_and_names():
    roster = (
        identity.Member("ana", "Ana García", "Ana@Lab.example"),
        identity.Member("li", "李明", "li@lab.example", "li"),
    )
    assert identity.resolve("ana@lab.example", roster).id == "ana"  # e-mail, any case
    assert identity.resolve("李明", roster).id == "li"
    assert identity.resolve("li", roster).account == "li"
    with pytest.raises(identity.NoIdentity, match="not on the course's roster"):
        identity.resolve("bob", roster)
    assert roster[0].nbgrader_names() == ("Ana", "García")
    assert roster[1].nbgrader_names() == (None, "李明")  # never cut into guessed parts


# --- the roster in the course configuration --------------------------------------------------

ROSTER = """
[[learner]]
id = "ana"
name = "Ana García"
email = "ana@lab.example"

[[learner]]
id = "li"
name = "李明"
email = "li@lab.example"

[[learner]]
id = "ben"
name = "Ben O'Neil"
"""


def roster_course(tmp_path: Path, extra: str = "") -> Course:
    course = Course(tmp_path, kit_root=instructor_kit(tmp_path))
    config = tmp_path / "course.toml"
    config.write_text(f'course_dir = "{course.root}"\n{extra}{ROSTER}')
    course.env.update(KIT_COURSE_CONFIG=str(config), KIT_COURSE_DIR="")
    return course


@pytest.mark.parametrize(
    ("toml", "phrase"),
    [
        ('[[learner]]\nid = "ana"\n', "give both id and name"),
        ('[[learner]]\nid = "../x"\nname = "X"\n', "is not a safe folder name"),
        ('[[learner]]\nid = "a"\nname = "A"\n[[learner]]\nid = "a"\nname = "B"\n', "two members"),
        ('[[learner]]\nid = "a"\nname = "A"\nphone = "1"\n', "unknown key 'phone'"),
        ("[due]\nch9 = 2025-01-01\n", "due.ch9: no such chapter"),
        ('[due]\nch1_theory = "soon"\n', "must be a TOML date"),
    ],
    ids=["no name", "unsafe id", "duplicate id", "unknown key", "unknown chapter", "bad date"],
)
def test_a_bad_roster_or_date_is_one_line(tmp_path, toml, phrase):
    course = Course(tmp_path)
    config = tmp_path / "course.toml"
    config.write_text(f'course_dir = "{course.root}"\n{toml}')
    run = course.kit("learners", env={"KIT_COURSE_CONFIG": str(config), "KIT_COURSE_DIR": ""})
    one_line_error(run, phrase)


def test_members_submit_by_name_or_email_and_nbgrader_gets_their_records(tmp_path):
    from nbgrader.api import Gradebook

    course = roster_course(tmp_path)
    work = learner_folder(tmp_path / "work", solved=["sgd"])
    for given in ("Ana García", "li@lab.example"):
        run = course.kit("submit", "--exercises", str(work), "--learner", given)
        assert run.returncode == 0, run.stdout + run.stderr
    li = course.kit("submit", "--exercises", str(work), "--learner", "李明")
    assert "Submitted 3 files as li (李明)" in li.stdout
    assert len(course.submissions("li")) == 2 and len(course.submissions("ana")) == 1
    one_line_error(
        course.kit("submit", "--exercises", str(work), "--learner", "Bob"),
        "'Bob' is not on the course's roster",
    )
    autograde(course)
    with Gradebook(course.url, "cnn-basics") as gb:
        people = {s.id: (s.first_name, s.last_name, s.email) for s in gb.students}
    assert people == {
        "ana": ("Ana", "García", "ana@lab.example"),
        "li": (None, "李明", "li@lab.example"),
        "ben": ("Ben", "O'Neil", None),  # on the roster, nothing submitted yet
    }
    # Progress names every member, those who never submitted too, with their names.
    table = course.kit("progress", "--csv", "-").stdout
    assert "li,李明," in table and "ben,Ben O'Neil," in table, table
    shown = course.kit("progress", env={"COLUMNS": "80"}).stdout
    assert "李明" in shown and "not submitted" in shown, shown
    assert max(len(line) for line in shown.splitlines()) <= 80
    learners = course.kit("learners", env={"COLUMNS": "120"})
    assert learners.returncode == 0, learners.stderr
    for text in ("ana", "Ana García", "李明", "Ben O'Neil", "nothing graded yet"):
        assert text in learners.stdout, learners.stdout
    # At 80 columns nothing is cut or left out: the e-mail, the date and the status wrap.
    narrow = course.kit("learners", env={"COLUMNS": "80"}).stdout
    assert max(cell_len(line) for line in narrow.splitlines()) <= 80, narrow
    assert "…" not in narrow and "e-mail" in narrow and "submitted" in narrow, narrow


def readme_course_toml() -> str:
    """The course.toml of the README's instructor steps, as printed there."""
    text = (PROJECT_ROOT / "README.md").read_text()
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    return "\n".join(line.removeprefix("   ") for line in block.splitlines())


def test_the_readmes_roster_gives_nbgrader_and_the_export_the_names_it_means(tmp_path):
    """The README's roster, as printed, puts 山田 太郎's family name in nbgrader's last_name
    (split at the last space, it would be first_name) and Ana García's in hers."""
    course = Course(tmp_path, kit_root=instructor_kit(tmp_path))
    config = tmp_path / "course.toml"
    toml = readme_course_toml().replace('"/srv/cnn-course"', f'"{course.root}"')
    assert f'course_dir = "{course.root}"' in toml
    # The test's course has chapter 1 only.
    toml = "\n".join(line for line in toml.splitlines() if not line.startswith("ch2_"))
    config.write_text(toml)
    course.env.update(KIT_COURSE_CONFIG=str(config), KIT_COURSE_DIR="")
    autograde(course)  # nothing to grade: writes the roster into nbgrader's student records
    run = course.kit("export", "--to", str(tmp_path / "grades.csv"))
    assert run.returncode == 0, run.stdout + run.stderr
    with (tmp_path / "grades.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {(r["student_id"], r["last_name"], r["first_name"], r["email"]) for r in rows}
    assert names == {
        ("ana", "García", "Ana", "ana@lab.example"),
        ("yamada", "山田", "太郎", "yamada@lab.example"),
    }


def test_a_name_outside_a_roster_is_kept_and_filed_safely(course, tmp_path):
    """Without a roster, "Jo Ann" and "Jo-Ann" are two learners, each with their own name."""
    work = learner_folder(tmp_path / "work")
    for name in ("Jo Ann", "Jo-Ann", "李明"):
        run = course.kit("submit", "--exercises", str(work), "--learner", name)
        assert run.returncode == 0, run.stdout + run.stderr
        learner = identity.folder_name(name)
        assert course.submissions(learner)
        # The printed follow-up names this learner, quoted for the shell where it must be.
        assert f"progress --learner {shlex.quote(learner)}" in run.stdout, run.stdout
    autograde(course)
    names = {r[0] for r in kit_results(course)}
    assert names == {"Jo-Ann", identity.folder_name("Jo Ann"), "李明"}
    by_name = course.kit("progress", "--learner", "Jo Ann", "--csv", "-")
    assert by_name.returncode == 0, by_name.stderr
    rows = by_name.stdout.splitlines()
    assert len(rows) == 2 and rows[1].startswith(identity.folder_name("Jo Ann") + ",Jo Ann,")


# --- who is submitting: git's identity only once confirmed -----------------------------------


def git_env(tmp_path: Path, email: str) -> dict:
    config = tmp_path / "gitconfig"
    config.write_text(f"[user]\n\temail = {email}\n")
    return {"KIT_LEARNER": "", "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}


def test_a_git_identity_without_a_terminal_is_refused_naming_the_option(course, tmp_path):
    work = learner_folder(tmp_path / "work")
    run = course.kit(
        "submit", "--exercises", str(work), env=git_env(tmp_path, "shared@lab.example")
    )
    one_line_error(run, "there is no terminal to confirm it; pass --learner NAME")
    assert not any((course.root / "submitted").iterdir())


def in_terminal(course: Course, args: list[str], answer: bytes, env: dict) -> tuple[int, str]:
    """Runs the kit with its stdin and stdout on a pseudo-terminal; answers `answer` to a
    question. Returns (exit status, everything it printed)."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", *args],
        cwd=course.kit_root,
        env={**os.environ, "PYTHONPATH": str(course.kit_root), **course.env, **env},
        stdin=child,
        stdout=child,
        stderr=child,
        close_fds=True,
    )
    os.close(child)
    out, answered = b"", False
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if b"[y/N]" in out and not answered:
                os.write(main, answer)
                answered = True
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(main)
    return proc.returncode, out.decode(errors="replace")


def test_a_git_identity_is_asked_for_once_in_a_terminal(tmp_path):
    course = roster_course(tmp_path)
    work = learner_folder(tmp_path / "work")
    env = git_env(tmp_path, "li@lab.example")
    args = ["submit", "--exercises", str(work)]
    status, out = in_terminal(course, args, b"n\n", env)
    assert status == 2 and "not confirmed" in out, out
    assert not any((course.root / "submitted").iterdir())
    status, out = in_terminal(course, args, b"y\n", env)
    assert status == 0, out
    assert "submit as li (李明), from git's user.email li@lab.example? [y/N]" in out
    assert "the name came from git's user.email, confirmed now" in out
    assert "progress --learner li" in out
    # Asked once: the next submission, from the same clone, does not ask again; without a
    # terminal it goes ahead too.
    run = course.kit("submit", "--exercises", str(work), env=env)
    assert run.returncode == 0 and "confirmed earlier" in run.stdout, run.stdout + run.stderr
    assert len(course.submissions("li")) == 2
    # Another git identity in the same clone is asked about again.
    other = course.kit("submit", "--exercises", str(work), env=git_env(tmp_path, "ana@lab.example"))
    one_line_error(other, "no terminal to confirm it")


# --- learners: rename, merge, withdraw keep the history --------------------------------------


def test_rename_merge_and_withdraw_keep_every_submission(course, tmp_path):
    from nbgrader.api import Gradebook

    work = learner_folder(tmp_path / "work", solved=["sgd"])
    course.submit("ada@gmail.example", work)
    course.submit("ada", learner_folder(tmp_path / "w2", solved=["sgd", "activations"]))
    course.submit("bob", work)
    autograde(course)
    before = len(kit_results(course))

    one_line_error(course.kit("learners", "rename", "ada@gmail.example", "bob"), "merge")
    run = course.kit("learners", "merge", "ada@gmail.example", "ada")
    assert run.returncode == 0 and "merged ada@gmail.example into ada" in run.stdout, run.stderr
    rows = kit_results(course)
    assert len(rows) == before  # nothing deleted
    assert {r[0] for r in rows} == {"ada", "bob"}
    assert {r[1].split("/")[1] for r in rows if r[0] == "ada"} == {"ada@gmail.example", "ada"}
    # nbgrader's rows follow: one student ada with her latest submission, no stray one.
    with Gradebook(course.url, "cnn-basics") as gb:
        assert {s.id for s in gb.students} == {"ada", "bob"}
        assert gb.find_submission("ch1_theory", "ada").score == 3.0  # activations and sgd

    # A later submission in the old folder counts for the new id too.
    course.submit("ada@gmail.example", work)
    autograde(course)
    assert {r[0] for r in kit_results(course)} == {"ada", "bob"}

    run = course.kit("learners", "rename", "bob", "robert")
    assert run.returncode == 0, run.stderr
    run = course.kit("learners", "withdraw", "robert")
    assert run.returncode == 0 and "withdrew robert" in run.stdout, run.stderr
    shown = course.kit("progress", "--csv", "-").stdout
    assert "robert" not in shown and "ada" in shown
    assert "robert" in course.kit("progress", "--all", "--csv", "-").stdout
    listing = course.kit("learners", env={"COLUMNS": "160"}).stdout
    for text in (
        "merge ada@gmail.example → ada",
        "rename bob → robert",
        "withdraw robert",
        "was bob",
        "withdrawn",
    ):
        assert text in listing, listing
    assert course.kit("learners", "reinstate", "robert").returncode == 0
    assert "robert" in course.kit("progress", "--csv", "-").stdout
    with sqlite3.connect(course.gradebook) as db:
        log = db.execute("SELECT action, learner, target FROM kit_learner_action").fetchall()
    assert log == [
        ("merge", "ada@gmail.example", "ada"),
        ("rename", "bob", "robert"),
        ("withdraw", "robert", None),
        ("reinstate", "robert", None),
    ]


# --- wrong folders and the commands the kit prints -------------------------------------------


def test_a_folder_without_submitted_is_refused_and_printed_commands_keep_the_course(tmp_path):
    course = Course(tmp_path, kit_root=instructor_kit(tmp_path))
    course.env["KIT_COURSE_DIR"] = ""
    inside = course.root / "submitted"
    for verb in (["autograde"], ["progress"], ["dashboard", "--out", str(tmp_path / "d")]):
        run = course.kit(*verb, "--course", str(inside))
        one_line_error(run, f"pass its parent {course.root} instead")
    assert list(inside.iterdir()) == []  # no gradebook, no lock, nothing created
    one_line_error(course.kit("export", "--course", str(tmp_path)), "is not a course folder")

    # progress before any grading suggests the autograde of this very course: run as printed,
    # it grades there (and nowhere else).
    learner_folder(tmp_path / "work", solved=["sgd"])
    run = course.kit(
        "submit", "--exercises", str(tmp_path / "work"), "--learner", "ada", "--course",
        str(course.root),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"progress --learner ada --course {course.root}" in run.stdout
    missing = course.kit("progress", "--course", str(course.root))
    one_line_error(missing, f"autograde --course {course.root}")
    printed = missing.stderr.split("grade the submissions first: ", 1)[1].strip()
    assert printed.startswith("python -m grader autograde")
    words = printed.split()[3:]
    ran = course.kit(*words)
    assert ran.returncode == 0 and "recorded 1 submission(s)" in ran.stdout, ran.stderr
    assert course.gradebook.exists() and not (inside / "gradebook.db").exists()
    follow = run.stdout.split("see your progress with: ", 1)[1].strip().split()[3:]
    again = course.kit(*follow)
    assert again.returncode == 0 and "ada: every submission" in again.stdout, again.stderr


# --- an id the kit printed names that learner ------------------------------------------------


def printed_command(stdout: str, after: str) -> list[str]:
    """The words of the kit command printed after `after`, as a shell would split them, less
    the `python -m grader` that starts it."""
    words = shlex.split(stdout.split(after, 1)[1].strip().splitlines()[0])
    assert words[:3] == ["python", "-m", "grader"], words
    return words[3:]


def test_a_derived_id_the_kit_printed_names_that_learner(course, tmp_path):
    """Without a roster, "山田 太郎" is filed as 山田-太郎+<hash>; the progress command submit
    prints runs as printed, and autograde --learner takes the same id."""
    work = learner_folder(tmp_path / "work", solved=["sgd"])
    printed = {}
    for name in ("山田 太郎", "José Pérez", "Jo-Ann"):
        run = course.submit(name, work)
        printed[name] = printed_command(run.stdout, "see your progress with: ")
    yamada = identity.folder_name("山田 太郎")
    # Grading only theirs, by the id the kit printed: that one submission, no other.
    run = course.kit("autograde", "--learner", yamada)
    assert run.returncode == 0 and "recorded 1 submission(s)" in run.stdout, run.stdout + run.stderr
    assert {r[0] for r in kit_results(course)} == {yamada}
    autograde(course)
    for name, words in printed.items():
        shown = course.kit(*words, "--csv", "-")
        assert shown.returncode == 0, (words, shown.stderr)
        rows = shown.stdout.splitlines()
        assert len(rows) == 2 and rows[1].startswith(f"{identity.folder_name(name)},{name},"), rows
    # The name as given still works, and an id is not derived again.
    by_name = course.kit("progress", "--learner", "山田 太郎", "--csv", "-").stdout.splitlines()
    assert len(by_name) == 2 and by_name[1].startswith(yamada + ","), by_name
    # A new clone of theirs, named by their id, joins their history.
    clone = learner_folder(tmp_path / "clone", solved=["sgd", "activations"])
    run = course.kit("autograde", str(clone), "--learner", yamada)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(course.submissions(yamada)) == 2
    assert not (course.root / "submitted" / identity.folder_name(yamada)).exists()
    # A learner nobody knows is one line naming the known ones, not "nothing to grade".
    nobody = course.kit("autograde", "--learner", "nobody")
    one_line_error(nobody, "no learner 'nobody'")
    assert yamada in nobody.stderr and "Jo-Ann" in nobody.stderr, nobody.stderr


def test_a_renamed_roster_member_is_one_learner_everywhere(tmp_path):
    from nbgrader.api import Gradebook

    course = roster_course(tmp_path)
    work = learner_folder(tmp_path / "work", solved=["sgd"])
    course.submit("Ana García", work)
    autograde(course)
    # Named as --learner names her (by her name), as well as by her id.
    run = course.kit("learners", "rename", "Ana García", "anita")
    assert run.returncode == 0, run.stdout + run.stderr
    # The supervisor is told the exact edit that makes the roster agree.
    config = course.env["KIT_COURSE_CONFIG"]
    assert f'{config}: change id = "ana" to id = "anita"' in run.stdout, run.stdout

    def ids_everywhere() -> dict[str, set[str]]:
        rows = course.kit("progress", "--csv", "-").stdout.splitlines()[1:]
        listing = course.kit("learners", "--course", str(course.root), env={"COLUMNS": "200"})
        table = listing.stdout.split("─\n", 1)[1].splitlines()
        listed = {line.split()[0] for line in table if not re.match(r"\d{4}-\d\d-\d\d ", line)}
        export = course.kit("export", "--to", str(tmp_path / "grades.csv"))
        assert export.returncode == 0, export.stderr
        exported = {line.split(",")[3] for line in (tmp_path / "grades.csv").read_text()
                    .splitlines()[1:]}  # fmt: skip
        return {
            "progress": {r.split(",")[0] for r in rows},
            "learners": listed,
            "export": exported,
        }

    expected = {"anita", "li", "ben"}
    assert ids_everywhere() == dict.fromkeys(["progress", "learners", "export"], expected)
    # Progress gives anita the roster's name and her grade, once.
    anita = course.kit("progress", "--learner", "anita", "--csv", "-").stdout.splitlines()
    assert len(anita) == 2 and anita[1].startswith("anita,Ana García,"), anita
    assert (
        course.kit("progress", "--learner", "ana", "--csv", "-").stdout == "\n".join(anita) + "\n"
    )
    # Her next submission, before the roster is edited, counts for anita too; autograde's
    # student records do not bring ana back.
    course.submit("Ana García", work)
    autograde(course)
    assert ids_everywhere() == dict.fromkeys(["progress", "learners", "export"], expected)
    with Gradebook(course.url, "cnn-basics") as gb:
        assert gb.find_student("anita").last_name == "García"
    # After the edit the supervisor was told to make, her submissions go to submitted/anita.
    toml = Path(config)
    toml.write_text(toml.read_text().replace('id = "ana"', 'id = "anita"'))
    course.submit("Ana García", work)
    assert len(course.submissions("anita")) == 1
    autograde(course)
    assert ids_everywhere() == dict.fromkeys(["progress", "learners", "export"], expected)
