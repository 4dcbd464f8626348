#!/usr/bin/env python3
"""Check casus's sensitivity designs and indices against SALib, on the same design and outputs.

Usage: python3 scripts/salib_check.py CASE.json...

Each CASE.json is written by casus's test `tests/salib.rs` (run it with CASUS_PYTHON set to a
Python with SALib and numpy: `pip install SALib numpy`); it holds:

  kind          "sobol" or "morris"
  function      the test function's name, and `analytic` its known indices (if any)
  names         the parameters
  n, second_order / trajectories, levels
  X             casus's design in the unit hypercube, one row per point
  Y             the function at each point
  casus         the indices casus computed from X and Y

For a Sobol case the script makes SALib's design (`SALib.sample.sobol.sample` unscrambled, no
point skipped) and requires it to equal casus's; then it runs `SALib.analyze.sobol.analyze` on
casus's Y and requires S1, ST (and S2) to agree to 1e-9 (the same estimators on the same
numbers) and the confidence half-widths to agree within 25% (both bootstrap, with different
random resamples). For a Morris case it runs `SALib.analyze.morris.analyze` on casus's X and Y
and requires mu, mu* and sigma to agree to 1e-9 and mu*'s half-width within 25%. It prints the
indices side by side, and exits 1 if anything disagrees (2 on a bad argument or missing module).
"""

import json
import sys

try:
    import numpy as np
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
except ImportError as e:  # pragma: no cover - the message is the point
    sys.exit(f"salib_check.py: {e}; install them with: pip install SALib numpy")

RESAMPLES = 1000
EXACT = 1e-9
CONF_REL = 0.25

failures = []


def check(label, casus, salib, tol=EXACT):
    if abs(casus - salib) > tol:
        failures.append(f"{label}: casus {casus:.12g}, SALib {salib:.12g}")


def check_conf(label, casus, salib):
    if abs(casus - salib) > CONF_REL * max(casus, salib) + 1e-9:
        failures.append(f"{label} (half-width): casus {casus:.6g}, SALib {salib:.6g}, more than {CONF_REL:.0%} apart")


def sobol_case(case):
    names = case["names"]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    second = case["second_order"]
    X = np.array(case["X"], dtype=float)
    Y = np.array(case["Y"], dtype=float)
    ref = sobol_sample.sample(problem, case["n"], calc_second_order=second, scramble=False)
    if ref.shape != X.shape:
        failures.append(f"{case['function']}: SALib's design is {ref.shape}, casus's {X.shape}")
        return
    gap = float(np.max(np.abs(ref - X)))
    print(f"  design: {X.shape[0]} points, largest difference from SALib's sobol.sample: {gap:.3g}")
    if gap > 1e-12:
        failures.append(f"{case['function']}: the design differs from SALib's by {gap}")
    si = sobol_analyze.analyze(problem, Y, calc_second_order=second, num_resamples=RESAMPLES, conf_level=0.95, seed=1)
    ours = case["casus"]
    analytic = case.get("analytic", {})
    print(f"  {'parameter':<10} {'index':<5} {'analytic':>9} {'casus':>10} {'SALib':>10} {'casus ±':>9} {'SALib ±':>9}")
    for j, name in enumerate(names):
        for key in ("S1", "ST"):
            a = analytic.get(key, [None] * len(names))[j]
            c, s = ours[key][j], float(si[key][j])
            cc, sc = ours[key + "_conf"][j], float(si[key + "_conf"][j])
            a_text = f"{a:9.4f}" if a is not None else f"{'':9}"
            print(f"  {name:<10} {key:<5} {a_text} {c:10.6f} {s:10.6f} {cc:9.4f} {sc:9.4f}")
            check(f"{case['function']} {key}[{name}]", c, s)
            check_conf(f"{case['function']} {key}[{name}]", cc, sc)
    for j, k, c, cc in ours.get("S2", []):
        s, sc = float(si["S2"][j, k]), float(si["S2_conf"][j, k])
        print(f"  {names[j] + ' x ' + names[k]:<16} S2 {c:10.6f} {s:10.6f} {cc:9.4f} {sc:9.4f}")
        check(f"{case['function']} S2[{names[j]}, {names[k]}]", c, s)
        check_conf(f"{case['function']} S2[{names[j]}, {names[k]}]", cc, sc)


def morris_case(case):
    names = case["names"]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    X = np.array(case["X"], dtype=float)
    Y = np.array(case["Y"], dtype=float)
    si = morris_analyze.analyze(problem, X, Y, num_resamples=RESAMPLES, conf_level=0.95, num_levels=case["levels"], seed=1)
    ours = case["casus"]
    print(f"  {X.shape[0]} points, {case['trajectories']} trajectories, {case['levels']} levels")
    print(f"  {'parameter':<10} {'mu* casus':>10} {'mu* SALib':>10} {'mu casus':>10} {'mu SALib':>10} {'sigma casus':>11} {'sigma SALib':>11} {'± casus':>8} {'± SALib':>8}")
    for j, name in enumerate(names):
        row = [ours["mu_star"][j], float(si["mu_star"][j]), ours["mu"][j], float(si["mu"][j]), ours["sigma"][j], float(si["sigma"][j])]
        conf = (ours["mu_star_conf"][j], float(si["mu_star_conf"][j]))
        print(f"  {name:<10} {row[0]:10.5f} {row[1]:10.5f} {row[2]:10.5f} {row[3]:10.5f} {row[4]:11.5f} {row[5]:11.5f} {conf[0]:8.4f} {conf[1]:8.4f}")
        for key, (c, s) in zip(("mu_star", "mu", "sigma"), (row[0:2], row[2:4], row[4:6])):
            check(f"{case['function']} {key}[{name}]", c, s)
        check_conf(f"{case['function']} mu_star[{name}]", *conf)


def main(paths):
    if not paths:
        sys.stderr.write(__doc__)
        return 2
    from importlib.metadata import version

    print(f"SALib {version('SALib')}, numpy {np.__version__}")
    for path in paths:
        with open(path) as f:
            case = json.load(f)
        print(f"\n{case['function']} ({case['kind']}, {path})")
        {"sobol": sobol_case, "morris": morris_case}[case["kind"]](case)
    if failures:
        print("\nDISAGREE:\n  " + "\n  ".join(failures))
        return 1
    print("\nall indices agree with SALib")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
