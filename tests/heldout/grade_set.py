"""Grades the held-out set with a given kit checkout and dumps every verdict and message.

    python grade_set.py KIT_ROOT OUT.json [CHAPTER ...]
"""
import json, sys, tempfile, tomllib
from pathlib import Path

KIT = Path(sys.argv[1]).resolve()  # run it from the kit root: see BENCHMARKS.md on SIGSEGV
OUT = Path(sys.argv[2])
CHAPTERS = sys.argv[3:]
sys.path.insert(0, str(KIT))
from grader import grading, manifest  # noqa: E402

SET = Path(__file__).resolve().parent


def main():
    cases = []
    for toml in sorted(SET.glob("*.toml")):
        if CHAPTERS and toml.stem not in CHAPTERS:
            continue
        for entry in tomllib.loads(toml.read_text())["case"]:
            cases.append({"chapter": toml.stem, **entry})
    exercises = {c["exercise"]: manifest.find(c["exercise"]) for c in cases}
    server = grading.start_server(list(exercises.values()))
    out = []
    for n, case in enumerate(cases, 1):
        exercise = exercises[case["exercise"]]
        with tempfile.TemporaryDirectory(prefix="kit-heldout-") as tmp:
            target = Path(tmp) / exercise.module
            target.parent.mkdir(parents=True)
            target.write_text((SET / case["chapter"] / case["file"]).read_text())
            options = grading.Options(Path(tmp).resolve(), 1234, "all", 1.0)
            result = grading.grade_one(server, exercise, options)
        out.append({
            **case,
            "got_status": result.status,
            "score": result.score,
            "max_score": result.max_score,
            "checks": [{"name": c.name, "status": c.status, "message": c.message} for c in result.checks],
            "notes": result.notes,
        })
        print(f"{n}/{len(cases)} {case['chapter']}/{case['file']}: {result.status}", flush=True)
        OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
