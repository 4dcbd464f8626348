//! Sensitivity designs and their indices (pure): Saltelli's scheme over a Sobol sequence with
//! first-order, total and second-order Sobol indices, and Morris's elementary effects with
//! mu*, mu and sigma, each with bootstrap confidence intervals.
//!
//! Designs are made in the unit hypercube, one coordinate per swept parameter, and mapped to
//! values by the parameter's sampler (as in `random` and `lhs` designs: a range uniformly, an
//! integer through the one rounding rule, a distribution by its quantile, `choice(...)` in
//! equal shares of [0, 1]). `casus analyze` makes the unit design again from the plan, so the
//! estimators read the very coordinates the points were made from.
//!
//! The estimators are those of SALib (`SALib.analyze.sobol`, `SALib.analyze.morris`), so that
//! results can be checked against it on the same design and outputs (tests/salib.rs):
//! - first order (Saltelli et al. 2010): `S_j = mean(f(B) (f(AB_j) - f(A))) / V`;
//! - total (Jansen 1999): `ST_j = mean((f(A) - f(AB_j))^2) / (2 V)`;
//! - second order (Saltelli 2002): `S_jk = mean(f(BA_j) f(AB_k) - f(A) f(B)) / V - S_j - S_k`;
//!
//! with `V` the variance (divisor n) of `f(A)` and `f(B)` together, after the outputs are
//! centred and scaled by their mean and standard deviation. A confidence interval is
//! `estimate ± conf`, `conf = 1.96 × the standard deviation of the estimate over bootstrap
//! resamples` of the base rows (Morris: of the elementary effects).

use crate::model::draw::{Draws, Purpose};
use crate::sweep::sobol::{MAX_DIMENSIONS, Sobol};
use crate::sweep::{Design, MAX_POINTS, PlanError, Point, Swept};

/// The most parameters a Sobol design takes: the sequence has two dimensions per parameter.
pub const MAX_SOBOL_PARAMETERS: usize = MAX_DIMENSIONS / 2;

/// Bootstrap resamples behind every confidence interval.
pub const RESAMPLES: usize = 1000;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Points of a Saltelli design: `n (k + 2)`, or `n (2k + 2)` with second-order indices.
pub fn saltelli_len(n: usize, k: usize, second_order: bool) -> usize {
    n.saturating_mul(if second_order { 2 * k + 2 } else { k + 2 })
}

/// Saltelli's design in the unit hypercube: for each base row `i` in `0..n`, Sobol point `i`
/// over `2k` dimensions split into `A` (the first `k`) and `B` (the last `k`), the rows `A`,
/// `AB_1 .. AB_k` (`A` with column `j` from `B`), with second order `BA_1 .. BA_k` (`B` with
/// column `j` from `A`), then `B`: SALib's layout. No point is skipped: point 0 is the origin.
pub fn saltelli(n: usize, k: usize, second_order: bool) -> Result<Vec<Vec<f64>>, PlanError> {
    if k > MAX_SOBOL_PARAMETERS {
        return Err(PlanError(format!(
            "a Sobol design takes at most {MAX_SOBOL_PARAMETERS} parameters (its sequence has direction numbers for {MAX_DIMENSIONS} dimensions, two per parameter); this plan sweeps {k}"
        )));
    }
    let sobol = Sobol::new(2 * k.max(1)).map_err(|e| PlanError(e.to_string()))?;
    let mut rows = Vec::with_capacity(saltelli_len(n, k, second_order));
    for i in 0..n {
        let base = sobol.point(i as u64);
        let (a, b) = base.split_at(k);
        rows.push(a.to_vec());
        for j in 0..k {
            let mut ab = a.to_vec();
            ab[j] = b[j];
            rows.push(ab);
        }
        if second_order {
            for j in 0..k {
                let mut ba = b[..k].to_vec();
                ba[j] = a[j];
                rows.push(ba);
            }
        }
        rows.push(b[..k].to_vec());
    }
    Ok(rows)
}

/// The Morris jump in the unit interval for a grid of `levels` levels: `levels / (2 (levels - 1))`.
pub fn morris_delta(levels: u32) -> f64 {
    f64::from(levels) / (2.0 * f64::from(levels - 1))
}

