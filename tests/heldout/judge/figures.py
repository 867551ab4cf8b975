"""Figures of a judged run: python figures.py before|after"""
import json, sys
from collections import Counter
run = sys.argv[1]
labels = {}
for g in "ABC":
    for x in json.load(open(f"labels_{run}_{g}.json")):
        labels[x["case"]] = x
cat = {x["case"]: x["catalogue"] for x in json.load(open("catalogue_labels.json"))}
rows = Counter()
for case, x in labels.items():
    if x["label"] in ("accepted", "rejected"):
        rows[("correct", x["label"])] += 1
    else:
        rows[(cat[case], x["label"])] += 1
for where in ("in", "out"):
    n = sum(v for (w, l), v in rows.items() if w == where)
    named = rows[(where, "named")]
    wrong = rows[(where, "wrong_cause")]
    missed = rows[(where, "missed")]
    generic = rows[(where, "generic")]
    print(f"{where:4} n={n:3} named={named} ({100*named/n:.0f} %) generic={generic} wrong_cause={wrong} missed={missed}")
acc, rej = rows[("correct", "accepted")], rows[("correct", "rejected")]
print(f"correct: accepted {acc}/{acc+rej}")
disputed = [c for c, x in labels.items() if x["label"] == "missed" and "disputed" in x["why"].lower()]
print("disputed misses:", disputed)
