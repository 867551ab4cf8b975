"""The shared course folder, set up with the README's own commands, run as real unprivileged
users that the test creates (CI runs as root): a member's submission folders are readable by
that member and the graders only and writable by that member only; nobody can submit into
another member's folder; and where the roster names Unix accounts, autograde flags (and does
not grade) a submission whose folder belongs to another account than the learner it claims."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader import PROJECT_ROOT
from grader.course.isolation import bwrap_problem
from tests.test_course_submit import learner_folder, small_manifest_text

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or bool(bwrap_problem()),
    reason="needs root (to create users), useradd and bubblewrap (to let them run the kit)",
)
README = PROJECT_ROOT / "README.md"


def setup_commands() -> str:
    """The README's set-up of a course folder: the first bash block of step 1."""
    text = README.read_text()
    step = text.index("**Set up a course folder**")
    block = re.search(r"```bash\n(.*?)```", text[step:], re.DOTALL)
    assert block, "the README's step 1 has no bash block"
    return block.group(1)


def run(*command: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert done.returncode == 0 or not check, (command, done.stdout, done.stderr)
    return done


class Lab:
    """Users and groups of a lab, made for the test and removed after it."""

    def __init__(self):
        tag = f"k{os.getpid() % 100000}"
        self.lab, self.graders = f"{tag}lab", f"{tag}grd"
        self.names = {who: f"{tag}{who}" for who in ("sup", "ana", "ben", "cy", "eve")}
        self.base = Path(tempfile.mkdtemp(prefix="kit-shared-", dir="/tmp"))
        self.base.chmod(0o755)
        self.users: list[str] = []
        self.groups: list[str] = []

    def create(self) -> None:
        run("groupadd", self.lab)  # the lab exists; the README's commands make the graders'
        self.groups += [self.lab, self.graders]
        for who, name in self.names.items():
            primary = self.lab if who in ("ana", "ben", "cy") else "nogroup"
            run("useradd", "-M", "-N", "-g", primary, "-d", str(self.base), "-s", "/bin/sh", name)
            self.users.append(name)

    def remove(self) -> None:
        for name in self.users:
            run("userdel", name, check=False)
        for group in self.groups:
            run("groupdel", group, check=False)
        shutil.rmtree(self.base, ignore_errors=True)

    def user(self, who: str) -> pwd.struct_passwd:
        return pwd.getpwnam(self.names[who])


def python_visible() -> list[str]:
    """bubblewrap arguments that let any user run this Python and its environment, where
    they sit below folders only root may enter (a tox environment in /root, say)."""
    args, seen = [], set()
    for target in dict.fromkeys(
        Path(p).resolve() for p in (sys.prefix, sys.base_prefix, Path(sys.executable).parent)
    ):
        ancestors = list(reversed(target.parents))
        closed = next((a for a in ancestors if not os.stat(a).st_mode & stat.S_IXOTH), None)
        if closed is None:
            continue
        if closed not in seen:
            seen.add(closed)
            args += ["--perms", "0755", "--tmpfs", str(closed)]
        for middle in ancestors[ancestors.index(closed) + 1 :]:
            args += ["--perms", "0755", "--dir", str(middle)]
        args += ["--ro-bind", str(target), str(target)]
    return args


@pytest.fixture(scope="module")
def lab():
    lab = Lab()
    try:
        lab.create()
        course = lab.base / "course"
        script = setup_commands()
        script = script.replace("/srv/cnn-course", str(course)).replace("sudo ", "")
        script = script.replace("cnn-graders", lab.graders)
        script = re.sub(r"\blab\b", lab.lab, script)
        # As the supervisor's shell would run it (sudo keeps $USER the supervisor's).
        run("bash", "-euc", script, env={**os.environ, "USER": lab.names["sup"]})
        lab.course = course
        lab.config = lab.base / "course.toml"
        roster = "".join(
            f'[[learner]]\nid = "{who}"\nname = "{who.title()}"\naccount = "{lab.names[who]}"\n'
            for who in ("ana", "ben", "cy")
        )
        lab.config.write_text(f'course_dir = "{course}"\n{roster}')
        lab.config.chmod(0o644)
        lab.manifest = lab.base / "manifest.toml"  # the three cheap exercises of the tests
        lab.manifest.write_text(small_manifest_text())
        lab.manifest.chmod(0o644)
        for who in ("ana", "ben", "cy", "eve"):
            work = learner_folder(lab.base / f"work-{who}", solved=["sgd"])
            home = lab.base / f"home-{who}"
            home.mkdir()
            for path in [work, *work.rglob("*"), home]:
                os.chown(path, lab.user(who).pw_uid, lab.user(who).pw_gid)
        yield lab
    finally:
        lab.remove()


def as_user(lab: Lab, who: str, *command: str) -> subprocess.CompletedProcess:
    """`command` run as the lab's user `who`, with their groups, in their own home."""
    user = lab.user(who)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(lab.base / f"home-{who}"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "KIT_COURSE_CONFIG": str(lab.config),
        "KIT_MANIFEST": str(lab.manifest),
        "COLUMNS": "160",
    }
    wrapped = [
        "bwrap", "--bind", "/", "/", *python_visible(), "--chdir", str(PROJECT_ROOT), "--",
        "setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
        *command,
    ]  # fmt: skip
    return subprocess.run(
        wrapped, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def kit(lab: Lab, who: str, *args: str) -> subprocess.CompletedProcess:
    return as_user(lab, who, sys.executable, "-m", "grader", *args)


def submit(lab: Lab, who: str, learner: str) -> subprocess.CompletedProcess:
    work = lab.base / f"work-{who}"
    return kit(lab, who, "submit", "--exercises", str(work), "--learner", learner)


def python(lab: Lab, who: str, code: str) -> subprocess.CompletedProcess:
    return as_user(lab, who, sys.executable, "-c", code)


def test_the_readme_set_up_gives_each_member_a_folder_only_they_can_write(lab):
    done = submit(lab, "ana", "ana")
    assert done.returncode == 0, done.stdout + done.stderr
    mine = lab.course / "submitted" / "ana"
    (sub,) = [p for p in mine.iterdir()]
    graders = lab.graders
    for path in [mine, sub, *sub.rglob("*")]:
        info = path.stat()
        assert pwd.getpwuid(info.st_uid).pw_name == lab.names["ana"], path
        assert _group(info.st_gid) == graders, path  # the graders' group, from setgid
        assert not info.st_mode & 0o027, (path, oct(info.st_mode))  # no write but hers
        assert not info.st_mode & 0o007, (path, oct(info.st_mode))  # nothing for others
    # Another member cannot read, list, change, remove or submit into ana's folder.
    probe = python(
        lab,
        "ben",
        f"""import json, os, shutil
results = {{}}
for name, attempt in [
    ("list submitted", lambda: os.listdir({str(lab.course / "submitted")!r})),
    ("list ana", lambda: os.listdir({str(mine)!r})),
    ("read", lambda: open({str(next(sub.rglob("sgd.py")))!r}).read()),
    ("write", lambda: open({str(mine / "planted.py")!r}, "w")),
    ("rename", lambda: os.rename({str(mine)!r}, {str(mine) + "-gone"!r})),
    ("remove", lambda: shutil.rmtree({str(mine)!r})),
]:
    try:
        attempt()
        results[name] = "allowed"
    except PermissionError:
        results[name] = "denied"
print(json.dumps(results))
""",
    )
    assert probe.returncode == 0, probe.stderr
    assert set(json.loads(probe.stdout).values()) == {"denied"}, probe.stdout
    refused = submit(lab, "ben", "ana")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"belongs to the account {lab.names['ana']}, not to you" in refused.stderr
    assert [p for p in mine.iterdir()] == [sub]
    # Someone outside the lab cannot even reach the course folder.
    outsider = submit(lab, "eve", "eve")
    assert outsider.returncode == 2, outsider.stdout + outsider.stderr
    assert "you may not enter the course folder" in outsider.stderr
    # A grader reads every submission.
    read = python(lab, "sup", f"print(len(open({str(next(sub.rglob('sgd.py')))!r}).read()))")
    assert read.returncode == 0 and int(read.stdout) > 0, read.stderr


def _group(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def test_autograde_flags_a_submission_made_under_another_members_name(lab):
    """ben creates cy's folder before cy does and submits as cy: the permissions allow it,
    the roster's accounts catch it."""
    squat = submit(lab, "ben", "cy")
    assert squat.returncode == 0, squat.stdout + squat.stderr
    assert submit(lab, "ana", "ana").returncode == 0
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "KIT_COURSE_CONFIG": str(lab.config),
        "KIT_MANIFEST": str(lab.manifest),
        "KIT_COURSE_DIR": "",
        "KIT_GRADEBOOK": "",
    }
    graded = subprocess.run(
        [sys.executable, "-m", "grader", "autograde", "--jobs", "1"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert graded.returncode == 1, graded.stdout + graded.stderr
    assert (
        f"submitted/cy belongs to the account {lab.names['ben']}, not to {lab.names['cy']}"
        in graded.stdout
    ), graded.stdout
    # ana's, however many: under pytest-xdist the module's other test, which submits as ana
    # too, may run on another worker with its own lab. cy's is not graded.
    anas = len([p for p in (lab.course / "submitted" / "ana").iterdir() if p.is_dir()])
    assert anas >= 1 and f"recorded {anas} submission(s)" in graded.stdout, graded.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "grader", "progress", "--csv", "-"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    ).stdout  # fmt: skip
    cy = next(line for line in shown.splitlines() if line.startswith("cy,"))
    assert "submitted by another account (skipped)" in cy, shown
    record = json.loads(next((lab.course / "submitted/cy").glob("*/submission.json")).read_text())
    assert record["account"] == lab.names["ben"]  # submit records who ran it
