//! The sweep report's figures other than line charts, written as SVG by hand: heat maps (an
//! outcome's probability over two swept parameters), box plots (a continuous outcome's
//! distribution per design point), horizontal bars with intervals (Sobol indices), and labelled
//! scatters (Morris mu* against sigma, PRIM's coverage against density). As for the line charts
//! ([`crate::analysis::charts`]), every key (colour scale, series, what a box means) is drawn in
//! a panel beside the plot, never over the data; every text is escaped.

use std::fmt::Write as _;

use crate::analysis::charts::format_value;

/// A box plot's box: quantiles of the values at one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    /// 5th percentile.
    pub p5: f64,
    /// 25th.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// 75th.
    pub q3: f64,
    /// 95th.
    pub p95: f64,
}

impl Quantiles {
    /// The quantiles of `values` (linear interpolation between order statistics), or None when
    /// there are none.
    pub fn of(values: &mut [f64]) -> Option<Quantiles> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let pos = q * (values.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
        };
        Some(Quantiles { p5: at(0.05), q1: at(0.25), median: at(0.5), q3: at(0.75), p95: at(0.95) })
    }
}

/// What a figure draws.
#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    /// A grid of cells: `cells[row][column]`, a probability in [0, 1] or None (no runs); rows
    /// bottom to top.
    Heat {
        /// Column labels (x), left to right.
        columns: Vec<String>,
        /// Row labels (y), bottom to top.
        rows: Vec<String>,
        /// The values.
        cells: Vec<Vec<Option<f64>>>,
    },
    /// One box per label (None: no value there).
    Boxes {
        /// Labels along x.
        labels: Vec<String>,
        /// The boxes.
        boxes: Vec<Option<Quantiles>>,
    },
    /// Horizontal bars, one group per label (top to bottom), one bar per series, each a value
    /// with the half-width of its interval.
    Bars {
        /// Group labels.
        labels: Vec<String>,
        /// (series name, one (value, half-width) per label).
        series: Vec<(String, Vec<(f64, f64)>)>,
    },
    /// Numbered points (x, y), keyed by number in the side panel; `path` joins them in order;
    /// `highlight` is drawn larger in the second colour and named in the key.
    Scatter {
        /// (x, y, name).
        points: Vec<(f64, f64, String)>,
        /// Join the points in order.
        path: bool,
        /// A point to stand out, with what it is.
        highlight: Option<(usize, String)>,
        /// Fixed (x, y) ranges, or None to fit.
        ranges: Option<((f64, f64), (f64, f64))>,
    },
}

/// A figure: title, axes, plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// HTML anchor.
    pub id: String,
    /// Title.
    pub title: String,
    /// X axis description.
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// What it draws.
    pub plot: Plot,
}

const WIDTH: f64 = 1060.0;
const KEY_W: f64 = 210.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 62.0;
const FONT: &str = "font-family=\"sans-serif\"";