/// Morris's design in the unit hypercube: `r` trajectories of `k + 1` points on the grid
/// `{0, 1/(p-1), ..., 1}` of `p = levels` levels. A trajectory starts at a random grid point
/// (each coordinate `x*` drawn from the levels at most `1 - Δ`, then raised by `Δ` when its
/// direction is down) and moves one parameter at a time, in a random order, by `Δ` up or down,
/// so each parameter changes exactly once (Morris 1991; SALib's `morris.sample` without
/// optimisation). Drawn from `seed` alone.
pub fn morris(r: usize, k: usize, levels: u32, seed: u64) -> Vec<Vec<f64>> {
    let draws = Draws::new(seed);
    let half = u64::from(levels / 2); // Δ in grid steps; also the number of starting levels
    let step = f64::from(levels - 1);
    let mut rows = Vec::with_capacity(r * (k + 1));
    for t in 0..r as u64 {
        let mut level: Vec<u64> = Vec::with_capacity(k);
        let mut up: Vec<bool> = Vec::with_capacity(k);
        for j in 0..k as u64 {
            let start = draws.bits(Purpose::SweepDesign, &[t, j, 3]) % half;
            let rising = draws.bits(Purpose::SweepDesign, &[t, j, 4]) & 1 == 0;
            level.push(if rising { start } else { start + half });
            up.push(rising);
        }
        let mut order: Vec<(u64, usize)> = (0..k).map(|j| (draws.bits(Purpose::SweepDesign, &[t, j as u64, 5]), j)).collect();
        order.sort();
        let unit = |level: &[u64]| level.iter().map(|l| *l as f64 / step).collect::<Vec<f64>>();
        rows.push(unit(&level));
        for (_, j) in order {
            level[j] = if up[j] { level[j] + half } else { level[j] - half };
            rows.push(unit(&level));
        }
    }
    rows
}

/// Checks a Sobol or Morris design's numbers (any other design passes).
pub fn check_design(design: Design) -> Result<(), PlanError> {
    let e = |m: String| Err(PlanError(m));
    match design {
        Design::Sobol(0, _) => e("the design sobol:0 has no points; give at least 1 base row (a power of 2, such as 256, is best)".into()),
        Design::Sobol(_, order) if !matches!(order, 1 | 2) => {
            e(format!("a Sobol design of order {order}: give 1 (first-order and total indices) or 2 (also second-order: sobol:N:2)"))
        }
        Design::Morris(r, _) if r < 2 => {
            e(format!("a Morris design of {r} trajectory: give at least 2 (sigma is a standard deviation over them), 10 or more is usual"))
        }
        Design::Morris(_, levels) if levels < 2 || levels % 2 == 1 || levels > 1000 => e(format!(
            "a Morris design of {levels} levels: give an even number from 2 to 1000 (the jump levels/(2(levels-1)) keeps the points on the grid only for an even number)"
        )),
        _ => Ok(()),
    }
}

/// The unit-hypercube rows of a Sobol or Morris design over `k` parameters, in point order.
pub fn unit_design(design: Design, k: usize, seed: u64) -> Result<Vec<Vec<f64>>, PlanError> {
    check_design(design)?;
    let limit = |len: usize| {
        if len > MAX_POINTS { Err(PlanError(format!("the design has {len} points, more than {MAX_POINTS}"))) } else { Ok(()) }
    };
    match design {
        Design::Sobol(n, order) => {
            limit(saltelli_len(n as usize, k, order == 2))?;
            saltelli(n as usize, k, order == 2)
        }
        Design::Morris(r, levels) => {
            limit((r as usize).saturating_mul(k + 1))?;
            Ok(morris(r as usize, k, levels, seed))
        }
        other => Err(PlanError(format!("the design {other:?} is not a sensitivity design (sobol:N or morris:R)"))),
    }
}

/// The design points of a Sobol or Morris design.
pub(super) fn points(swept: &[Swept], design: Design, seed: u64) -> Result<Vec<Point>, PlanError> {
    unit_points(swept, &unit_design(design, swept.len(), seed)?)
}

/// Maps unit-hypercube rows to design points through each parameter's sampler.
pub(super) fn unit_points(swept: &[Swept], unit: &[Vec<f64>]) -> Result<Vec<Point>, PlanError> {
    let samplers: Vec<_> = swept.iter().map(Swept::sampler).collect::<Result<_, _>>()?;
    Ok(unit.iter().map(|row| swept.iter().zip(&samplers).zip(row).map(|((p, s), u)| (p.name.clone(), s.at(*u))).collect()).collect())
}

