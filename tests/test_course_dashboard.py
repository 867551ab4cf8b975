"""`kit dashboard --out DIR`: a static page, loaded in a real headless Chromium through the
DevTools protocol: every image loads, no script error, each learner's page opens from its link;
and the same check fails once an image is missing."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from grader import PROJECT_ROOT, manifest
from tests.conftest import kit_command
from tests.test_course_progress import LONG_NAME, record, result

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)
# Flags for headless Chromium as root on a machine without a network or a display.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0", "--window-size=1280,900",
]  # fmt: skip
HOSTILE = "<script>window.hacked = 1</script>"


class Browser:
    """One headless Chromium and its first tab, driven over the DevTools protocol."""

    def __init__(self):
        import websocket  # websocket-client, which jupyter_server (nbgrader) depends on

        self.profile = tempfile.mkdtemp(prefix="kit-chromium-")
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().split()):
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.events: list[dict] = []
        self._id = 0
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                assert "error" not in message, message
                return message["result"]
            self.events.append(message)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            assert time.monotonic() < deadline, f"{url} did not finish loading"
            self.events.append(json.loads(self.ws.recv()))

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)[
            "result"
        ].get("value")

    def broken_images(self) -> list[str]:
        return self.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.getAttribute('src'))"
        )

    def errors(self) -> list[str]:
        """Uncaught exceptions, console errors and failed loads the page reported."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(str(params.get("args")))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"].get("text", ""))
        return found

    def screenshot(self, path: Path) -> None:
        height = self.call("Page.getLayoutMetrics")["cssContentSize"]["height"]
        shot = self.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1},
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory) -> Path:
    """A course of three learners (one tampering, one copying the reference, one stuck on a
    check whose message holds HTML), and `kit dashboard` of it."""
    tmp = tmp_path_factory.mktemp("dashboard")
    root = tmp / "course"
    root.mkdir()
    ch1 = [ex.id for ex in manifest.load() if ex.chapter == "ch1_theory"]
    stuck = result(
        "convolution",
        "failed",
        checks=[
            {"name": "conv2d_flips_no_kernel", "status": "failed", "message": HOSTILE},
            {"name": "conv2d_shape", "status": "passed", "message": ""},
        ],
    )
    record(root, "ada", 6, {"conv_output_size": "passed"})
    record(root, "ada", 4, {"conv_output_size": "passed", "convolution": stuck})
    record(root, "bob", 2, {"conv_output_size": "passed", "convolution": stuck})
    copied = {i: result(i, "passed", matches_reference=True) for i in ch1}
    tampered = result("tensors", "error", fault="tampered", notes=["Tampered: numpy.allclose"])
    record(root, LONG_NAME, 1, copied | {"tensors": tampered})
    out = tmp / "site"
    run = kit_command(
        PROJECT_ROOT,
        "dashboard",
        "--out",
        str(out),
        env={
            "KIT_COURSE_DIR": str(root),
            "KIT_GRADEBOOK": "",
            "KIT_COURSE_CONFIG": "",
            "XDG_CONFIG_HOME": str(tmp / "xdg"),
        },
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"file://{out / 'index.html'}" in run.stdout
    return out


def test_the_dashboard_holds_its_parts(dashboard):
    page = (dashboard / "index.html").read_text()
    for learner in ("ada", "bob", LONG_NAME):
        assert f'href="learners/{learner}.html"' in page
        assert (dashboard / "learners" / f"{learner}.html").is_file()
    # The heatmap keeps its text as text: every learner and exercise is named in it.
    heatmap = (dashboard / "heatmap.svg").read_text()
    assert all(ex.id in heatmap for ex in manifest.load()) and LONG_NAME in heatmap
    assert "ada" in (dashboard / "progress.svg").read_text()
    # Where learners are stuck: convolution, both of them, and the check both fail.
    stuck = page.split("Where learners are stuck", 1)[1].split("<h2>", 1)[0]
    assert "<code>convolution</code>" in stuck and "conv2d_flips_no_kernel</code> (2 of 2)" in stuck
    assert "tampered:</span> <code>tensors</code>" in page
    assert "matches the reference:</span> <code>conv_output_size</code>" in page
    assert HOSTILE not in page and "&lt;script&gt;" in page  # learner text is escaped


def test_a_rebuilt_dashboard_drops_the_pages_it_wrote_for_learners_gone_and_nothing_else(
    tmp_path,
):
    root = tmp_path / "course"
    root.mkdir()
    record(root, "yamada", 2, {"conv_output_size": "passed"})
    record(root, "bob", 1, {"conv_output_size": "passed"})
    env = {
        "KIT_COURSE_DIR": str(root),
        "KIT_GRADEBOOK": "",
        "KIT_COURSE_CONFIG": "",
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }
    out = tmp_path / "site"
    learners = out / "learners"

    def build() -> None:
        run = kit_command(PROJECT_ROOT, "dashboard", "--out", str(out), env=env)
        assert run.returncode == 0, run.stdout + run.stderr

    build()
    assert (learners / "yamada.html").is_file()
    mine = learners / "notes.html"  # the supervisor's own files in the folder stay
    mine.write_text("<html>my notes on yamada</html>")
    (learners / "link.html").symlink_to(learners / "bob.html")
    run = kit_command(PROJECT_ROOT, "learners", "rename", "yamada", "taro", env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    build()
    assert sorted(p.name for p in learners.iterdir()) == [
        "bob.html", "link.html", "notes.html", "taro.html",
    ]  # fmt: skip
    assert "learners/yamada.html" not in (out / "index.html").read_text()
    assert mine.read_text() == "<html>my notes on yamada</html>"


@needs_chromium
def test_the_dashboard_renders_in_chromium(dashboard, tmp_path):
    browser = Browser()
    try:
        browser.open((dashboard / "index.html").as_uri())
        assert browser.evaluate("document.images.length") == 2
        assert browser.broken_images() == []
        assert browser.errors() == []
        assert browser.evaluate("document.scripts.length") == 0  # the escaped text stayed text
        assert browser.evaluate("window.hacked === undefined")
        browser.screenshot(tmp_path / "index.png")
        assert (tmp_path / "index.png").stat().st_size > 20_000

        # Each learner's link opens their latest messages.
        link = browser.evaluate(
            "Array.from(document.links).find(a => a.textContent === 'bob').href"
        )
        browser.open(link)
        text = browser.evaluate("document.body.innerText")
        assert "conv2d_flips_no_kernel" in text and HOSTILE in text
        assert browser.errors() == []

        # The same check sees a missing picture.
        (dashboard / "progress.svg").rename(tmp_path / "progress.svg")
        try:
            browser.open((dashboard / "index.html").as_uri())
            assert browser.broken_images() == ["progress.svg"]
        finally:
            (tmp_path / "progress.svg").rename(dashboard / "progress.svg")
    finally:
        browser.close()


# The names in a picture that lie wholly inside it as drawn (not cut off at its edge).
NAMES_INSIDE = """(() => {
  const frame = document.documentElement.getBoundingClientRect();
  return Array.from(document.querySelectorAll('text'))
    .filter(t => { const r = t.getBoundingClientRect();
                   return r.width > 0 && r.left >= frame.left && r.right <= frame.right &&
                          r.top >= frame.top && r.bottom <= frame.bottom; })
    .map(t => t.textContent.trim());
})()"""


@needs_chromium
def test_the_pictures_name_every_learner_of_a_large_course(tmp_path):
    """30 learners: the progress chart's legend once ran off the picture after 22 names."""
    root = tmp_path / "course"
    root.mkdir()
    names = [f"member{n:02d}" for n in range(30)]
    for n, name in enumerate(names):
        record(root, name, 1 + n / 10, {"conv_output_size": "passed"})
    out = tmp_path / "site"
    run = kit_command(
        PROJECT_ROOT, "dashboard", "--out", str(out),
        env={"KIT_COURSE_DIR": str(root), "KIT_GRADEBOOK": "", "KIT_COURSE_CONFIG": "",
             "XDG_CONFIG_HOME": str(tmp_path / "xdg")},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    browser = Browser()
    try:
        for picture in ("progress.svg", "heatmap.svg"):
            browser.open((out / picture).as_uri())
            shown = set(browser.evaluate(NAMES_INSIDE))
            assert [n for n in names if n not in shown] == [], picture
    finally:
        browser.close()


# --- the member's code beside the message ----------------------------------------------------

SCRIPT_NAME = "<script>window.hacked = 2</script>"
# A relu that fails on its own line, in a file that also holds markup of its own.
RAISING = (
    "return np.maximum(x, 0)",
    """label = "<script>window.hacked = 3</script>"  # </pre></td> <b>bold</b>
    raise ValueError(f"{label} is not an activation")""",
)


@pytest.fixture(scope="module")
def coded(tmp_path_factory) -> tuple[Path, str]:
    """A member with a hostile name whose relu raises on a known line, autograded for real."""
    from grader import identity
    from tests.test_course_autograde import autograde, instructor_kit
    from tests.test_course_submit import Course, learner_folder

    tmp = tmp_path_factory.mktemp("coded")
    course = Course(tmp, kit_root=instructor_kit(tmp))
    work = learner_folder(tmp / "work", solved=["sgd"], edits={"activations": [RAISING]})
    course.submit(SCRIPT_NAME, work)
    autograde(course)
    out = tmp / "site"
    run = course.kit("dashboard", "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    lines = (work / "ch1_theory/activations.py").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "raise ValueError" in text)
    return out, identity.folder_name(SCRIPT_NAME), line


@needs_chromium
def test_the_members_code_is_shown_beside_the_message_with_the_named_line(coded):
    out, learner, line = coded
    page = out / "learners" / f"{learner}.html"
    assert page.is_file(), sorted(p.name for p in (out / "learners").iterdir())
    html = page.read_text()
    assert SCRIPT_NAME not in html and "&lt;script&gt;" in html  # escaped, name and code
    browser = Browser()
    try:
        browser.open((out / "index.html").as_uri())
        assert browser.errors() == [] and browser.evaluate("document.scripts.length") == 0
        browser.open(page.as_uri())
        assert browser.errors() == []
        # The negative controls: nothing the member wrote ran or became markup.
        assert browser.evaluate("document.scripts.length") == 0
        assert browser.evaluate("window.hacked === undefined")
        assert browser.evaluate("document.querySelectorAll('b').length") == 0
        assert SCRIPT_NAME in browser.evaluate("document.querySelector('h1').innerText")
        # Only the failing exercise shows its code: the whole file, every line numbered.
        codes = browser.evaluate(
            "Array.from(document.querySelectorAll('table.code')).map(t => t.closest('div').id)"
        )
        assert codes == ["code-activations"]
        hits = browser.evaluate(
            "Array.from(document.querySelectorAll('table.code tr.hit'))"
            ".map(r => [r.cells[0].innerText, r.cells[1].innerText])"
        )
        assert hits == [[str(line), hits[0][1]]] and "raise ValueError" in hits[0][1], hits
        shown = browser.evaluate("document.querySelector('table.code').innerText")
        assert '"<script>window.hacked = 3</script>"  # </pre></td> <b>bold</b>' in shown
        # The highlight is visible: the named line's background differs from its neighbour's.
        colours = browser.evaluate(
            f"[document.getElementById('code-activations-L{line}'),"
            f" document.getElementById('code-activations-L{line - 1}')]"
            ".map(r => getComputedStyle(r.cells[1]).backgroundColor)"
        )
        assert colours[0] != colours[1], colours
        message = browser.evaluate("document.body.innerText")
        assert f"ch1_theory/activations.py:{line}" in message
        # The checks above can fail: the same page with the name left unescaped runs it.
        raw = page.with_name("unescaped.html")
        escaped = "&lt;script&gt;window.hacked = 2&lt;/script&gt;"
        assert escaped in html
        raw.write_text(html.replace(escaped, SCRIPT_NAME))
        browser.open(raw.as_uri())
        assert browser.evaluate("window.hacked") == 2
        assert browser.evaluate("document.scripts.length") >= 1
    finally:
        browser.close()