/// Okabe and Ito, as the line charts.
const PALETTE: [&str; 4] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Viridis at t in [0, 1], from five stops.
pub fn viridis(t: f64) -> String {
    const STOPS: [(f64, f64, f64); 5] =
        [(68.0, 1.0, 84.0), (59.0, 82.0, 139.0), (33.0, 145.0, 140.0), (94.0, 201.0, 98.0), (253.0, 231.0, 37.0)];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Ticks from lo to hi: about five round numbers.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 5.0;
    if raw <= 0.0 || !raw.is_finite() {
        return vec![lo];
    }
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let mut out = vec![];
    let mut t = (lo / step).ceil() * step;
    while t <= hi + step * 1e-9 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

/// The frame every figure shares: its height, the plot's box (left, top, width, height).
struct Frame {
    height: f64,
    left: f64,
    plot_w: f64,
    plot_h: f64,
}

impl Frame {
    fn new(height: f64, left: f64) -> Frame {
        Frame { height, left, plot_w: WIDTH - left - KEY_W - 16.0, plot_h: height - TOP - BOTTOM }
    }
    fn key_x(&self) -> f64 {
        self.left + self.plot_w + 24.0
    }
}

fn open(out: &mut String, f: &Figure, frame: &Frame) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{h}\" viewBox=\"0 0 {WIDTH} {h}\" role=\"img\" aria-label=\"{t}\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>\
<text x=\"{tx}\" y=\"24\" text-anchor=\"middle\" font-size=\"{ts:.1}\" {FONT}>{t}</text>\
<text x=\"{cx}\" y=\"{xl}\" text-anchor=\"middle\" font-size=\"13\" {FONT}>{x}</text>\
<text transform=\"translate(16 {cy}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\" {FONT}>{y}</text>",
        h = frame.height,
        t = esc(&f.title),
        // A long title is set smaller, so that it fits the figure's width.
        tx = WIDTH / 2.0,
        ts = (1900.0 / f.title.chars().count().max(1) as f64).clamp(10.0, 17.0),
        cx = frame.left + frame.plot_w / 2.0,
        xl = frame.height - 12.0,
        cy = TOP + frame.plot_h / 2.0,
        x = esc(&f.x_label),
        y = esc(&f.y_label),
    );
}

fn label(out: &mut String, x: f64, y: f64, anchor: &str, size: u32, text: &str) {
    let _ = write!(out, "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"{size}\" {FONT}>{}</text>", esc(text));
}

/// A value axis on the left (vertical) from lo to hi, with grid lines.
fn y_axis(out: &mut String, frame: &Frame, lo: f64, hi: f64) {
    for t in ticks(lo, hi) {
        let y = TOP + frame.plot_h * (1.0 - (t - lo) / (hi - lo));
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e6e6e6\"/>",
            frame.left,
            frame.left + frame.plot_w
        );
        label(out, frame.left - 6.0, y + 4.0, "end", 12, &format_value(t));
    }
}

/// A value axis at the bottom from lo to hi, with grid lines.
fn x_axis(out: &mut String, frame: &Frame, lo: f64, hi: f64) {
    for t in ticks(lo, hi) {
        let x = frame.left + frame.plot_w * (t - lo) / (hi - lo);
        let _ = write!(out, "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"#e6e6e6\"/>", TOP + frame.plot_h);
        label(out, x, TOP + frame.plot_h + 18.0, "middle", 12, &format_value(t));
    }
}

fn border(out: &mut String, frame: &Frame) {
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#444\"/>",
        frame.left, frame.plot_w, frame.plot_h
    );
}

/// Category labels under the plot, at the centres of `n` equal slots (every k-th when crowded).
fn slot_labels(out: &mut String, frame: &Frame, labels: &[String]) {
    let slot = frame.plot_w / labels.len().max(1) as f64;
    let every = ((60.0 / slot).ceil() as usize).max(1);
    for (i, l) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let short: String = if l.chars().count() > 14 { l.chars().take(13).chain(['…']).collect() } else { l.clone() };
        label(out, frame.left + slot * (i as f64 + 0.5), TOP + frame.plot_h + 18.0, "middle", 12, &short);
    }
}