/// An index with the half-width of its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Half-width of the 95% interval: 1.96 times the bootstrap standard deviation.
    pub conf: f64,
}

/// Sobol indices of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order index of each parameter.
    pub first: Vec<Estimate>,
    /// Total index of each parameter.
    pub total: Vec<Estimate>,
    /// Second-order index of each pair `(j, k)`, `j < k`, when the design has them.
    pub second: Vec<(usize, usize, Estimate)>,
}

/// The rows of each bootstrap resample: `RESAMPLES` draws of `n` row numbers with replacement.
fn resamples(n: usize, seed: u64, tag: u64) -> Vec<Vec<usize>> {
    let draws = Draws::new(seed);
    (0..RESAMPLES as u64)
        .map(|b| (0..n as u64).map(|i| (draws.bits(Purpose::SweepDesign, &[tag, b, i]) % n as u64) as usize).collect())
        .collect()
}

/// The standard deviation (divisor m - 1) of the values.
fn sd(values: &[f64]) -> f64 {
    let m = values.len() as f64;
    if values.len() < 2 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / m;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (m - 1.0)).sqrt()
}

/// The outputs of a Saltelli design, separated.
struct Separated {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    ba: Vec<Vec<f64>>,
}

impl Separated {
    /// The variance (divisor 2m) of f(A) and f(B) over rows `rows`, or None when they are all equal.
    fn variance(&self, rows: &[usize]) -> Option<f64> {
        let m = 2.0 * rows.len() as f64;
        let mean = rows.iter().map(|&i| self.a[i] + self.b[i]).sum::<f64>() / m;
        let (lo, hi) =
            rows.iter().flat_map(|&i| [self.a[i], self.b[i]]).fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| (l.min(x), h.max(x)));
        if lo == hi {
            return None;
        }
        Some(rows.iter().map(|&i| (self.a[i] - mean).powi(2) + (self.b[i] - mean).powi(2)).sum::<f64>() / m)
    }

    fn first(&self, j: usize, rows: &[usize], v: Option<f64>) -> f64 {
        let Some(v) = v else { return 0.0 };
        rows.iter().map(|&i| self.b[i] * (self.ab[j][i] - self.a[i])).sum::<f64>() / rows.len() as f64 / v
    }

    fn total(&self, j: usize, rows: &[usize], v: Option<f64>) -> f64 {
        let Some(v) = v else { return 0.0 };
        0.5 * rows.iter().map(|&i| (self.a[i] - self.ab[j][i]).powi(2)).sum::<f64>() / rows.len() as f64 / v
    }

    fn second(&self, j: usize, k: usize, rows: &[usize], v: Option<f64>) -> f64 {
        let Some(var) = v else { return 0.0 };
        let vjk = rows.iter().map(|&i| self.ba[j][i] * self.ab[k][i] - self.a[i] * self.b[i]).sum::<f64>() / rows.len() as f64 / var;
        vjk - self.first(j, rows, v) - self.first(k, rows, v)
    }
}

/// Sobol indices of the outputs `y` of a Saltelli design over `k` parameters (in the order of
/// [`saltelli`]), with bootstrap intervals drawn from `seed`. None when every output is the
/// same (there is no variance to apportion).
pub fn sobol_indices(y: &[f64], k: usize, second_order: bool, seed: u64) -> Result<Option<SobolIndices>, String> {
    let step = if second_order { 2 * k + 2 } else { k + 2 };
    if k == 0 || y.is_empty() || !y.len().is_multiple_of(step) {
        return Err(format!("{} outputs are not a Saltelli design over {k} parameters (a multiple of {step})", y.len()));
    }
    if let Some(bad) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("output {bad} is not a number"));
    }
    let n = y.len() / step;
    // Equal outputs (their mean may differ from them in the last bit: compare the outputs).
    if y.iter().all(|v| *v == y[0]) {
        return Ok(None);
    }
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let sd_all = (y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / y.len() as f64).sqrt();
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd_all).collect();
    let col = |c: usize| (0..n).map(|i| z[i * step + c]).collect::<Vec<f64>>();
    let s = Separated {
        a: col(0),
        b: col(step - 1),
        ab: (0..k).map(|j| col(1 + j)).collect(),
        ba: if second_order { (0..k).map(|j| col(1 + k + j)).collect() } else { vec![] },
    };
    let all: Vec<usize> = (0..n).collect();
    let v = s.variance(&all);
    let boot = resamples(n, seed, 0xB007);
    let boot_v: Vec<Option<f64>> = boot.iter().map(|r| s.variance(r)).collect();
    let conf = |f: &dyn Fn(&[usize], Option<f64>) -> f64| {
        let values: Vec<f64> = boot.iter().zip(&boot_v).map(|(r, v)| f(r, *v)).collect();
        Z95 * sd(&values)
    };
    let first =
        (0..k).map(|j| Estimate { value: s.first(j, &all, v), conf: conf(&|r: &[usize], v: Option<f64>| s.first(j, r, v)) }).collect();
    let total =
        (0..k).map(|j| Estimate { value: s.total(j, &all, v), conf: conf(&|r: &[usize], v: Option<f64>| s.total(j, r, v)) }).collect();
    let mut second = vec![];
    if second_order {
        for j in 0..k {
            for l in j + 1..k {
                let e = Estimate { value: s.second(j, l, &all, v), conf: conf(&|r: &[usize], v: Option<f64>| s.second(j, l, r, v)) };
                second.push((j, l, e));
            }
        }
    }
    Ok(Some(SobolIndices { first, total, second }))
}

