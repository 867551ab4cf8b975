"""Grades the independent beginner-mistake set and reports how often the message is targeted.

Run with the kit's environment (see tests/beginners/README.md):
    .tox/kit/bin/python tests/beginner_rate.py [CHAPTER ...] [--show-all] [--markdown]
A wrong case is targeted when it gets its expected status and the named check's message holds
every `says` phrase and no `must_not_say` phrase. Correct-but-different cases must pass.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import grading, manifest
from grader.dev.beginners import Case, load_cases, verdict


def grade_cases(
    cases: list[Case], timeout_scale: float
) -> list[tuple[Case, grading.ExerciseResult]]:
    exercises = [manifest.find(c.exercise) for c in cases]
    server = grading.start_server(list({e.id: e for e in exercises}.values()))
    graded = []
    for case, exercise in zip(cases, exercises, strict=True):
        with tempfile.TemporaryDirectory(prefix="kit-beginner-") as tmp:
            options = grading.Options(case.write(Path(tmp)).resolve(), 1234, "all", timeout_scale)
            graded.append((case, grading.grade_one(server, exercise, options)))
    return graded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*")
    parser.add_argument("--show-all", action="store_true", help="print every message")
    parser.add_argument("--markdown", action="store_true", help="print the BENCHMARKS table")
    parser.add_argument("--timeout-scale", type=float, default=1.0)
    args = parser.parse_args()
    cases = load_cases(args.chapters)
    graded = grade_cases(cases, args.timeout_scale)
    per_chapter: dict[str, list[int]] = {}
    for case, result in graded:
        ok, why = verdict(case, result)
        counts = per_chapter.setdefault(case.chapter, [0, 0, 0, 0])
        counts[0 if case.wrong else 2] += 1
        counts[1 if case.wrong else 3] += ok
        if args.show_all or not ok:
            print(f"\n{'OK ' if ok else 'MISS'} {case.chapter}/{case.file}: {case.misconception}")
            if not ok:
                print(f"     {why}")
            for c in result.checks:
                if c.status != "passed":
                    print(f"     [{c.status}] {c.name}: " + c.message.replace("\n", "\n       "))
            for note in result.notes:
                print("     note: " + note.replace("\n", "\n       "))
    print()
    rows = []
    for chapter, (wrong, targeted, right, passed) in per_chapter.items():
        rate = 100 * targeted / wrong if wrong else 100.0
        rows.append((chapter, wrong, targeted, rate, right, passed))
    total_wrong = sum(r[1] for r in rows)
    total_targeted = sum(r[2] for r in rows)
    if args.markdown:
        print("| chapter | wrong answers | targeted | rate | correct-but-different | passed |")
        print("| --- | --- | --- | --- | --- | --- |")
        for chapter, wrong, targeted, rate, right, passed in rows:
            print(f"| {chapter} | {wrong} | {targeted} | {rate:.0f} % | {right} | {passed} |")
    else:
        for chapter, wrong, targeted, rate, right, passed in rows:
            print(
                f"{chapter:16} targeted {targeted}/{wrong} ({rate:.0f} %); "
                f"correct-but-different passed {passed}/{right}"
            )
    if total_wrong:
        print(
            f"all: targeted {total_targeted}/{total_wrong} ({100 * total_targeted / total_wrong:.0f} %)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