fn heat(out: &mut String, frame: &Frame, columns: &[String], rows: &[String], cells: &[Vec<Option<f64>>]) {
    let (cw, ch) = (frame.plot_w / columns.len().max(1) as f64, frame.plot_h / rows.len().max(1) as f64);
    let values = columns.len() <= 12 && rows.len() <= 12;
    for (r, row) in cells.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (x, y) = (frame.left + cw * c as f64, TOP + frame.plot_h - ch * (r as f64 + 1.0));
            let fill = v.map(viridis).unwrap_or_else(|| "#f2f2f2".into());
            let _ =
                write!(out, "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"white\"/>", cw, ch);
            if let (Some(v), true) = (v, values) {
                let colour = if *v > 0.6 { "#111" } else { "#fff" };
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{colour}\" {FONT}>{:.2}</text>",
                    x + cw / 2.0,
                    y + ch / 2.0 + 4.0,
                    v
                );
            }
        }
    }
    slot_labels(out, frame, columns);
    let every = ((16.0 / ch).ceil() as usize).max(1);
    for (i, l) in rows.iter().enumerate().filter(|(i, _)| i % every == 0) {
        label(out, frame.left - 6.0, TOP + frame.plot_h - ch * (i as f64 + 0.5) + 4.0, "end", 12, l);
    }
    // The key: a colour bar from 0 to 1, and the colour of a cell without runs.
    let (kx, bar_h) = (frame.key_x(), (frame.plot_h - 40.0).max(60.0));
    label(out, kx, TOP + 4.0, "start", 13, "probability");
    for i in 0..50 {
        let t = 1.0 - i as f64 / 50.0;
        let _ = write!(
            out,
            "<rect x=\"{kx:.1}\" y=\"{:.1}\" width=\"18\" height=\"{:.2}\" fill=\"{}\"/>",
            TOP + 14.0 + bar_h * i as f64 / 50.0,
            bar_h / 50.0 + 0.5,
            viridis(t)
        );
    }
    for t in [0.0, 0.5, 1.0] {
        label(out, kx + 24.0, TOP + 14.0 + bar_h * (1.0 - t) + 4.0, "start", 12, &format_value(t));
    }
    let _ =
        write!(out, "<rect x=\"{kx:.1}\" y=\"{:.1}\" width=\"18\" height=\"12\" fill=\"#f2f2f2\" stroke=\"#ccc\"/>", TOP + bar_h + 22.0);
    label(out, kx + 24.0, TOP + bar_h + 32.0, "start", 12, "no runs");
}

fn boxes(out: &mut String, frame: &Frame, labels: &[String], boxes: &[Option<Quantiles>]) {
    let present: Vec<&Quantiles> = boxes.iter().flatten().collect();
    let lo = present.iter().map(|q| q.p5).fold(f64::INFINITY, f64::min).min(0.0);
    let mut hi = present.iter().map(|q| q.p95).fold(f64::NEG_INFINITY, f64::max);
    if hi <= lo || !hi.is_finite() {
        hi = lo + 1.0;
    }
    let hi = hi + (hi - lo) * 0.05;
    y_axis(out, frame, lo, hi);
    let y = |v: f64| TOP + frame.plot_h * (1.0 - (v - lo) / (hi - lo));
    let slot = frame.plot_w / labels.len().max(1) as f64;
    let w = (slot * 0.6).min(40.0);
    for (i, q) in boxes.iter().enumerate() {
        let Some(q) = q else { continue };
        let cx = frame.left + slot * (i as f64 + 0.5);
        let _ = write!(
            out,
            "<line x1=\"{cx:.1}\" x2=\"{cx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#555\"/>\
<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#9ecae1\" stroke=\"{}\"/>\
<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#111\" stroke-width=\"2\"/>",
            y(q.p5),
            y(q.p95),
            cx - w / 2.0,
            y(q.q3),
            (y(q.q1) - y(q.q3)).max(1.0),
            PALETTE[0],
            cx - w / 2.0,
            cx + w / 2.0,
            y(q.median),
            y(q.median)
        );
    }
    slot_labels(out, frame, labels);
    let kx = frame.key_x();
    let _ = write!(
        out,
        "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#555\"/><rect x=\"{kx:.1}\" y=\"{:.1}\" width=\"18\" height=\"30\" fill=\"#9ecae1\" stroke=\"{}\"/><line x1=\"{kx:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#111\" stroke-width=\"2\"/>",
        kx + 9.0,
        kx + 9.0,
        TOP + 8.0,
        TOP + 68.0,
        TOP + 23.0,
        PALETTE[0],
        kx + 18.0,
        TOP + 38.0,
        TOP + 38.0
    );
    label(out, kx + 26.0, TOP + 12.0, "start", 12, "95th percentile");
    label(out, kx + 26.0, TOP + 28.0, "start", 12, "75th");
    label(out, kx + 26.0, TOP + 42.0, "start", 12, "median");
    label(out, kx + 26.0, TOP + 56.0, "start", 12, "25th");
    label(out, kx + 26.0, TOP + 72.0, "start", 12, "5th percentile");
}

