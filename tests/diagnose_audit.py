"""Grades the catalogue's answers with the diagnosers instrumented, and reports what they said.

Run with the kit's environment:
    .tox/kit/bin/python tests/diagnose_audit.py [EXERCISE ...] [--wrong] [--json PATH]
Under KIT_DIAGNOSE_AUDIT every expect_close runs the generic diagnosers (grader.toolkit.
diagnose) even where the learner's value is right, and a passing check looks for methods named
without a call; each reports what it found. By default the correct-but-different answers are
graded (the mutants that must pass and the beginner answers that pass): on them every
diagnoser must stay silent (tests/test_diagnose_silence.py asserts it). With --wrong the wrong
answers are graded instead, and each relation the generic layer would have named beside a
check's own Mistake is printed, for a person to read for contradictions.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import grading, manifest
from grader.dev import beginners, mutants
from grader.records import DiagnosisAudit
from grader.toolkit import diagnose


def variants(exercises: list[str], wrong: bool) -> list[tuple[str, str, object]]:
    """(exercise, name, mutant or case) for the selected exercises (all by default)."""
    found = [(m.exercise, f"mutant {m.id}", m) for m in mutants.all_mutants() if m.wrong == wrong]
    found += [
        (c.exercise, f"beginner {c.chapter}/{c.file}", c)
        for c in beginners.load_cases()
        if c.wrong == wrong
    ]
    return [v for v in found if not exercises or v[0] in exercises]


def audit(selected: list[tuple[str, str, object]]) -> list[dict]:
    os.environ[diagnose.AUDIT] = "1"  # before the server starts: its processes copy it
    ids = sorted({exercise for exercise, _, _ in selected})
    server = grading.start_server([manifest.find(i) for i in ids])
    out = []
    for exercise, name, variant in selected:
        records: list[dict] = []

        def on_record(record, records=records) -> None:
            if isinstance(record, DiagnosisAudit):
                records.append(dataclasses.asdict(record))

        with tempfile.TemporaryDirectory(prefix="kit-audit-") as tmp:
            options = grading.Options(variant.write(Path(tmp)).resolve(), 1234, "all", 1.0)
            result = grading.grade_one(server, manifest.find(exercise), options, on_record)
        out.append(
            {"exercise": exercise, "variant": name, "status": result.status, "records": records}
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--wrong", action="store_true", help="grade the wrong answers instead")
    parser.add_argument("--json", type=Path, help="write every record to this file")
    args = parser.parse_args()
    results = audit(variants(args.exercises, args.wrong))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    for result in results:
        for record in result["records"]:
            if record["outcome"] in ("fired_on_pass", "crashed") or (
                args.wrong and record.get("diagnoser")
            ):
                print(f"{result['variant']}: {json.dumps(record)}")
    silent = sum(r["outcome"] == "silent" for result in results for r in result["records"])
    print(f"{len(results)} answers graded; diagnosers ran silent on {silent} right values")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
