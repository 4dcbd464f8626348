//! Line charts for reports, drawn with plotters: inline SVG for HTML pages, PNG for papers and
//! slides. Text is laid out with the embedded Casus Sans font (assets/fonts), so charts look
//! the same on every machine and need no system fonts.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::model::date::Date;

/// One line of a chart, with an optional confidence band.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend label.
    pub label: String,
    /// (x, y) points, x ascending.
    pub points: Vec<(f64, f64)>,
    /// (x, low, high) for a shaded band, if any.
    pub band: Vec<(f64, f64, f64)>,
}

/// What the x axis shows.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    /// Days since a start date; labelled with dates.
    Days(Date),
    /// A plain number (a swept parameter).
    Value,
    /// The words of a categorical swept parameter, x being a word's index.
    Levels(Vec<String>),
}

/// A chart: title, axes and lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File-safe identifier (PNG file name, HTML anchor).
    pub id: String,
    /// Title.
    pub title: String,
    /// X axis description.
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// X axis kind.
    pub x: XAxis,
    /// Lines.
    pub lines: Vec<Line>,
    /// Fixed y range, or None to fit the data (from 0).
    pub y_range: Option<(f64, f64)>,
    /// Draw lines as steps (a value holds until the next point), for state over time.
    pub steps: bool,
    /// What a page says instead of drawing the chart when it has no line ("No sanctions in
    /// this run."): an empty chart is never drawn.
    pub empty: String,
    /// What a page says under the chart about what it leaves out (lines not drawn, days not
    /// sampled), or empty.
    pub note: String,
}

/// Chart size in pixels: as wide as a report page's text, so a chart fills the page at its
/// natural size (the page scales it down on a narrower window).
pub const SIZE: (u32, u32) = (1060, 400);

/// Width of the legend panel at the right of a chart: the legend is drawn beside the plot,
/// never over its lines.
const LEGEND_W: u32 = 200;

/// Legend entries longer than this are cut with an ellipsis.
const LEGEND_CHARS: usize = 26;

/// Height of one legend entry, in pixels.
const LEGEND_ROW: i32 = 18;

const FONT: &[u8] = include_bytes!("../../assets/fonts/CasusSans.ttf");
const FAMILY: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is embedded and known to parse (a unit test checks it).
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// A colour-blind-safe palette (Okabe and Ito), then greys.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(40, 40, 40),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type DrawResult<T> = Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing a chart failed: {e:?}")
}

fn bounds(chart: &Chart) -> ((f64, f64), (f64, f64)) {
    let xs = chart.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0).chain(l.band.iter().map(|b| b.0)));
    let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !x0.is_finite() || !x1.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    // A date axis spans at least a week, so its labels (whole days) never repeat a date.
    let least = if matches!(chart.x, XAxis::Days(_)) { 7.0 } else { 1.0 };
    if x1 - x0 < least {
        x1 = x0 + least;
    }
    // Words sit at whole positions with half a step of room on either side.
    if let XAxis::Levels(words) = &chart.x {
        (x0, x1) = (-0.5, words.len() as f64 - 0.5);
    }
    let y = chart.y_range.unwrap_or_else(|| {
        let top = chart
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1).chain(l.band.iter().map(|b| b.2)))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        (0.0, if top > 0.0 { top * 1.08 } else { 1.0 })
    });
    ((x0, x1), y)
}

fn step_points(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &(x, y)) in points.iter().enumerate() {
        if i > 0 {
            out.push((x, points[i - 1].1));
        }
        out.push((x, y));
    }
    out
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult<()>
where
    DB::ErrorType: 'static,
{
    register_font();
    root.fill(&WHITE).map_err(err)?;
    let ((x0, x1), (y0, y1)) = bounds(chart);
    let (width, _) = root.dim_in_pixel();
    let (plot, legend) = root.split_horizontally(width.saturating_sub(LEGEND_W));
    let mut ctx = ChartBuilder::on(&plot)
        .caption(&chart.title, (FAMILY, 18))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let date_fmt = |v: &f64| match &chart.x {
        XAxis::Days(start) => crate::analysis::plain::human_date(start.plus_days(v.round() as i64)),
        XAxis::Value => format_value(*v),
        // A word at its whole position; nothing between words.
        XAxis::Levels(words) => {
            let at = v.round();
            if (v - at).abs() < 1e-9 && at >= 0.0 { words.get(at as usize).cloned().unwrap_or_default() } else { String::new() }
        }
    };
    let x_labels = match &chart.x {
        XAxis::Levels(words) => words.len().max(2),
        _ => 6,
    };
    let y_fmt = |v: &f64| format_value(*v);
    ctx.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_labels(x_labels)
        .y_labels(6)
        .x_label_formatter(&date_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FAMILY, 12))
        .axis_desc_style((FAMILY, 13))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    for (i, line) in chart.lines.iter().enumerate() {
        let c = colour(i);
        if !line.band.is_empty() {
            let mut poly: Vec<(f64, f64)> = line.band.iter().map(|b| (b.0, b.2)).collect();
            poly.extend(line.band.iter().rev().map(|b| (b.0, b.1)));
            ctx.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18)))).map_err(err)?;
        }
        let pts = if chart.steps { step_points(&line.points) } else { line.points.clone() };
        ctx.draw_series(LineSeries::new(pts, c.stroke_width(2))).map_err(err)?;
        if !chart.steps && line.points.len() <= 40 {
            ctx.draw_series(line.points.iter().map(|&p| Circle::new(p, 3, c.filled()))).map_err(err)?;
        }
    }
    draw_legend(&legend, chart)?;
    root.present().map_err(err)?;
    Ok(())
}