fn bars(out: &mut String, frame: &Frame, labels: &[String], series: &[(String, Vec<(f64, f64)>)]) {
    let values = series.iter().flat_map(|(_, v)| v.iter());
    let lo = values.clone().map(|(v, c)| v - c).fold(0.0f64, f64::min).max(-0.5);
    let hi = values.map(|(v, c)| v + c).fold(1.0f64, f64::max).min(1.5);
    x_axis(out, frame, lo, hi);
    let x = |v: f64| frame.left + frame.plot_w * (v.clamp(lo, hi) - lo) / (hi - lo);
    let _ = write!(out, "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{TOP}\" y2=\"{1:.1}\" stroke=\"#444\"/>", x(0.0), TOP + frame.plot_h);
    let group = frame.plot_h / labels.len().max(1) as f64;
    let bar = (group * 0.8 / series.len().max(1) as f64).min(14.0);
    for (i, l) in labels.iter().enumerate() {
        let gy = TOP + group * i as f64 + (group - bar * series.len() as f64) / 2.0;
        label(out, frame.left - 8.0, TOP + group * (i as f64 + 0.5) + 4.0, "end", 12, l);
        for (s, (_, vals)) in series.iter().enumerate() {
            let (v, c) = vals[i];
            let (y, colour) = (gy + bar * s as f64, PALETTE[s % PALETTE.len()]);
            let (x0, x1) = (x(v.min(0.0)), x(v.max(0.0)));
            let (w, h, lo, hi, mid) = ((x1 - x0).max(0.5), bar - 1.0, x(v - c), x(v + c), y + bar / 2.0 - 0.5);
            let _ = write!(
                out,
                "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{colour}\"/>\
<line x1=\"{lo:.1}\" x2=\"{hi:.1}\" y1=\"{mid:.1}\" y2=\"{mid:.1}\" stroke=\"#222\"/>"
            );
        }
    }
    let kx = frame.key_x();
    for (s, (name, _)) in series.iter().enumerate() {
        let y = TOP + 8.0 + 20.0 * s as f64;
        let _ = write!(out, "<rect x=\"{kx:.1}\" y=\"{y:.1}\" width=\"18\" height=\"12\" fill=\"{}\"/>", PALETTE[s % PALETTE.len()]);
        label(out, kx + 24.0, y + 10.0, "start", 12, name);
    }
    let y = TOP + 8.0 + 20.0 * series.len() as f64 + 10.0;
    let _ = write!(out, "<line x1=\"{kx:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#222\"/>", kx + 18.0);
    label(out, kx + 24.0, y + 4.0, "start", 12, "95% interval");
}

