//! The sweep report's exploration figures, from a sweep folder's tables: an outcome's
//! probability over two swept parameters at once as a heat map (from points.csv), and a
//! continuous outcome's distribution per design point as box plots (from runs.csv).
//!
//! A parameter with at most [`MAX_LEVELS`] distinct values (a grid's steps, a categorical
//! parameter's words) has one row or column per value; one with more (a sampled design) is cut
//! into [`BINS`] bins of equal width between its smallest and largest value, each labelled by
//! its range. Runs are pooled over the other parameters.

use std::collections::BTreeMap;

use crate::analysis::charts::format_value;
use crate::analysis::figures::{Figure, Plot, Quantiles};
use crate::analysis::outcome_text::outcome_label;
use crate::analysis::report::{Levels, PointRow};

/// Most distinct values a parameter may have to get one row or column each.
pub const MAX_LEVELS: usize = 12;
/// Bins of a parameter with more values.
pub const BINS: usize = 10;
/// Most design points drawn one box each; a sweep with more is drawn per bin of a parameter.
pub const MAX_POINT_BOXES: usize = 40;

/// How a parameter's values fall into rows or columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Bins {
    /// Each bin's label.
    pub labels: Vec<String>,
    /// The distinct values (one bin each), or None for equal-width bins.
    values: Option<Vec<f64>>,
    lo: f64,
    hi: f64,
}

impl Bins {
    /// The bins of `values` (a categorical parameter's are the indices of its `words`).
    pub fn of(values: &[f64], words: Option<&Levels>) -> Bins {
        let mut distinct: Vec<f64> = values.to_vec();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let (lo, hi) = (distinct.first().copied().unwrap_or(0.0), distinct.last().copied().unwrap_or(0.0));
        if let Some(words) = words {
            return Bins { labels: words.clone(), values: Some((0..words.len()).map(|i| i as f64).collect()), lo, hi };
        }
        if distinct.len() <= MAX_LEVELS {
            return Bins { labels: distinct.iter().map(|v| format_value(*v)).collect(), values: Some(distinct), lo, hi };
        }
        let width = (hi - lo) / BINS as f64;
        let labels =
            (0..BINS).map(|i| format!("{}–{}", format_value(lo + width * i as f64), format_value(lo + width * (i + 1) as f64))).collect();
        Bins { labels, values: None, lo, hi }
    }

    /// The bin of a value.
    pub fn index(&self, x: f64) -> usize {
        match &self.values {
            Some(values) => values.iter().position(|v| *v == x).unwrap_or(0),
            None if self.hi > self.lo => (((x - self.lo) / (self.hi - self.lo) * BINS as f64).floor() as usize).min(BINS - 1),
            None => 0,
        }
    }
}

/// Heat maps of each outcome in `outcomes` (probabilities: events and yes/no) over the swept
/// parameters `a` (x) and `b` (y), indices into `swept`; outcomes the same in every cell are
/// left out.
pub fn heat_maps(
    rows: &[PointRow],
    swept: &[String],
    levels: &[Option<Levels>],
    (a, b): (usize, usize),
    outcomes: &[String],
) -> Vec<Figure> {
    let mut out = vec![];
    for outcome in outcomes {
        let mine: Vec<&PointRow> = rows.iter().filter(|r| &r.outcome == outcome).collect();
        if mine.is_empty() {
            continue;
        }
        let xs: Vec<f64> = mine.iter().map(|r| r.values[a]).collect();
        let ys: Vec<f64> = mine.iter().map(|r| r.values[b]).collect();
        let (bx, by) = (Bins::of(&xs, levels[a].as_ref()), Bins::of(&ys, levels[b].as_ref()));
        let mut counts = vec![vec![(0u64, 0u64); bx.labels.len()]; by.labels.len()];
        for r in &mine {
            let cell = &mut counts[by.index(r.values[b])][bx.index(r.values[a])];
            cell.0 += (r.happened * r.runs as f64).round() as u64;
            cell.1 += r.runs;
        }
        let cells: Vec<Vec<Option<f64>>> =
            counts.iter().map(|row| row.iter().map(|(k, n)| (*n > 0).then(|| *k as f64 / *n as f64)).collect()).collect();
        let mut present = cells.iter().flatten().flatten();
        let first = present.next().copied();
        if present.all(|v| Some(*v) == first) {
            continue;
        }
        out.push(Figure {
            id: format!("heat-{}", outcome),
            title: format!("{}: probability over {} and {}", outcome_label(outcome, "the focus"), swept[a], swept[b]),
            x_label: swept[a].clone(),
            y_label: swept[b].clone(),
            plot: Plot::Heat { columns: bx.labels, rows: by.labels, cells },
        });
    }
    out
}