/// Morris measures of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisIndices {
    /// Mean absolute elementary effect of each parameter, with its bootstrap interval.
    pub mu_star: Vec<Estimate>,
    /// Mean elementary effect.
    pub mu: Vec<f64>,
    /// Standard deviation (divisor r - 1) of the elementary effects.
    pub sigma: Vec<f64>,
}

/// Morris measures of the outputs `y` of the design `unit` ([`morris`]: trajectories of `k + 1`
/// points) made with `levels` levels. A parameter's elementary effect on a trajectory is
/// `(f(x with it at the higher value) - f(x with it at the lower)) / Δ`, in output units per
/// unit of the parameter's range (SALib's unscaled effects).
pub fn morris_indices(unit: &[Vec<f64>], y: &[f64], k: usize, levels: u32, seed: u64) -> Result<MorrisIndices, String> {
    if k == 0 || y.is_empty() || y.len() != unit.len() || !y.len().is_multiple_of(k + 1) {
        return Err(format!("{} outputs are not a Morris design over {k} parameters (trajectories of {} points)", y.len(), k + 1));
    }
    if let Some(bad) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("output {bad} is not a number"));
    }
    let delta = morris_delta(levels);
    let mut effects: Vec<Vec<f64>> = vec![vec![]; k];
    for (t, (x, f)) in unit.chunks(k + 1).zip(y.chunks(k + 1)).enumerate() {
        for s in 0..k {
            let moved: Vec<usize> = (0..k).filter(|&j| x[s + 1][j] != x[s][j]).collect();
            let [j] = moved[..] else {
                return Err(format!("trajectory {t}, step {s}: {} parameters move, not one", moved.len()));
            };
            let ee = if x[s + 1][j] > x[s][j] { f[s + 1] - f[s] } else { f[s] - f[s + 1] };
            effects[j].push(ee / delta);
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let boot = resamples(effects[0].len(), seed, 0x3011);
    let mu_star = effects
        .iter()
        .map(|e| {
            let abs: Vec<f64> = e.iter().map(|x| x.abs()).collect();
            let values: Vec<f64> = boot.iter().map(|r| r.iter().map(|&i| abs[i]).sum::<f64>() / r.len() as f64).collect();
            Estimate { value: mean(&abs), conf: Z95 * sd(&values) }
        })
        .collect();
    Ok(MorrisIndices { mu_star, mu: effects.iter().map(|e| mean(e)).collect(), sigma: effects.iter().map(|e| sd(e)).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// The Ishigami function on [-π, π]^3 from unit coordinates, a = 7, b = 0.1.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Sobol's G function on [0, 1]^k with coefficients `a`.
    fn g_function(u: &[f64], a: &[f64]) -> f64 {
        u.iter().zip(a).map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a)).product()
    }

    /// The G function's analytic first-order and total indices.
    fn g_analytic(a: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
        let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
        let s1 = vi.iter().map(|x| x / v).collect();
        let st = (0..a.len())
            .map(|i| vi[i] * vi.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, v)| 1.0 + v).product::<f64>() / v)
            .collect();
        (s1, st)
    }

    fn run(n: usize, k: usize, second: bool, f: impl Fn(&[f64]) -> f64) -> SobolIndices {
        let x = saltelli(n, k, second).unwrap();
        assert_eq!(x.len(), saltelli_len(n, k, second));
        let y: Vec<f64> = x.iter().map(|u| f(u)).collect();
        sobol_indices(&y, k, second, 7).unwrap().unwrap()
    }

    #[test]
    fn ishigami_indices_are_the_analytic_ones() {
        let s = run(8192, 3, true, ishigami);
        let (s1, st) = ([0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]);
        for j in 0..3 {
            assert!((s.first[j].value - s1[j]).abs() < 0.02, "S1[{j}] = {:?}, analytic {}", s.first[j], s1[j]);
            assert!((s.total[j].value - st[j]).abs() < 0.02, "ST[{j}] = {:?}, analytic {}", s.total[j], st[j]);
            // The interval is honest: the analytic value within two half-widths (and they are small).
            assert!((s.first[j].value - s1[j]).abs() < 2.0 * s.first[j].conf + 0.005 && s.first[j].conf < 0.05, "{:?}", s.first[j]);
            assert!((s.total[j].value - st[j]).abs() < 2.0 * s.total[j].conf + 0.005 && s.total[j].conf < 0.05, "{:?}", s.total[j]);
        }
        // Second order: only x1 and x3 interact (S13 = ST1 - S1 = 0.2437).
        let s2: Vec<f64> = s.second.iter().map(|(_, _, e)| e.value).collect();
        assert_eq!(s.second.iter().map(|(j, k, _)| (*j, *k)).collect::<Vec<_>>(), [(0, 1), (0, 2), (1, 2)]);
        assert!(s2[0].abs() < 0.03 && (s2[1] - 0.2437).abs() < 0.03 && s2[2].abs() < 0.03, "{s2:?}");
    }

    #[test]
    fn sobol_g_indices_are_the_analytic_ones() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let (s1, st) = g_analytic(&a);
        let s = run(4096, a.len(), false, |u| g_function(u, &a));
        for j in 0..a.len() {
            assert!((s.first[j].value - s1[j]).abs() < 0.02, "S1[{j}] = {:?}, analytic {}", s.first[j], s1[j]);
            assert!((s.total[j].value - st[j]).abs() < 0.02, "ST[{j}] = {:?}, analytic {}", s.total[j], st[j]);
        }
        assert!(s.second.is_empty());
    }

    #[test]
    fn the_estimate_converges_as_n_grows() {
        let a = [0.0, 1.0, 4.5, 9.0];
        let (s1, st) = g_analytic(&a);
        let err = |n: usize| {
            let s = run(n, a.len(), false, |u| g_function(u, &a));
            (0..a.len()).map(|j| (s.first[j].value - s1[j]).abs().max((s.total[j].value - st[j]).abs())).fold(0.0, f64::max)
        };
        let (coarse, fine) = (err(256), err(8192));
        assert!(fine < 0.01 && fine < coarse, "{coarse} {fine}");
    }

    #[test]
    fn the_saltelli_design_has_salibs_layout() {
        let x = saltelli(4, 2, true).unwrap();
        let sobol = Sobol::new(4).unwrap();
        for i in 0..4 {
            let p = sobol.point(i as u64);
            let rows = &x[i * 6..i * 6 + 6];
            assert_eq!(rows[0], [p[0], p[1]]); // A
            assert_eq!(rows[1], [p[2], p[1]]); // AB_1
            assert_eq!(rows[2], [p[0], p[3]]); // AB_2
            assert_eq!(rows[3], [p[0], p[3]]); // BA_1
            assert_eq!(rows[4], [p[2], p[1]]); // BA_2
            assert_eq!(rows[5], [p[2], p[3]]); // B
        }
        assert!(saltelli(2, MAX_SOBOL_PARAMETERS, false).is_ok());
        let e = saltelli(2, MAX_SOBOL_PARAMETERS + 1, false).unwrap_err().0;
        assert!(e.contains("at most 128 parameters") && e.contains("sweeps 129"), "{e}");
    }

    #[test]
    fn constant_and_malformed_outputs() {
        assert_eq!(sobol_indices(&[1.0; 10], 3, false, 1), Ok(None));
        // 0.9 everywhere (their computed mean need not be exactly 0.9): still constant.
        assert_eq!(sobol_indices(&[0.9; 30720], 10, false, 1), Ok(None));
        assert!(sobol_indices(&[1.0; 11], 3, false, 1).unwrap_err().contains("not a Saltelli design over 3 parameters"));
        assert!(sobol_indices(&[1.0, f64::NAN, 2.0, 3.0, 4.0], 3, false, 1).unwrap_err().contains("output 1 is not a number"));
        let unit = morris(2, 2, 4, 1);
        assert!(morris_indices(&unit, &[1.0; 5], 2, 4, 1).unwrap_err().contains("not a Morris design"));
        let mut broken = unit.clone();
        broken[1] = broken[0].clone();
        assert!(morris_indices(&broken, &[1.0; 6], 2, 4, 1).unwrap_err().contains("trajectory 0, step 0: 0 parameters move"));
    }

    #[test]
    fn the_bootstrap_is_seeded() {
        let a = [0.0, 1.0];
        let x = saltelli(64, 2, false).unwrap();
        let y: Vec<f64> = x.iter().map(|u| g_function(u, &a)).collect();
        let one = sobol_indices(&y, 2, false, 1).unwrap().unwrap();
        assert_eq!(one, sobol_indices(&y, 2, false, 1).unwrap().unwrap());
        let other = sobol_indices(&y, 2, false, 2).unwrap().unwrap();
        assert_eq!(one.first[0].value, other.first[0].value);
        assert_ne!(one.first[0].conf, other.first[0].conf);
    }

    #[test]
    fn morris_trajectories_move_one_parameter_at_a_time_on_the_grid() {
        for levels in [2u32, 4, 6, 8] {
            let (r, k) = (30, 5);
            let x = morris(r, k, levels, 9);
            assert_eq!(x.len(), r * (k + 1));
            let delta = morris_delta(levels);
            for t in x.chunks(k + 1) {
                let mut moved = vec![0; k];
                for s in 0..k {
                    let d: Vec<usize> = (0..k).filter(|&j| t[s + 1][j] != t[s][j]).collect();
                    assert_eq!(d.len(), 1);
                    assert!(((t[s + 1][d[0]] - t[s][d[0]]).abs() - delta).abs() < 1e-12);
                    moved[d[0]] += 1;
                }
                assert_eq!(moved, vec![1; k]);
                let p = f64::from(levels - 1);
                assert!(t.iter().flatten().all(|u| (0.0..=1.0).contains(u) && ((u * p).round() - u * p).abs() < 1e-9));
            }
            assert_eq!(x, morris(r, k, levels, 9));
            assert_ne!(x, morris(r, k, levels, 10));
        }
        assert_eq!(morris_delta(4), 2.0 / 3.0);
    }

    #[test]
    fn morris_ranks_parameters_by_their_effect() {
        // y = 10 x1 + 5 x2^2 + x3 + 0 x4 + 4 x1 x5: x1 first, then x2 and x5, then x3; x4 none.
        // Linear x1 and x3: mu = mu* = the slope and sigma 0 when alone; x5 interacts (sigma > 0).
        let f = |u: &[f64]| 10.0 * u[0] + 5.0 * u[1] * u[1] + u[2] + 4.0 * u[0] * u[4];
        let (r, k) = (200, 5);
        let x = morris(r, k, 4, 3);
        let y: Vec<f64> = x.iter().map(|u| f(u)).collect();
        let m = morris_indices(&x, &y, k, 4, 3).unwrap();
        let mu_star: Vec<f64> = m.mu_star.iter().map(|e| e.value).collect();
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|a, b| mu_star[*b].total_cmp(&mu_star[*a]));
        assert_eq!(order[0], 0, "{mu_star:?}");
        assert_eq!(order[3..], [2, 3], "{mu_star:?}");
        assert!((mu_star[2] - 1.0).abs() < 1e-9 && m.sigma[2] < 1e-9 && (m.mu[2] - 1.0).abs() < 1e-9);
        assert!(mu_star[3] == 0.0 && m.mu_star[3].conf == 0.0);
        assert!(m.sigma[4] > 0.5 && m.sigma[0] > 0.5, "{:?}", m.sigma);
        // x2: effects 5 ((x + Δ)^2 - x^2) / Δ = 5 (2x + Δ), x in {0, 1/3}: mean 5 (1/3 + 2/3) = 5.
        assert!((mu_star[1] - 5.0).abs() < 0.5 && m.mu_star[1].conf > 0.0 && m.mu_star[1].conf < 0.5, "{:?}", m.mu_star[1]);
    }
}
