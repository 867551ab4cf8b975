"""Judge inputs for a new grading, carrying the labels of cases whose verdict and messages did
not change since an earlier judged grading (same got_status, same messages, same notes: a judge
would see the same thing).

    python carry.py ../results/after2.json after2 after
writes todo_after2_{A,B,C}.json (cases to judge: changed since results/after.json) and
carried_after2_{A,B,C}.json (labels_after_* kept); the third argument, the earlier run, is
"before" by default. After judging (judged_after2_{A,B,C}.json),
`python carry.py --merge after2` writes labels_after2_{A,B,C}.json.
"""
import json, re, sys

# The grading's temporary folder has a new random name each run (in tracebacks and picture
# paths); a judge reads the same message whatever it is called.
TEMP = re.compile(r"kit-[a-z0-9_]+-[a-z0-9_]{8}(-[0-9a-f]+)?")

GROUPS = {"A": ("ch1_theory", "ch2_pytorch"), "B": ("ch3_housing", "ch4_cifar")}


def group(case):
    chapter = case.split("/")[0]
    return next((g for g, chs in GROUPS.items() if chapter in chs), "C")


def judge_input(entry):
    return {
        "case": f"{entry['chapter']}/{entry['file']}",
        "exercise": entry["exercise"],
        "intended": entry["status"],
        "misconception": entry["misconception"],
        "got_status": entry["got_status"],
        "messages": [f"[{c['status']}] {c['name']}: {c['message']}" for c in entry["checks"]
                     if c["status"] != "passed"],
        "notes": entry["notes"],
    }


def unnamed(judge_entry):
    return TEMP.sub("kit-TMP", json.dumps(judge_entry))


if sys.argv[1] == "--merge":
    run = sys.argv[2]
    for g in "ABC":
        carried = json.load(open(f"carried_{run}_{g}.json"))
        judged = json.load(open(f"judged_{run}_{g}.json"))
        order = [x["case"] for x in json.load(open(f"all_{run}_{g}.json"))]
        by = {x["case"]: x for x in carried + judged}
        missing = [c for c in order if c not in by]
        assert not missing, missing
        json.dump([by[c] for c in order], open(f"labels_{run}_{g}.json", "w"), indent=1, ensure_ascii=False)
    sys.exit()

results, run = json.load(open(sys.argv[1])), sys.argv[2]
base = sys.argv[3] if len(sys.argv) > 3 else "before"
earlier = {x["case"]: x for x in map(judge_input, json.load(open(f"../results/{base}.json")))}
labels = {x["case"]: x for g in "ABC" for x in json.load(open(f"labels_{base}_{g}.json"))}
for g in "ABC":
    inputs = [judge_input(e) for e in results if group(f"{e['chapter']}/{e['file']}") == g]
    same = [x for x in inputs if unnamed(earlier[x["case"]]) == unnamed(x)]
    todo = [x for x in inputs if unnamed(earlier[x["case"]]) != unnamed(x)]
    json.dump(inputs, open(f"all_{run}_{g}.json", "w"), indent=1, ensure_ascii=False)
    json.dump(todo, open(f"todo_{run}_{g}.json", "w"), indent=1, ensure_ascii=False)
    json.dump([{**labels[x["case"]], "carried": True} for x in same],
              open(f"carried_{run}_{g}.json", "w"), indent=1, ensure_ascii=False)
    print(g, "cases", len(inputs), "changed (to judge)", len(todo), "carried", len(same))