/// The runs of a sweep that the distributions need: each run's point, swept parameter values
/// (a word's index for words) and outcome values (None when empty).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Runs {
    /// Each run's design point.
    pub point: Vec<u64>,
    /// Per swept parameter, each run's value.
    pub params: Vec<Vec<f64>>,
    /// Per outcome asked for, each run's value.
    pub outcomes: Vec<Vec<Option<f64>>>,
}

/// Reads runs.csv: the swept parameters' `columns` (with their `levels`, from
/// [`crate::analysis::report::read_points`]) and the `outcomes`.
pub fn read_runs(csv: &str, columns: &[String], levels: &[Option<Levels>], outcomes: &[String]) -> Result<Runs, String> {
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let head = reader.headers().map_err(|e| format!("runs.csv: {e}"))?.clone();
    let col = |name: &str| head.iter().position(|h| h == name).ok_or_else(|| format!("runs.csv has no column {name:?}"));
    let point = col("point")?;
    let pcs: Vec<usize> = columns.iter().map(|c| col(c)).collect::<Result<_, _>>()?;
    let ocs: Vec<usize> = outcomes.iter().map(|c| col(c)).collect::<Result<_, _>>()?;
    let mut runs = Runs { params: vec![vec![]; pcs.len()], outcomes: vec![vec![]; ocs.len()], ..Runs::default() };
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("runs.csv: {e}"))?;
        let bad = |what: &str| format!("runs.csv line {}: {what} is not a number", line + 2);
        runs.point.push(record.get(point).and_then(|v| v.parse().ok()).ok_or_else(|| bad("point"))?);
        for (j, &c) in pcs.iter().enumerate() {
            let field = record.get(c).unwrap_or_default();
            let v = match &levels[j] {
                Some(words) => words.iter().position(|w| w == field).unwrap_or_default() as f64,
                None => field.parse().map_err(|_| bad(&columns[j]))?,
            };
            runs.params[j].push(v);
        }
        for (j, &c) in ocs.iter().enumerate() {
            let field = record.get(c).unwrap_or_default();
            runs.outcomes[j].push(if field.is_empty() { None } else { Some(field.parse().map_err(|_| bad(&outcomes[j]))?) });
        }
    }
    Ok(runs)
}

