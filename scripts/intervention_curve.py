#!/usr/bin/env python3
"""How the probability of an ECOWAS intervention and of armed conflict in Niger changes with
one parameter, from a casus sweep. Standard library only.

    python3 scripts/intervention_curve.py                      # NGA.war_opposition, 200 runs per value
    python3 scripts/intervention_curve.py --param NGA.war_opposition --values 0..1:5 --runs 100
    CASUS=target/release/casus python3 scripts/intervention_curve.py

It runs `casus sweep` through the command line (exit code 2 means bad input: the message on
stderr says which), reads runs.csv, and prints one line per value with 95% intervals.
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
from collections import defaultdict


def wilson(k, n, z=1.96):
    """95% Wilson interval for a proportion k/n."""
    if n == 0:
        return (0.0, 0.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--param", default="NGA.war_opposition")
    ap.add_argument("--values", default="0..1:5", help="a,b,c or lo..hi:n")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--scenario", default=None, help="scenario file (default: the embedded Niger 2023)")
    ap.add_argument("--set", action="append", default=["intervention.pledge_share=0.12", "intervention.launch_intercept=4"])
    args = ap.parse_args()

    casus = os.environ.get("CASUS", "casus")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "sweep")
        cmd = [casus, "sweep", "--param", f"{args.param}={args.values}", "--runs", str(args.runs),
               "--seed", str(args.seed), "--out", out, "--quiet"]
        if args.scenario:
            cmd.insert(2, args.scenario)
        for s in args.set:
            cmd += ["--set", s]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            sys.exit(done.returncode)

        counts = defaultdict(lambda: [0, 0, 0])  # value -> [runs, interventions, armed conflicts]
        with open(os.path.join(out, "runs.csv"), newline="") as f:
            for row in csv.DictReader(f):
                c = counts[row[args.param]]
                c[0] += 1
                c[1] += row["intervention_launched_day"] != ""
                c[2] += row["armed_conflict"] == "true"

    print(f"{args.param:>24}  {'runs':>5}  {'P(intervention)':>24}  {'P(armed conflict)':>24}")
    for value in sorted(counts, key=float):
        n, k_int, k_war = counts[value]
        lo1, hi1 = wilson(k_int, n)
        lo2, hi2 = wilson(k_war, n)
        print(f"{value:>24}  {n:>5}  {k_int / n:>6.3f} [{lo1:.3f}, {hi1:.3f}]  {k_war / n:>6.3f} [{lo2:.3f}, {hi2:.3f}]")


if __name__ == "__main__":
    main()
