#!/usr/bin/env python3
"""How the probability of an ECOWAS intervention and of armed conflict in Niger changes with
one parameter, from a casus sweep. Standard library only.

    python3 scripts/intervention_curve.py        # NGA.war_opposition=0..1:5, 200 runs per value, the example overrides
    python3 scripts/intervention_curve.py --param NGA.war_opposition --values 0,0.5,1 --runs 100 \\
        --set intervention.launch_intercept=6    # replaces both example overrides
    python3 scripts/intervention_curve.py --set none   # no overrides: the scenario's own values

The casus binary: $CASUS if set, else `casus` on PATH (`cargo install --locked --path .` puts
it there). When neither is found the script stops with exit code 127.

Overrides: without --set the script passes its example values to every run,
--set intervention.pledge_share=0.12 --set intervention.launch_intercept=4 (those of
scenarios/sweeps/nigeria_war_opposition.ron). With the catalogue values (0.05 and 1.5) no
intervention is launched on the default scenario: P(intervention) is 0 at every value. Any
--set replaces the example values (all of them); --set none runs with none.

It prints the binary, the overrides and the exact `casus sweep` command it runs (in a temporary
folder), then one line per value with 95% Wilson intervals. casus's errors come back with its
exit code (2: bad input, the message on stderr says which).
"""
import argparse
import csv
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

EXAMPLE_SETS = ["intervention.pledge_share=0.12", "intervention.launch_intercept=4"]
INSTALL = "run `cargo install --locked --path .` in the casus source folder to put casus on PATH"


def find_casus():
    """The casus binary as an absolute path, and where it came from: $CASUS if set, else casus
    on PATH. Exits with 127 and a message naming both when neither is an executable."""
    env = os.environ.get("CASUS")
    if env:
        found = shutil.which(env)
        if found is None:
            sys.stderr.write(f"casus not found: CASUS={env} is not an executable file; set CASUS=/path/to/casus, or unset CASUS and {INSTALL}\n")
            sys.exit(127)
        return os.path.abspath(found), "$CASUS"
    found = shutil.which("casus")
    if found is None:
        sys.stderr.write(f"casus not found: CASUS is not set and there is no casus on PATH; set CASUS=/path/to/casus, or {INSTALL}\n")
        sys.exit(127)
    return os.path.abspath(found), "casus on PATH"


def wilson(k, n, z=1.96):
    """95% Wilson interval for a proportion k/n."""
    if n == 0:
        return (0.0, 0.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def column_of(param):
    """The parameter's column in runs.csv: p_ and its name, each character other than an ASCII
    letter or digit replaced by _ (docs/sweeps.md, "Columns and types")."""
    return "p_" + "".join(c if c.isascii() and c.isalnum() else "_" for c in param)


def value_order(v):
    """Numbers in numeric order, then words (such as regimes) in alphabetical order."""
    try:
        return (0, float(v), "")
    except ValueError:
        return (1, 0.0, v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--param", default="NGA.war_opposition", help="the parameter to vary (default: %(default)s)")
    ap.add_argument("--values", default="0..1:5", help="a,b,c or lo..hi:n (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=200, help="runs per value (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=3, help="root seed (default: %(default)s)")
    ap.add_argument("--scenario", default=None, help="scenario file (default: the embedded Niger 2023)")
    ap.add_argument(
        "--set",
        action="append",
        default=None,
        metavar="NAME=VALUE",
        help="an override passed to every run, repeatable (default: " + " ".join(EXAMPLE_SETS) + "); "
        "any --set replaces the defaults, --set none passes no override",
    )
    args = ap.parse_args()

    if args.set is None:
        sets, origin = EXAMPLE_SETS, "the script's example values; --set replaces them, --set none drops them"
    elif args.set == ["none"]:
        sets, origin = [], "--set none"
    elif "none" in args.set:
        ap.error("--set none cannot be combined with other --set")
    else:
        sets, origin = args.set, "from --set"

    casus, found_by = find_casus()
    cmd = [casus, "sweep"]
    if args.scenario:
        cmd.append(os.path.abspath(args.scenario))
    cmd += ["--param", f"{args.param}={args.values}", "--runs", str(args.runs), "--seed", str(args.seed)]
    for s in sets:
        cmd += ["--set", s]
    cmd += ["--out", "sweep", "--quiet"]

    print(f"binary:    {casus} ({found_by})")
    print(f"overrides: {' '.join(sets) if sets else 'none'} ({origin})")
    print(f"command:   {shlex.join(cmd)}")
    print()
    sys.stdout.flush()

    with tempfile.TemporaryDirectory() as tmp:
        try:
            done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        except OSError as e:
            sys.stderr.write(f"casus could not be started ({casus}: {e.strerror}); set CASUS=/path/to/casus, or {INSTALL}\n")
            sys.exit(127)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            sys.exit(done.returncode)

        counts = defaultdict(lambda: [0, 0, 0])  # value -> [runs, interventions, armed conflicts]
        with open(os.path.join(tmp, "sweep", "runs.csv"), newline="") as f:
            for row in csv.DictReader(f):
                c = counts[row[column_of(args.param)]]
                c[0] += 1
                c[1] += row["intervention_launched_day"] != ""
                c[2] += row["armed_conflict"] == "true"

    print(f"{args.param:>24}  {'runs':>5}  {'P(intervention)':>24}  {'P(armed conflict)':>24}")
    for value in sorted(counts, key=value_order):
        n, k_int, k_war = counts[value]
        lo1, hi1 = wilson(k_int, n)
        lo2, hi2 = wilson(k_war, n)
        p_int = f"{k_int / n:.3f} [{lo1:.3f}, {hi1:.3f}]"
        p_war = f"{k_war / n:.3f} [{lo2:.3f}, {hi2:.3f}]"
        print(f"{value:>24}  {n:>5}  {p_int:>24}  {p_war:>24}")


if __name__ == "__main__":
    main()
