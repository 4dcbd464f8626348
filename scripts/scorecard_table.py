#!/usr/bin/env python3
"""Turns `casus validate --json` into the Markdown table docs/casebook.md shows.

    casus validate scenarios/history --json | python3 scripts/scorecard_table.py
"""
import json
import sys

card = json.load(sys.stdin)
print("| case | modal class (share) | history (also) | class | days | measures | Brier |")
print("|---|---|---|---|---|---|---|")
for c in card["cases"]:
    modal = f'{c["modal"]} ({100 * c["shares"].get(c["modal"], 0):.0f}%)'
    hist = c["expected"] + (f' ({", ".join(c["also"])})' if c["also"] else "")
    days = sum(d["ok"] for d in c["days"])
    meas = sum(m["ok"] for m in c["measures"])
    print(
        f'| {c["name"]} | {modal} | {hist} | {"ok" if c["class_ok"] else "FAIL"} '
        f'| {days}/{len(c["days"])} | {meas}/{len(c["measures"])} | {c["brier"]:.3f} |'
    )
t = card["totals"]
print()
print(
    f'{t["pass"]}/{t["cases"]} cases pass every check; the modal class matches history in '
    f'{t["class_ok"]}/{t["cases"]}; every day check passes in {t["days_ok"]}/{t["cases"]}; every '
    f'measure check in {t["measures_ok"]}/{t["cases"]}; mean Brier score {t["mean_brier"]:.3f}, '
    f'mean log score {t["mean_log_score"]:.3f} ({card["runs"]} runs per case).'
)