/// Box plots of each outcome of `runs` (named by `outcomes`): one box per design point when
/// the sweep has at most [`MAX_POINT_BOXES`] points, else one per bin of swept parameter `by`;
/// outcomes with the same value in every run (or none) are left out.
pub fn distributions(runs: &Runs, outcomes: &[String], swept: &[String], levels: &[Option<Levels>], by: usize) -> Vec<Figure> {
    let points: Vec<u64> = {
        let mut p = runs.point.clone();
        p.dedup();
        p
    };
    let per_point = points.len() <= MAX_POINT_BOXES;
    let bins = Bins::of(&runs.params[by], levels[by].as_ref());
    let mut out = vec![];
    for (j, outcome) in outcomes.iter().enumerate() {
        let values = &runs.outcomes[j];
        let mut present = values.iter().flatten();
        let first = present.next().copied();
        if first.is_none() || present.all(|v| Some(*v) == first) {
            continue;
        }
        let mut groups: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
        for (i, v) in values.iter().enumerate() {
            let Some(v) = v else { continue };
            let g = if per_point { points.binary_search(&runs.point[i]).unwrap_or(0) } else { bins.index(runs.params[by][i]) };
            groups.entry(g).or_default().push(*v);
        }
        let (labels, x_label): (Vec<String>, String) = if per_point {
            (points.iter().map(|p| p.to_string()).collect(), "design point (points.csv)".into())
        } else {
            (bins.labels.clone(), swept[by].clone())
        };
        let boxes = (0..labels.len()).map(|g| groups.get_mut(&g).and_then(|v| Quantiles::of(v))).collect();
        let name = outcome_label(outcome, "the focus");
        out.push(Figure {
            id: format!("dist-{outcome}"),
            title: if per_point {
                format!("{name}: distribution per design point")
            } else {
                format!("{name}: distribution against {}", swept[by])
            },
            x_label,
            y_label: outcome.clone(),
            plot: Plot::Boxes { labels, boxes },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(a: f64, b: f64, happened: f64) -> PointRow {
        PointRow { values: vec![a, b], outcome: "armed_conflict".into(), runs: 10, happened }
    }

    #[test]
    fn heat_maps_pool_runs_per_cell_and_skip_flat_outcomes() {
        let rows = vec![row(0.0, 0.0, 0.1), row(1.0, 0.0, 0.5), row(0.0, 1.0, 0.3), row(1.0, 1.0, 0.9), row(1.0, 1.0, 0.7)];
        let swept = ["a".to_string(), "b".to_string()];
        let levels = vec![None, Some(vec!["no".to_string(), "yes".to_string()])];
        let maps = heat_maps(&rows, &swept, &levels, (0, 1), &["armed_conflict".to_string()]);
        let Plot::Heat { columns, rows: labels, cells } = &maps[0].plot else { panic!("a heat map") };
        assert_eq!((columns.clone(), labels.clone()), (vec!["0".to_string(), "1".into()], vec!["no".to_string(), "yes".into()]));
        assert_eq!(cells[1][1], Some(0.8));
        assert_eq!(cells[0][0], Some(0.1));
        let flat = vec![row(0.0, 0.0, 0.5), row(1.0, 1.0, 0.5)];
        assert!(heat_maps(&flat, &swept, &levels, (0, 1), &["armed_conflict".to_string()]).is_empty());
    }

    #[test]
    fn many_values_fall_into_equal_bins() {
        let values: Vec<f64> = (0..=100).map(|i| i as f64 / 100.0).collect();
        let b = Bins::of(&values, None);
        assert_eq!(b.labels.len(), BINS);
        assert_eq!(b.labels[0], "0–0.1");
        assert_eq!((b.index(0.0), b.index(0.15), b.index(1.0)), (0, 1, 9));
    }

    #[test]
    fn distributions_are_per_point_and_skip_constant_outcomes() {
        let csv = "run,point,p_a,casualties_military,sanctions_days,aid\n0,0,1.0,5,,3\n1,0,1.0,7,10,3\n2,1,2.0,9,20,3\n";
        let levels = vec![None];
        let outcomes = ["casualties_military".to_string(), "sanctions_days".to_string(), "aid".to_string()];
        let runs = read_runs(csv, &["p_a".to_string()], &levels, &outcomes).unwrap();
        assert_eq!(runs.outcomes[1], [None, Some(10.0), Some(20.0)]);
        let figs = distributions(&runs, &outcomes, &["a".to_string()], &levels, 0);
        assert_eq!(figs.len(), 2, "aid is the same everywhere");
        let Plot::Boxes { labels, boxes } = &figs[0].plot else { panic!("boxes") };
        assert_eq!(labels, &["0", "1"]);
        assert_eq!(boxes[0].unwrap().median, 6.0);
    }
}