/// The legend, in its own panel beside the plot: one entry per line, top to bottom, the
/// entries that do not fit counted in a last line.
fn draw_legend<DB: DrawingBackend>(panel: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult<()>
where
    DB::ErrorType: 'static,
{
    let (_, height) = panel.dim_in_pixel();
    let top = 44;
    let fits = ((height as i32 - top - 12) / LEGEND_ROW).max(1) as usize;
    let shown = if chart.lines.len() > fits { fits - 1 } else { chart.lines.len() };
    let text = TextStyle::from((FAMILY, 13).into_font()).color(&RGBColor(40, 40, 40));
    for (i, line) in chart.lines.iter().take(shown).enumerate() {
        let y = top + i as i32 * LEGEND_ROW;
        let c = colour(i);
        panel.draw(&PathElement::new(vec![(8, y), (30, y)], c.stroke_width(3))).map_err(err)?;
        let mut label: String = line.label.chars().take(LEGEND_CHARS).collect();
        if line.label.chars().count() > LEGEND_CHARS {
            label.pop();
            label.push('…');
        }
        panel.draw(&Text::new(label, (36, y - 7), text.clone())).map_err(err)?;
    }
    if shown < chart.lines.len() {
        let y = top + shown as i32 * LEGEND_ROW;
        panel.draw(&Text::new(format!("and {} more", chart.lines.len() - shown), (36, y - 7), text)).map_err(err)?;
    }
    Ok(())
}

/// A number for an axis label: integers plainly, others with up to three significant decimals.
pub fn format_value(v: f64) -> String {
    if v.abs() >= 1e6 {
        return format!("{:.1}M", v / 1e6);
    }
    if v.abs() >= 1e4 {
        return format!("{:.0}k", v / 1e3);
    }
    if (v - v.round()).abs() < 1e-9 {
        return format!("{}", v.round() as i64);
    }
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The chart as an SVG document (for inlining in HTML).
pub fn svg(chart: &Chart) -> DrawResult<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        draw(&root, chart)?;
    }
    Ok(out)
}

/// The chart as PNG bytes.
pub fn png(chart: &Chart) -> DrawResult<Vec<u8>> {
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(&root, chart)?;
    }
    let mut out = Vec::new();
    {
        let mut enc = ::png::Encoder::new(&mut out, w, h);
        enc.set_color(::png::ColorType::Rgb);
        enc.set_depth(::png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(err)?;
        writer.write_image_data(&rgb).map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Chart {
        Chart {
            id: "t".into(),
            title: "Sanctions in force".into(),
            x_label: "date".into(),
            y_label: "severity".into(),
            x: XAxis::Days(Date::parse("2023-07-26").unwrap()),
            lines: vec![Line { label: "NER".into(), points: vec![(0.0, 0.0), (4.0, 0.8), (240.0, 0.1)], band: vec![] }],
            y_range: Some((0.0, 1.0)),
            steps: true,
            empty: "No sanctions.".into(),
            note: String::new(),
        }
    }

    #[test]
    fn the_embedded_font_parses() {
        assert!(plotters::style::register_font("casus-test", FontStyle::Normal, FONT).is_ok());
    }

    #[test]
    fn svg_has_the_title_a_path_and_date_labels() {
        let s = svg(&sample()).unwrap();
        assert!(s.starts_with("<svg"), "{}", &s[..40]);
        assert!(s.contains("Sanctions in force"));
        assert!(s.contains("<polyline") || s.contains("<path"), "a line is drawn");
        assert!(s.contains("Jul 2023"), "the x axis shows dates");
    }

    /// The legend sits in its own panel right of the plot: every legend label starts to the
    /// right of the plotting area, and a line too long is cut.
    #[test]
    fn the_legend_is_beside_the_plot_not_over_it() {
        let mut chart = sample();
        chart.lines.push(Line { label: "a very long label that does not fit in the panel".into(), points: vec![(0.0, 0.5)], band: vec![] });
        let s = svg(&chart).unwrap();
        let legend_x = (SIZE.0 - LEGEND_W) as f64;
        for label in ["NER", "a very long label that do…"] {
            let at = s.find(&format!(">\n{label}\n</text>")).unwrap_or_else(|| panic!("{label} in {s}"));
            let tag = &s[s[..at].rfind("<text").unwrap()..at];
            let x: f64 = tag.split("x=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            assert!(x > legend_x, "{label} at x={x}, inside the plot");
        }
    }

    /// Dates on a short axis are whole days, each once.
    #[test]
    fn a_short_date_axis_repeats_no_date() {
        let mut chart = sample();
        chart.lines[0].points = vec![(3.0, 0.5)];
        let s = svg(&chart).unwrap();
        let dates: Vec<&str> = s.match_indices(" 2023\n</text>").map(|(i, _)| s[s[..i].rfind('>').unwrap() + 1..i].trim()).collect();
        let mut unique = dates.clone();
        unique.dedup();
        assert!(dates.len() >= 3 && unique == dates, "{dates:?}");
    }

    #[test]
    fn png_is_a_png_with_content() {
        let bytes = png(&sample()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(bytes.len() > 2000, "{} bytes", bytes.len());
    }

    #[test]
    fn values_format_compactly() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(0.25), "0.25");
        assert_eq!(format_value(12_500.0), "12k");
        assert_eq!(format_value(0.1 + 0.2), "0.3");
    }
}
