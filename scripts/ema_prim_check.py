#!/usr/bin/env python3
"""Check casus's scenario discovery (PRIM) against EMA Workbench's, on the same sweep's runs.

Usage: python3 scripts/ema_prim_check.py SWEEP_DIR DISCOVERY.json TOLERANCE

SWEEP_DIR is a finished casus sweep folder and DISCOVERY.json the output of
`casus analyze SWEEP_DIR --discover OUTCOME --json` on it, for a yes/no OUTCOME (written by
`tests/ema.rs`; run it with CASUS_PYTHON set to a Python with ema_workbench, pandas and numpy).

The script reads runs.csv with pandas, one row per run: the swept parameters (typed as the
manifest says: floats, integers, and words for booleans and categories) as x, the outcome as
y (1 for a case). It runs `ema_workbench.analysis.prim.Prim(x, y, threshold=...,
peel_alpha=..., paste_alpha=..., mass_min=...)` with casus's settings and `find_box()`, and
compares EMA's peeling trajectory with casus's, box by box: the same number of boxes, the same
coverage, density and mass (to 1e-9), the same restricted parameters, and numeric bounds
within TOLERANCE of the parameter's range (sets of words equal). It prints the boxes side by
side and exits 1 if anything disagrees (2 on a bad argument or missing module).
"""

import json
import logging
import sys
import warnings

try:
    import numpy as np
    import pandas as pd
    from ema_workbench.analysis import prim
except ImportError as e:
    print(f"error: {e}; install with: pip install ema_workbench pandas numpy", file=sys.stderr)
    sys.exit(2)

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)


def load(sweep, outcome):
    manifest = json.load(open(f"{sweep}/manifest.json"))
    runs = pd.read_csv(f"{sweep}/runs.csv", dtype=str, keep_default_na=False)
    x = pd.DataFrame()
    kinds = {}
    for c in manifest["columns"]:
        name, col, kind = c["param"], c["column"], c["type"]
        if kind == "float":
            x[name] = runs[col].astype(np.float64)
        elif kind == "integer":
            x[name] = runs[col].astype(np.int64)
        else:
            x[name] = runs[col].astype(object)
        kinds[name] = kind
    y = (runs[outcome] == "true").astype(int).values
    return x, y, kinds


def ema_boxes(box, x, kinds):
    rows = []
    init = box.prim.box_init
    for i, lims in enumerate(box.box_lims):
        t = box.peeling_trajectory.iloc[i]
        restricted = {}
        for name in x.columns:
            lo, hi = lims.loc[0, name], lims.loc[1, name]
            if kinds[name] in ("float", "integer"):
                if lo != init.loc[0, name] or hi != init.loc[1, name]:
                    restricted[name] = (float(lo), float(hi))
            elif set(lo) != set(init.loc[0, name]):
                restricted[name] = sorted(str(v) for v in lo)
        rows.append({"coverage": float(t["coverage"]), "density": float(t["density"]), "mass": float(t["mass"]), "restricted": restricted})
    return rows


def casus_boxes(d):
    rows = []
    for b in d["trajectory"]:
        restricted = {}
        for r in b["restricted"]:
            restricted[r["parameter"]] = sorted(r["values"]) if "values" in r else (r["lower"], r["upper"])
        rows.append({"coverage": b["coverage"], "density": b["density"], "mass": b["mass"], "restricted": restricted})
    return rows


def fmt(restricted):
    parts = []
    for name, lim in sorted(restricted.items()):
        if isinstance(lim, list):
            parts.append(f"{name} in {{{', '.join(lim)}}}")
        else:
            parts.append(f"{name} {lim[0]:.6g}..{lim[1]:.6g}")
    return "; ".join(parts) or "-"


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sweep, discovery, tolerance = sys.argv[1], json.load(open(sys.argv[2])), float(sys.argv[3])
    o = discovery["options"]
    x, y, kinds = load(sweep, discovery["outcome"])
    p = prim.Prim(x, y, threshold=o["threshold"], peel_alpha=o["peel_alpha"], paste_alpha=o["paste_alpha"], mass_min=o["min_mass"])
    box = p.find_box()
    ema, ours = ema_boxes(box, x, kinds), casus_boxes(discovery)
    if box.peeling_trajectory.shape[0] == 1 and len(ours) > 1:
        print(f"EMA Workbench returned its dump box: the last box's density is below the threshold {o['threshold']}; give a lower --threshold")
        sys.exit(1)
    spans = {n: float(x[n].max() - x[n].min()) for n in x.columns if kinds[n] in ("float", "integer")}
    problems = []
    if len(ema) != len(ours):
        problems.append(f"EMA's trajectory has {len(ema)} boxes, casus's {len(ours)}")
    print(f"PRIM on {discovery['case']}: {len(y)} runs, {int(y.sum())} cases; EMA Workbench's find_box() returned a box of density {box.density:.4f}")
    print(f"{'box':>4} {'coverage casus/EMA':>22} {'density casus/EMA':>22} {'mass casus/EMA':>18}  restrictions")
    for i, (a, b) in enumerate(zip(ours, ema)):
        ra, rb = fmt(a["restricted"]), fmt(b["restricted"])
        same = "(both)" if ra == rb else f"| EMA: {rb}"
        print(f"{i:>4} {a['coverage']:>10.6f}/{b['coverage']:<10.6f}  {a['density']:>10.6f}/{b['density']:<10.6f}  {a['mass']:>8.6f}/{b['mass']:<8.6f}  {ra} {same}")
        for k in ("coverage", "density", "mass"):
            if abs(a[k] - b[k]) > 1e-9:
                problems.append(f"box {i}: {k} {a[k]} (casus) vs {b[k]} (EMA)")
        if set(a["restricted"]) != set(b["restricted"]):
            problems.append(f"box {i}: casus restricts {sorted(a['restricted'])}, EMA {sorted(b['restricted'])}")
            continue
        for name, lim in a["restricted"].items():
            other = b["restricted"][name]
            if isinstance(lim, list):
                if lim != other:
                    problems.append(f"box {i}: {name}: casus keeps {lim}, EMA {other}")
            elif max(abs(lim[0] - other[0]), abs(lim[1] - other[1])) > tolerance * spans[name]:
                problems.append(f"box {i}: {name}: casus {lim}, EMA {other}")
    last = ours[-1]
    print(f"last box (EMA's find_box): casus {fmt(last['restricted'])}; EMA {fmt(ema[-1]['restricted'])}")
    chosen = discovery["chosen"]
    print(f"casus's chosen box {chosen} ({discovery['rule']}): {fmt(ours[chosen]['restricted'])}")
    if problems:
        print("DISAGREEMENT:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"casus's PRIM agrees with EMA Workbench's: {len(ours)} boxes, bounds within {tolerance} of each range")


if __name__ == "__main__":
    main()
