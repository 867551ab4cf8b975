"""Japanese throughout (issue 20, phase one): the catalog covers every message with the same
placeholders, the language comes from --lang, KIT_LANG, `kit config lang` or the locale, the
translated verbs show no English sentence, and tables with wide characters fit 80 columns."""

from __future__ import annotations

import io
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from rich.cells import cell_len

from grader import PROJECT_ROOT, i18n, manifest
from tests.conftest import git, kit_command

PO = i18n.po_file("ja")
GLOSSARY = PROJECT_ROOT / "grader" / "locale" / "glossary.ja.md"
# Words the glossary replaces with the manual's own (glossary.ja.md).
NOT_THE_MANUALS = {"重み": "ウェイト", "チャネル": "チャンネル", "誤差逆伝播": "誤差逆伝搬法"}


def catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="ja")


def source_messages() -> dict[str, str]:
    """{message id: where} of every message marked in the kit's sources, extracted with Babel
    and the project's babel.cfg, as `pybabel extract` does."""
    found = {}
    method_map = [("grader/**.py", "python")]
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map
    ):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def fields(text: str) -> set[str]:
    """The named placeholders of a message: {name} (str.format) and %(name)s (argparse's)."""
    names = {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
    return names | set(re.findall(r"%\((\w+)\)", text))


def test_every_message_of_the_sources_has_a_japanese_translation():
    po = catalog()
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m for m in po if m.id and not m.fuzzy
    }
    missing = {
        key: where
        for key, where in source_messages().items()
        if key not in translated or not all(translated[key].string)
    }
    assert not missing, f"untranslated (run pybabel extract/update, then translate): {missing}"
    stale = set(translated) - set(source_messages())
    assert not stale, f"entries no source uses any more (pybabel update drops them): {stale}"


def test_placeholders_match_and_are_named():
    argparse_own = set(i18n.ARGPARSE_MESSAGES)
    for message in catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert fields(text) == fields(ids[0]), (ids[0], text)
        if ids[0] not in argparse_own:
            # Named, never positional: a translation may put the values in another order.
            assert not re.search(r"\{\d*\}|%[sdr]", ids[0]), ids[0]
        else:
            positional = re.findall(r"%[sdr]", ids[0])
            assert all(re.findall(r"%[sdr]", text) == positional for text in strings), ids[0]


def test_no_message_is_marked_inside_an_f_string():
    """Babel cannot see _("...") inside an f-string (before Python 3.12): such a message would
    never reach the catalog and would stay English."""
    inside = re.compile(r"""\{_\(\s*["']""")
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{n}"
        for path in (PROJECT_ROOT / "grader").rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if inside.search(line)
    ]
    assert not offenders, offenders