fn scatter(out: &mut String, frame: &Frame, plot: &Plot) {
    let Plot::Scatter { points, path, highlight, ranges } = plot else { return };
    let ((x0, x1), (y0, y1)) = ranges.unwrap_or_else(|| {
        let mx = points.iter().map(|p| p.0).fold(0.0f64, f64::max);
        let my = points.iter().map(|p| p.1).fold(0.0f64, f64::max);
        ((0.0, if mx > 0.0 { mx * 1.1 } else { 1.0 }), (0.0, if my > 0.0 { my * 1.1 } else { 1.0 }))
    });
    x_axis(out, frame, x0, x1);
    y_axis(out, frame, y0, y1);
    let at =
        |p: &(f64, f64, String)| (frame.left + frame.plot_w * (p.0 - x0) / (x1 - x0), TOP + frame.plot_h * (1.0 - (p.1 - y0) / (y1 - y0)));
    if *path && points.len() > 1 {
        let d: Vec<String> = points.iter().map(&at).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(out, "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>", d.join(" "), PALETTE[0]);
    }
    let numbered = !*path;
    for (i, p) in points.iter().enumerate() {
        let (x, y) = at(p);
        let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{}\"/>", PALETTE[0]);
        if numbered {
            label(out, x + 6.0, y - 5.0, "start", 11, &(i + 1).to_string());
        }
    }
    let kx = frame.key_x();
    let mut ky = TOP + 4.0;
    if let Some((h, what)) = highlight
        && let Some(p) = points.get(*h)
    {
        let (x, y) = at(p);
        let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\" fill=\"{}\" stroke=\"#111\"/>", PALETTE[1]);
        let _ = write!(out, "<circle cx=\"{:.1}\" cy=\"{ky:.1}\" r=\"6\" fill=\"{}\" stroke=\"#111\"/>", kx + 6.0, PALETTE[1]);
        label(out, kx + 18.0, ky + 4.0, "start", 12, what);
        ky += 22.0;
    }
    if numbered {
        let fits = ((frame.plot_h - (ky - TOP)) / 16.0).floor().max(1.0) as usize;
        for (i, p) in points.iter().enumerate().take(fits) {
            let name: String = if p.2.chars().count() > 28 { p.2.chars().take(27).chain(['…']).collect() } else { p.2.clone() };
            label(out, kx, ky + 16.0 * i as f64 + 4.0, "start", 11, &format!("{} {name}", i + 1));
        }
    } else {
        let _ = write!(out, "<circle cx=\"{:.1}\" cy=\"{ky:.1}\" r=\"3.5\" fill=\"{}\"/>", kx + 6.0, PALETTE[0]);
        label(out, kx + 18.0, ky + 4.0, "start", 12, "a box of the trajectory");
    }
}

/// The figure as an SVG element.
pub fn svg(f: &Figure) -> String {
    let (height, left) = match &f.plot {
        Plot::Bars { labels, .. } => (TOP + BOTTOM + 20.0 + 30.0 * labels.len() as f64, 250.0),
        Plot::Heat { rows, .. } => (TOP + BOTTOM + (34.0 * rows.len() as f64).clamp(200.0, 420.0), 110.0),
        _ => (400.0, 70.0),
    };
    let frame = Frame::new(height, left);
    let mut out = String::new();
    open(&mut out, f, &frame);
    match &f.plot {
        Plot::Heat { columns, rows, cells } => heat(&mut out, &frame, columns, rows, cells),
        Plot::Boxes { labels, boxes: b } => boxes(&mut out, &frame, labels, b),
        Plot::Bars { labels, series } => bars(&mut out, &frame, labels, series),
        Plot::Scatter { .. } => scatter(&mut out, &frame, &f.plot),
    }
    border(&mut out, &frame);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let q = Quantiles::of(&mut [4.0, 1.0, 3.0, 2.0, 5.0]).unwrap();
        assert_eq!((q.p5, q.q1, q.median, q.q3, q.p95), (1.2, 2.0, 3.0, 4.0, 4.8));
        assert_eq!(Quantiles::of(&mut []), None);
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 1.0), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(ticks(0.0, 230.0), [0.0, 50.0, 100.0, 150.0, 200.0]);
    }

    /// Names are escaped, the key is right of the plot, a cell without runs is grey.
    #[test]
    fn figures_escape_text_and_keep_keys_beside_the_plot() {
        let f = Figure {
            id: "h".into(),
            title: "<b>".into(),
            x_label: "a&b".into(),
            y_label: "y".into(),
            plot: Plot::Heat { columns: vec!["x<1".into(), "2".into()], rows: vec!["r".into()], cells: vec![vec![Some(0.5), None]] },
        };
        let s = svg(&f);
        assert!(!s.contains("<b>") && s.contains("&lt;b&gt;") && s.contains("a&amp;b") && s.contains("x&lt;1"), "{s}");
        assert!(s.contains("#f2f2f2") && s.contains(">0.50<") && s.contains("no runs"), "{s}");
        assert_eq!(viridis(0.0), "#440154");
        assert_eq!(viridis(1.0), "#fde725");
    }
}