def test_the_catalog_compiles_with_babel_on_first_use_and_again_when_edited(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KIT_CACHE_WRITE_DIR", raising=False)
    first = i18n.catalog("ja")
    assert first.gettext("passed") == "合格"
    compiled = list((tmp_path / "cache" / "locale" / "ja").glob("kit-*.mo"))
    assert len(compiled) == 1
    # An edited catalog is a new file name: compiled again, and the old one removed.
    edited = tmp_path / "locale" / "ja" / "LC_MESSAGES" / "kit.po"
    edited.parent.mkdir(parents=True)
    edited.write_text(PO.read_text().replace('msgstr "合格"', 'msgstr "合格です"', 1))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    assert i18n.catalog("ja").gettext("passed") == "合格です"
    again = list((tmp_path / "cache" / "locale" / "ja").glob("kit-*.mo"))
    assert len(again) == 1 and again != compiled
    # No compiled catalog is ever committed.
    assert not git("ls-files", "*.mo").stdout.strip()


def test_a_read_only_cache_compiles_in_memory(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.setenv("KIT_CACHE_DIR", str(folder))
    monkeypatch.setenv("KIT_CACHE_WRITE_DIR", str(folder))
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("root writes anywhere")
        assert i18n.catalog("ja").gettext("failed") == "不合格"
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(
    "argv, env, saved, expected",
    [
        ([], {}, None, ("en", "default")),
        ([], {"LANG": "ja_JP.UTF-8"}, None, ("ja", "LANG")),
        ([], {"LANG": "ja_JP.UTF-8", "LC_ALL": "C.UTF-8"}, None, ("en", "LC_ALL")),
        ([], {"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, None, ("ja", "LC_MESSAGES")),
        ([], {"LANG": "ja_JP.UTF-8"}, "en", ("en", "config")),
        ([], {}, "ja", ("ja", "config")),
        ([], {"KIT_LANG": "en"}, "ja", ("en", "KIT_LANG")),
        ([], {"KIT_LANG": "ja_JP"}, None, ("ja", "KIT_LANG")),
        (["status", "--lang", "ja"], {"KIT_LANG": "en"}, "en", ("ja", "--lang")),
        (["--lang=en", "status"], {"KIT_LANG": "ja"}, "ja", ("en", "--lang")),
        (["grade", "--", "--lang", "ja"], {}, None, ("en", "default")),
    ],
)
def test_the_language_comes_from_the_first_that_asks(
    argv, env, saved, expected, tmp_path, monkeypatch
):
    for name in ("KIT_LANG", *i18n.LOCALE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = tmp_path / "settings.json"
    if saved:
        i18n.save_language(saved, settings)
    chosen = i18n.choose(argv, settings)
    assert (chosen.lang, chosen.source) == expected


def test_an_unknown_language_is_one_line_and_exit_2():
    run = kit_command(PROJECT_ROOT, "status", env={"KIT_LANG": "fr"})
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "KIT_LANG 'fr'" in run.stderr and "en" in run.stderr and "ja" in run.stderr
    run = kit_command(PROJECT_ROOT, "list", "--lang", "fr")
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any language setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("KIT_LANG", *i18n.LOCALE_VARIABLES)}
    return {**env, "COLUMNS": "80", **extra}


def run_kit(root: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_japanese_locale_alone_is_japanese(project_copy):
    run = run_kit(project_copy, "status", env=clean_env(LANG="ja_JP.UTF-8"))
    assert run.returncode == 0, run.stderr
    assert "あなたの進捗" in run.stdout and "進捗: 0/" in run.stdout, run.stdout
    assert "Progress:" not in run.stdout
    english = run_kit(project_copy, "status", env=clean_env(LANG="C.UTF-8"))
    assert "Progress: 0/" in english.stdout, english.stdout


def test_config_lang_is_saved_beside_the_progress_and_switches_back(project_copy):
    env = clean_env(LANG="C.UTF-8")
    saved = run_kit(project_copy, "config", "lang", "ja", env=env)
    assert saved.returncode == 0, saved.stderr
    assert "保存しました" in saved.stdout and ".kit-settings.json" in saved.stdout, saved.stdout
    settings = project_copy / ".kit-settings.json"
    assert settings.is_file()
    assert git("check-ignore", "-q", ".kit-settings.json", cwd=project_copy).returncode == 0
    # Every later command speaks Japanese, with nothing else set.
    status = run_kit(project_copy, "status", env=env)
    assert "あなたの進捗" in status.stdout, status.stdout
    shown = run_kit(project_copy, "config", env=env)
    assert "lang = ja (日本語)、設定元: .kit-settings.json に保存した設定" in shown.stdout, (
        shown.stdout
    )
    # KIT_LANG outranks it for one shell, and says so.
    override = run_kit(project_copy, "config", env={**env, "KIT_LANG": "en"})
    assert "lang = en (English), from the environment variable KIT_LANG" in override.stdout
    back = run_kit(project_copy, "config", "lang", "en", env=env)
    assert back.returncode == 0 and "Saved: the kit speaks English" in back.stdout, back.stdout
    assert "Progress:" in run_kit(project_copy, "status", env=env).stdout
    bad = run_kit(project_copy, "config", "lang", "de", env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr


# --- no English sentence in Japanese ---------------------------------------------------------

# A run of three or more plain English words with a function word among them is a sentence;
# code (np.pad(x, ...)), paths, ids, commands and single technical words (ReLU, softmax,
# California Housing) are not.
FUNCTION_WORDS = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "from",
    "by",
    "is",
    "are",
    "was",
    "be",
    "not",
    "no",
    "your",
    "you",
    "it",
    "its",
    "this",
    "that",
    "and",
    "or",
    "as",
    "if",
    "then",
    "each",
    "every",
    "there",
    "here",
    "what",
    "which",
}
WORD = re.compile(r"^[A-Za-z]+[.,:;]?$")


def english_sentences(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        # Commands the kit prints are code; so is anything inside backquotes.
        line = re.sub(r"`[^`]*`", " ", line)
        line = re.sub(r"(tox -e \S+|python -m grader)( -- )?.*", " ", line)
        run: list[str] = []
        for token in [*line.split(), ""]:
            if token and WORD.match(token):
                run.append(token.rstrip(".,:;").lower())
                continue
            if len(run) >= 3 and FUNCTION_WORDS & set(run[:-1] if len(run) > 3 else run):
                found.append(" ".join(run))
            run = []
    return found


def test_the_detector_finds_english_and_lets_code_pass():
    assert english_sentences("Next: conv_output_size — Output size of a conv or pool layer")
    assert english_sentences("Nothing graded yet in this copy of the kit.")
    assert not english_sentences("次: conv_output_size — 畳み込み層 (マニュアル T4)")
    assert not english_sentences("  採点       tox -e grade -- conv_output_size")
    assert not english_sentences("np.maximum(0, b + x @ w) です。California Housing の Dataset")


LEARNER_VERBS = [
    ["status"],
    ["list"],
    ["config"],
    ["hint", "convolution", "--level", "4"],
    ["hint", "activations"],
    ["task", "train_epoch"],
    ["task", "graph_mode"],
    ["watch", "--help"],
    ["status", "--help"],
    ["grade", "--seed", "x"],
    ["hint", "no_such_exercise"],
    ["hint", "convolution", "--level", "9"],
    ["list", "--bogus"],
]


@pytest.mark.parametrize("args", LEARNER_VERBS, ids=" ".join)
def test_the_translated_learner_verbs_show_no_english_sentence(args):
    run = kit_command(PROJECT_ROOT, *args, env={"KIT_LANG": "ja", "COLUMNS": "80"})
    out = run.stdout + run.stderr
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", out), out
    assert not english_sentences(out), (english_sentences(out), out)


def test_every_exercise_has_a_japanese_title_and_task_in_the_manuals_words():
    for ex in manifest.load():
        for text in (ex.title_ja, ex.task_ja, *ex.hints["ja"]):
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text), ex.id
            for avoid, use in NOT_THE_MANUALS.items():
                assert avoid not in text.replace("重み付き", ""), (ex.id, avoid, use)
        assert not english_sentences(ex.title_ja + "\n" + ex.task_ja), ex.id
        # The task names what the stub asks for: each function or class it defines.
        stub = (PROJECT_ROOT / "exercises" / ex.module).read_text()
        for name in re.findall(r"^(?:def|class) (\w+)", stub, flags=re.MULTILINE):
            assert name in ex.task_ja, (ex.id, name)
    texts = [m.string for m in catalog() if m.id]
    for avoid in NOT_THE_MANUALS:
        assert not any(avoid in str(t) for t in texts), avoid
    for term in (
        "訓練",
        "検証",
        "テスト",
        "損失関数",
        "勾配",
        "ミニバッチ",
        "エポック",
        "ウェイト",
    ):
        assert term in GLOSSARY.read_text(), term


# --- 80 columns with wide characters -----------------------------------------------------------


def assert_fits(out: str, width: int = 80) -> None:
    lines = out.splitlines()
    assert lines and max(cell_len(line.rstrip()) for line in lines) <= width, out


def test_status_and_list_fit_80_columns_in_japanese():
    status = kit_command(PROJECT_ROOT, "status", env={"KIT_LANG": "ja", "COLUMNS": "80"})
    assert status.returncode == 0, status.stderr
    assert_fits(status.stdout)
    listed = kit_command(PROJECT_ROOT, "list", env={"KIT_LANG": "ja", "COLUMNS": "80"})
    assert listed.returncode == 0, listed.stderr
    assert_fits(listed.stdout)
    lines = listed.stdout.splitlines()
    header = next(line for line in lines if "点数" in line)
    # The points column is right-aligned under its heading: every row's points end where the
    # heading ends, counted in display cells (a Japanese title left of it would shift a
    # column measured in characters).
    end = cell_len(header[: header.index("点数")]) + cell_len("点数")
    for ex in manifest.load():
        row = next(line for line in lines if f" {ex.id} " in line)
        start = row.index(f" {ex.id} ") + len(ex.id) + 2
        points = re.match(r"\s*(\d+)", row[start:])
        assert points and points.group(1) == str(ex.points), row
        assert cell_len(row[: start + points.end()]) == end, (header, row)
        assert row.rstrip().endswith("…") or ex.title_ja in row, row


def test_progress_fits_80_columns_in_japanese_with_wide_names(tmp_path):
    from tests.test_course_progress import progress, record

    root = tmp_path / "course"
    root.mkdir()
    record(root, "li-ming", 4, {"conv_output_size": "passed", "convolution": "failed"})
    record(root, "yamada", 1, {"conv_output_size": "passed"})
    (root / "course.toml").write_text(
        'course_dir = "."\n'
        '[[learner]]\nid = "li-ming"\nname = "李明"\n'
        '[[learner]]\nid = "yamada"\nname = "山田太郎"\n'
    )
    run = progress(root, [], 80, {"KIT_LANG": "ja", "KIT_COURSE_CONFIG": str(root / "course.toml")})
    assert run.returncode == 0, run.stderr
    assert_fits(run.stdout)
    assert "メンバー" in run.stdout and "李明" in run.stdout and "山田太郎" in run.stdout
    assert not english_sentences(run.stdout), run.stdout
    # Each panel is a table: its header and rows end at the same display column.
    for panel in run.stdout.split("\n\n"):
        rows = [line for line in panel.splitlines() if "  " in line.strip()]
        widths = {cell_len(line) for line in rows}
        assert len(widths) == 1, panel


# --- the grading report and the live progress ----------------------------------------------------


@pytest.fixture
def japanese():
    """Every message in Japanese for the test's own process, English again afterwards."""
    before = i18n.choice()
    i18n.use(i18n.Choice("ja", "test"))
    yield
    i18n.use(before)


def graded(ex_id: str, status: str, score: float, checks=()):
    from grader import grading

    ex = manifest.find(ex_id)
    return grading.ExerciseResult(
        id=ex.id,
        chapter=ex.chapter,
        title=ex.title,
        topics=list(ex.topics),
        status=status,
        score=score,
        max_score=ex.points,
        seconds=1.0,
        checks=list(checks),
        data=["California housing: scikit-learn"],
    )


def test_the_grading_report_is_japanese_and_fits_80_columns(japanese):
    """kit grade's framing (header panel, results table, headings, device and summary lines) is
    rendered here from results, as cli.grade renders it; the checks' own messages are
    phase two, so the failed check carries a Japanese message of its own."""
    from rich.console import Console

    from grader import grading, report

    failed = grading.CheckResult(
        "test_shape", "failed", message="期待した形: (2, 3)", device="cpu", where=None
    )
    results = [
        graded("conv_output_size", "passed", 2, [grading.CheckResult("a", "passed", device="cpu")]),
        graded("convolution", "failed", 0, [failed, grading.CheckResult("b", "skipped")]),
        graded("train_epoch", "not_started", 0),
    ]
    out = Console(width=80, record=True, highlight=False, soft_wrap=False, file=io.StringIO())
    env = {"python": "3.12", "torch": "2.5", "tensorflow": None, "cuda_available": False}
    report.header(out, env, 0, "all", PROJECT_ROOT / "exercises", "tox -e grade -- --seed 0")
    out.print(report.table(results, out.width))
    report.device_line(out, results)
    report.data_sources(out, results)
    report.details(out, results)
    out.print(report.summary_line(results))
    text = out.export_text()
    assert_fits(text)
    assert not english_sentences(text), (english_sentences(text), text)
    for word in ("結果", "演習", "合格", "不合格", "未着手", "乱数シード", "ヒント", "データ"):
        assert word in text, (word, text)
    assert manifest.find("convolution").title_ja[:6] in text, text
    # The score column is right-aligned under its heading, counted in display cells.
    lines = text.splitlines()
    header = next(line for line in lines if "点数" in line)
    end = cell_len(header[: header.index("点数")]) + cell_len("点数")
    for r in results:
        row = next(line for line in lines if f" {r.id} " in line)
        assert cell_len(row.rstrip()) == end, (header, row)


def test_the_live_progress_is_japanese(japanese):
    from rich.console import Console

    from grader import records
    from grader.live import GradingDisplay, training_text

    display = GradingDisplay(Console(width=80, file=io.StringIO()), total=3)
    display.start(2, manifest.find("train_epoch"), 120)
    display.record(records.Started("test_loss_goes_down"))
    display.done(graded("conv_output_size", "passed", 2))
    out = Console(width=80, record=True, file=io.StringIO())
    out.print(display._render())
    text = out.export_text()
    assert "採点中 2/3" in text and "上限 2:00" in text and "チェック test_loss_goes_down" in text
    assert "終了: conv_output_size 合格" in text, text
    assert training_text(records.Progress(epoch=2, epochs=5, loss=1.93, who="")) == (
        "エポック 2/5  Loss 1.9300"
    )
    assert not english_sentences(text), text


def test_a_real_grade_with_lang_ja_is_japanese_in_the_exercise_process_too(tmp_path):
    """`kit grade --lang ja`, end to end: the report's framing, and a message made in the
    exercise's own process (forked from a server started before the language was chosen),
    here the data directory's error."""
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("")
    env = clean_env(KIT_DATA_DIR=str(not_a_folder), KIT_OFFLINE="1")
    run = run_kit(
        PROJECT_ROOT,
        "grade",
        "california_dataset",
        "--exercises",
        "reference",
        "--lang",
        "ja",
        env=env,
    )
    out = run.stdout
    assert "乱数シード" in out and "結果" in out and "合計" in out, out
    assert "はフォルダではなくファイルです" in " ".join(out.split()), out
    assert "is a file, not a folder" not in out
    assert_fits(out)


def test_submit_and_course_errors_are_one_japanese_line(tmp_path):
    """The course side's errors (course.toml, the submission's layout, the gradebook) in
    Japanese: one line each, exit 2, no English sentence."""
    course = tmp_path / "course"
    (course / "submitted").mkdir(parents=True)
    good = tmp_path / "good.toml"
    good.write_text(f'course_dir = "{course}"\n')
    bad = tmp_path / "bad.toml"
    bad.write_text(f'course_dir = "{course}"\nbogus = 1\n')
    cases = [
        (bad, ["progress"], "設定 'bogus' は知りません"),
        (good, ["submit", "--exercises", str(tmp_path / "nope"), "--learner", "ana"], "ありません"),
        (good, ["submit", "--exercises", str(course), "--learner", "ana"], "演習のモジュール"),
        (good, ["submit", "--exercises", str(PROJECT_ROOT), "--learner", "ana"], "キット全体"),
        (good, ["progress"], "まだ成績簿がありません"),
    ]
    for config, args, expected in cases:
        run = run_kit(
            PROJECT_ROOT, *args, env=clean_env(KIT_LANG="ja", KIT_COURSE_CONFIG=str(config))
        )
        assert run.returncode == 2 and run.stderr.count("\n") == 1, (args, run.stderr)
        assert expected in run.stderr, (args, run.stderr)
        assert not english_sentences(run.stderr), (args, run.stderr)
