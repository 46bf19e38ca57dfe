//! Charts as SVG drawn on the server (no script): the five-dimension radar
//! and the grade history line. Presentation only: the values are the
//! application's; here they become coordinates. Every chart has a
//! `<title>` and `<desc>` (role `img`), and the pages print the same
//! numbers in a table beside it for screen readers and for print.

use std::fmt::Write as _;

use crate::format;

/// Text escaped for SVG/HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal.
fn c(v: f64) -> String {
    format!("{:.1}", if v.is_finite() { v } else { 0.0 })
}

/// One axis of a radar chart.
pub struct Axis {
    pub label: String,
    pub value: f64,
    pub max: f64,
}

/// The share of an axis reached, clamped to 0..=1 (0 for a zero maximum).
fn share(a: &Axis) -> f64 {
    if a.max > 0.0 && a.value.is_finite() {
        (a.value / a.max).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

const RADAR_W: f64 = 420.0;
const RADAR_H: f64 = 340.0;
const RADAR_R: f64 = 110.0;
const RADAR_CX: f64 = RADAR_W / 2.0;
const RADAR_CY: f64 = RADAR_H / 2.0 + 4.0;

/// The point of axis `i` of `n` at `share` of the radius (the first axis
/// straight up, clockwise).
fn radar_point(i: usize, n: usize, share: f64) -> (f64, f64) {
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
    (
        RADAR_CX + RADAR_R * share * angle.cos(),
        RADAR_CY + RADAR_R * share * angle.sin(),
    )
}

/// The radar chart of `axes` (at least three; fewer draw nothing).
pub fn radar(title: &str, axes: &[Axis]) -> String {
    let n = axes.len();
    if n < 3 {
        return String::new();
    }
    let desc = axes
        .iter()
        .map(|a| {
            format!(
                "{} {} 分（满分 {} 分）",
                a.label,
                format::number(a.value),
                format::number(a.max)
            )
        })
        .collect::<Vec<_>>()
        .join("；");
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart radar\" viewBox=\"0 0 {RADAR_W} {RADAR_H}\" role=\"img\" \
         aria-labelledby=\"radar-t radar-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"radar-t\">{}</title><desc id=\"radar-d\">{}</desc>",
        esc(title),
        esc(&desc)
    );
    // Rings at 25 %, 50 %, 75 % and 100 %.
    for ring in [0.25, 0.5, 0.75, 1.0] {
        let pts: Vec<String> = (0..n)
            .map(|i| {
                let (x, y) = radar_point(i, n, ring);
                format!("{},{}", c(x), c(y))
            })
            .collect();
        let _ = write!(
            s,
            "<polygon class=\"grid\" points=\"{}\" fill=\"none\" stroke=\"#9aa5b1\" stroke-width=\"1\"/>",
            pts.join(" ")
        );
    }
    for i in 0..n {
        let (x, y) = radar_point(i, n, 1.0);
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#9aa5b1\" stroke-width=\"1\"/>",
            c(RADAR_CX),
            c(RADAR_CY),
            c(x),
            c(y)
        );
    }
    let pts: Vec<(f64, f64)> = axes
        .iter()
        .enumerate()
        .map(|(i, a)| radar_point(i, n, share(a)))
        .collect();
    let _ = write!(
        s,
        "<polygon class=\"value\" points=\"{}\" fill=\"#1d5fa8\" fill-opacity=\"0.25\" stroke=\"#1d5fa8\" stroke-width=\"2\"/>",
        pts.iter()
            .map(|(x, y)| format!("{},{}", c(*x), c(*y)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (x, y) in &pts {
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"#1d5fa8\"/>",
            c(*x),
            c(*y)
        );
    }
    for (i, a) in axes.iter().enumerate() {
        let (x, y) = radar_point(i, n, 1.0);
        let (lx, ly) = (
            RADAR_CX + (x - RADAR_CX) * 1.16,
            RADAR_CY + (y - RADAR_CY) * 1.16,
        );
        let anchor = if (lx - RADAR_CX).abs() < 8.0 {
            "middle"
        } else if lx > RADAR_CX {
            "start"
        } else {
            "end"
        };
        let dy = if ly < RADAR_CY - RADAR_R * 0.9 {
            -6.0
        } else {
            4.0
        };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"13\" fill=\"#1f2933\">{}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"12\" fill=\"#3e4c59\">{} / {}</text>",
            c(lx),
            c(ly + dy),
            esc(&a.label),
            c(lx),
            c(ly + dy + 15.0),
            format::number(a.value),
            format::number(a.max)
        );
    }
    s.push_str("</svg>");
    s
}

/// One point of a history line.
pub struct Point {
    /// The x label (a date).
    pub label: String,
    pub value: f64,
    /// Written next to the point (a grade).
    pub mark: String,
}

const LINE_W: f64 = 640.0;
const LINE_H: f64 = 260.0;
const PAD_L: f64 = 56.0;
const PAD_R: f64 = 24.0;
const PAD_T: f64 = 24.0;
const PAD_B: f64 = 48.0;

/// The y range of a line chart: whole hundreds around the values (whole
/// tens below a span of 100), never empty.
fn y_range(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 100.0);
    }
    let step = if hi - lo >= 100.0 { 100.0 } else { 10.0 };
    let mut a = (lo / step).floor() * step;
    let mut b = (hi / step).ceil() * step;
    if b - a < step {
        a -= step / 2.0;
        b += step / 2.0;
    }
    (a, b)
}

/// The x of point `i` of `n`: spread evenly, one point in the middle.
fn line_x(i: usize, n: usize) -> f64 {
    let w = LINE_W - PAD_L - PAD_R;
    if n <= 1 {
        PAD_L + w / 2.0
    } else {
        PAD_L + w * i as f64 / (n - 1) as f64
    }
}

fn line_y(v: f64, (a, b): (f64, f64)) -> f64 {
    let h = LINE_H - PAD_T - PAD_B;
    PAD_T + h * (1.0 - (v - a) / (b - a))
}

/// The horizontal grid of a line chart — five lines with their values
/// (`unit` after each) — and the label of its y axis.
fn y_axis(s: &mut String, range: (f64, f64), y_label: &str, unit: &str) {
    for k in 0..=4 {
        let v = range.0 + (range.1 - range.0) * k as f64 / 4.0;
        let y = line_y(v, range);
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d3d9df\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#3e4c59\">{}{unit}</text>",
            c(PAD_L),
            c(y),
            c(LINE_W - PAD_R),
            c(y),
            c(PAD_L - 8.0),
            c(y + 4.0),
            format::number(v)
        );
    }
    let _ = write!(
        s,
        "<text x=\"12\" y=\"{}\" font-size=\"12\" fill=\"#3e4c59\" transform=\"rotate(-90 12 {})\" text-anchor=\"middle\">{}</text>",
        c(LINE_H / 2.0),
        c(LINE_H / 2.0),
        esc(y_label)
    );
}

/// The line chart of `points` (oldest first); nothing for no point.
pub fn history(title: &str, y_label: &str, points: &[Point]) -> String {
    if points.is_empty() {
        return String::new();
    }
    let range = y_range(&points.iter().map(|p| p.value).collect::<Vec<_>>());
    let n = points.len();
    let desc = points
        .iter()
        .map(|p| format!("{} {} {}", p.label, p.mark, format::number(p.value)))
        .collect::<Vec<_>>()
        .join("；");
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart history\" viewBox=\"0 0 {LINE_W} {LINE_H}\" role=\"img\" \
         aria-labelledby=\"history-t history-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"history-t\">{}</title><desc id=\"history-d\">{}</desc>",
        esc(title),
        esc(&desc)
    );
    y_axis(&mut s, range, y_label, "");
    let pts: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (line_x(i, n), line_y(p.value, range)))
        .collect();
    if n > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1d5fa8\" stroke-width=\"2\"/>",
            pts.iter()
                .map(|(x, y)| format!("{},{}", c(*x), c(*y)))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    // Date labels: all when few, else about six, always the last.
    let every = n.div_ceil(6).max(1);
    for (i, (p, (x, y))) in points.iter().zip(&pts).enumerate() {
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#1d5fa8\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" fill=\"#1f2933\">{}</text>",
            c(*x),
            c(*y),
            c(*x),
            c(y - 9.0),
            esc(&p.mark)
        );
        if i % every == 0 || i == n - 1 {
            x_label(&mut s, *x, &p.label);
        }
    }
    s.push_str("</svg>");
    s
}

/// A label under the x axis of a line chart, centred on `x` unless that
/// would cut it at an edge of the chart.
fn x_label(s: &mut String, x: f64, label: &str) {
    // About half the width of the label (12 px digits are some 7 px wide,
    // Chinese characters 12 px).
    let half: f64 = label
        .chars()
        .map(|ch| if ch.is_ascii() { 3.5 } else { 6.0 })
        .sum();
    let (x, anchor) = if x + half > LINE_W - 2.0 {
        (LINE_W - 2.0, "end")
    } else if x - half < 2.0 {
        (2.0, "start")
    } else {
        (x, "middle")
    };
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"12\" fill=\"#3e4c59\">{}</text>",
        c(x),
        c(LINE_H - PAD_B + 20.0),
        esc(label)
    );
}

/// One bar of a bar chart.
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Written after the bar (the count and its share).
    pub text: String,
}

const BAR_W: f64 = 640.0;
const BAR_LABEL_W: f64 = 170.0;
const BAR_TEXT_W: f64 = 150.0;
const BAR_ROW: f64 = 30.0;
const BAR_PAD: f64 = 12.0;

/// The width of a bar of `value` in a chart whose longest bar is `max`.
fn bar_width(value: f64, max: f64) -> f64 {
    let w = BAR_W - BAR_LABEL_W - BAR_TEXT_W;
    if max > 0.0 && value.is_finite() && value > 0.0 {
        w * (value / max).min(1.0)
    } else {
        0.0
    }
}

/// A horizontal bar chart of `bars`, one row each, labels at the left;
/// `id` makes the ids of its title and description unique on the page.
/// Nothing for no bar.
pub fn bars(id: &str, title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let max = bars
        .iter()
        .map(|b| b.value)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let h = BAR_PAD * 2.0 + BAR_ROW * bars.len() as f64;
    let desc = bars
        .iter()
        .map(|b| format!("{} {}", b.label, b.text))
        .collect::<Vec<_>>()
        .join("；");
    let id = esc(id);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart bars\" viewBox=\"0 0 {BAR_W} {}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        c(h),
        esc(title),
        esc(&desc)
    );
    let _ = write!(
        s,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#9aa5b1\" stroke-width=\"1\"/>",
        c(BAR_LABEL_W),
        c(BAR_PAD / 2.0),
        c(BAR_LABEL_W),
        c(h - BAR_PAD / 2.0)
    );
    for (i, b) in bars.iter().enumerate() {
        let top = BAR_PAD + BAR_ROW * i as f64;
        let mid = top + BAR_ROW / 2.0 + 4.5;
        let w = bar_width(b.value, max);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\" fill=\"#1f2933\">{}</text>\
             <rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#1d5fa8\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#3e4c59\">{}</text>",
            c(BAR_LABEL_W - 8.0),
            c(mid),
            esc(&b.label),
            c(BAR_LABEL_W),
            c(top + 5.0),
            c(w),
            c(BAR_ROW - 10.0),
            c(BAR_LABEL_W + w + 6.0),
            c(mid),
            esc(&b.text)
        );
    }
    s.push_str("</svg>");
    s
}

/// One line of a trend chart: its name and one value per x label (a
/// share in per cent).
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// Colours of the lines of a trend (each at least 3:1 against white) and
/// their dash patterns, so that lines differ in more than colour.
const SERIES_COLOURS: [&str; 6] = [
    "#1d5fa8", "#b34700", "#2e7d32", "#7b1fa2", "#c62828", "#00695c",
];
const SERIES_DASHES: [&str; 3] = ["", "7 4", "2 3"];
const LEGEND_ROW: f64 = 22.0;
const LEGEND_COLUMNS: usize = 3;

/// A line chart of shares in per cent (0–100 %) over `labels` (oldest
/// first), one line per series with a legend below; `id` makes the ids of
/// its title and description unique on the page. Nothing without a label
/// or a series.
pub fn trend(id: &str, title: &str, y_label: &str, labels: &[String], series: &[Series]) -> String {
    if labels.is_empty() || series.is_empty() {
        return String::new();
    }
    let range = (0.0, 100.0);
    let n = labels.len();
    let legend_rows = series.len().div_ceil(LEGEND_COLUMNS);
    let h = LINE_H + 8.0 + LEGEND_ROW * legend_rows as f64;
    let desc = series
        .iter()
        .map(|ser| {
            let points = labels
                .iter()
                .zip(&ser.values)
                .map(|(l, v)| format!("{l} {} %", format::number(*v)))
                .collect::<Vec<_>>()
                .join("，");
            format!("{}：{points}", ser.name)
        })
        .collect::<Vec<_>>()
        .join("；");
    let id = esc(id);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart trend\" viewBox=\"0 0 {LINE_W} {}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        c(h),
        esc(title),
        esc(&desc)
    );
    y_axis(&mut s, range, y_label, " %");
    let every = n.div_ceil(6).max(1);
    for (i, l) in labels.iter().enumerate() {
        if i % every == 0 || i == n - 1 {
            x_label(&mut s, line_x(i, n), l);
        }
    }
    for (k, ser) in series.iter().enumerate() {
        let colour = SERIES_COLOURS[k % SERIES_COLOURS.len()];
        let dash = SERIES_DASHES[(k / SERIES_COLOURS.len() + k) % SERIES_DASHES.len()];
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let pts: Vec<(f64, f64)> = ser
            .values
            .iter()
            .take(n)
            .enumerate()
            .map(|(i, v)| (line_x(i, n), line_y(v.clamp(0.0, 100.0), range)))
            .collect();
        if pts.len() > 1 {
            let _ = write!(
                s,
                "<polyline class=\"series\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash_attr}/>",
                pts.iter()
                    .map(|(x, y)| format!("{},{}", c(*x), c(*y)))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        for (x, y) in &pts {
            let _ = write!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{colour}\"/>",
                c(*x),
                c(*y)
            );
        }
        let col = (k % LEGEND_COLUMNS) as f64;
        let row = (k / LEGEND_COLUMNS) as f64;
        let lx = PAD_L + col * (LINE_W - PAD_L - PAD_R) / LEGEND_COLUMNS as f64;
        let ly = LINE_H + 8.0 + row * LEGEND_ROW + LEGEND_ROW / 2.0;
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"3\"{dash_attr}/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1f2933\">{}</text>",
            c(lx),
            c(ly),
            c(lx + 24.0),
            c(ly),
            c(lx + 30.0),
            c(ly + 4.0),
            esc(&ser.name)
        );
    }
    s.push_str("</svg>");
    s
}

const CELL_W: f64 = 76.0;
const CELL_H: f64 = 30.0;
const MATRIX_LABEL_W: f64 = 120.0;
const MATRIX_HEAD_H: f64 = 56.0;

/// A from × to matrix of counts as a heat map (rows: `rows`, columns:
/// `columns`, `values[row][column]`): each cell shaded by its share of the
/// largest count and labelled with the count. `id` makes the ids of its
/// title and description unique on the page. Nothing without a row or a
/// column.
pub fn matrix(
    id: &str,
    title: &str,
    rows: &[String],
    columns: &[String],
    values: &[Vec<u64>],
) -> String {
    if rows.is_empty() || columns.is_empty() {
        return String::new();
    }
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    let w = MATRIX_LABEL_W + CELL_W * columns.len() as f64 + 8.0;
    let h = MATRIX_HEAD_H + CELL_H * rows.len() as f64 + 8.0;
    let desc = rows
        .iter()
        .zip(values)
        .map(|(r, vs)| {
            let cells = columns
                .iter()
                .zip(vs)
                .filter(|(_, v)| **v > 0)
                .map(|(c, v)| format!("到{c} {}", format::count(*v)))
                .collect::<Vec<_>>()
                .join("，");
            format!(
                "从{r}：{}",
                if cells.is_empty() {
                    "无".to_owned()
                } else {
                    cells
                }
            )
        })
        .collect::<Vec<_>>()
        .join("；");
    let id = esc(id);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart matrix\" viewBox=\"0 0 {} {}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>\
         <text x=\"{}\" y=\"14\" font-size=\"12\" fill=\"#3e4c59\">上次 ↓ / 本次 →</text>",
        c(w),
        c(h),
        esc(title),
        esc(&desc),
        c(4.0)
    );
    for (j, col) in columns.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1f2933\">{}</text>",
            c(MATRIX_LABEL_W + CELL_W * (j as f64 + 0.5)),
            c(MATRIX_HEAD_H - 10.0),
            esc(col)
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let top = MATRIX_HEAD_H + CELL_H * i as f64;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#1f2933\">{}</text>",
            c(MATRIX_LABEL_W - 8.0),
            c(top + CELL_H / 2.0 + 4.0),
            esc(row)
        );
        for j in 0..columns.len() {
            let v = values.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
            let share = if max > 0 { v as f64 / max as f64 } else { 0.0 };
            // From near white to the site's blue; dark cells get white text.
            let shade = |lo: f64, hi: f64| (lo + (hi - lo) * share).round() as u8;
            let fill = format!(
                "#{:02x}{:02x}{:02x}",
                shade(245.0, 29.0),
                shade(247.0, 95.0),
                shade(250.0, 168.0)
            );
            let ink = if share > 0.5 { "#ffffff" } else { "#1f2933" };
            let _ = write!(
                s,
                "<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{ink}\">{}</text>",
                c(MATRIX_LABEL_W + CELL_W * j as f64),
                c(top),
                c(CELL_W),
                c(CELL_H),
                c(MATRIX_LABEL_W + CELL_W * (j as f64 + 0.5)),
                c(top + CELL_H / 2.0 + 4.0),
                format::count(v)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod matrix_tests {
    use super::*;

    #[test]
    fn a_matrix_labels_every_cell_and_escapes_labels() {
        let svg = matrix(
            "m",
            "迁移 <x>",
            &["A级".into(), "新增".into()],
            &["A级".into(), "B&C".into()],
            &[vec![12_345, 0], vec![3, 7]],
        );
        assert_eq!(svg.matches("class=\"cell\"").count(), 4);
        assert!(svg.contains(">12,345<"), "{svg}");
        assert!(svg.contains("B&amp;C") && svg.contains("迁移 &lt;x&gt;"));
        assert!(svg.contains("从新增：到A级 3，到B&amp;C 7"));
        assert!(matrix("m", "t", &[], &["a".into()], &[]).is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axes(values: &[(f64, f64)]) -> Vec<Axis> {
        values
            .iter()
            .enumerate()
            .map(|(i, (v, m))| Axis {
                label: format!("维度{i}"),
                value: *v,
                max: *m,
            })
            .collect()
    }

    /// The coordinates of the value polygon of a radar.
    fn value_points(svg: &str) -> Vec<(f64, f64)> {
        let at = svg.find("class=\"value\" points=\"").unwrap() + 22;
        let rest = &svg[at..];
        rest[..rest.find('"').unwrap()]
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn a_full_dimension_reaches_the_outer_ring_and_an_empty_one_the_centre() {
        let svg = radar(
            "五维",
            &axes(&[
                (100.0, 100.0),
                (0.0, 80.0),
                (40.0, 80.0),
                (30.0, 60.0),
                (200.0, 100.0),
            ]),
        );
        let pts = value_points(&svg);
        assert_eq!(pts.len(), 5);
        // The first axis points straight up: full points, full radius.
        assert!((pts[0].0 - RADAR_CX).abs() < 0.1);
        assert!((pts[0].1 - (RADAR_CY - RADAR_R)).abs() < 0.1);
        // No points: the centre.
        assert!((pts[1].0 - RADAR_CX).abs() < 0.1 && (pts[1].1 - RADAR_CY).abs() < 0.1);
        // Half the points: half the radius.
        let d = ((pts[2].0 - RADAR_CX).powi(2) + (pts[2].1 - RADAR_CY).powi(2)).sqrt();
        assert!((d - RADAR_R / 2.0).abs() < 0.2, "{d}");
        // More than the maximum is clamped to the outer ring.
        let d = ((pts[4].0 - RADAR_CX).powi(2) + (pts[4].1 - RADAR_CY).powi(2)).sqrt();
        assert!((d - RADAR_R).abs() < 0.2, "{d}");
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"radar-t\">五维</title>"));
        assert!(svg.contains("维度0 100 分（满分 100 分）"));
    }

    #[test]
    fn too_few_axes_or_points_draw_nothing_and_text_is_escaped() {
        assert_eq!(radar("x", &axes(&[(1.0, 2.0), (1.0, 2.0)])), "");
        assert_eq!(history("x", "分", &[]), "");
        let svg = radar(
            "<b>",
            &[
                Axis {
                    label: "a&b".into(),
                    value: 1.0,
                    max: 0.0,
                },
                Axis {
                    label: "\"q\"".into(),
                    value: f64::NAN,
                    max: 1.0,
                },
                Axis {
                    label: "c".into(),
                    value: 1.0,
                    max: 1.0,
                },
            ],
        );
        assert!(
            svg.contains("&lt;b&gt;") && svg.contains("a&amp;b") && svg.contains("&quot;q&quot;")
        );
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn history_points_go_left_to_right_and_higher_scores_higher() {
        let pts = [
            Point {
                label: "2026-01-31".into(),
                value: 700.0,
                mark: "C".into(),
            },
            Point {
                label: "2026-03-31".into(),
                value: 812.5,
                mark: "B".into(),
            },
            Point {
                label: "2026-06-30".into(),
                value: 905.0,
                mark: "A".into(),
            },
        ];
        let svg = history("等级变化", "得分", &pts);
        assert_eq!(y_range(&[700.0, 812.5, 905.0]), (700.0, 1000.0));
        assert!(line_y(905.0, (700.0, 1000.0)) < line_y(700.0, (700.0, 1000.0)));
        assert!(line_x(0, 3) < line_x(1, 3) && line_x(1, 3) < line_x(2, 3));
        for p in &pts {
            assert!(svg.contains(&p.label), "{}", p.label);
        }
        assert!(svg.contains("<polyline"));
        // One point: in the middle, no line; a flat range still has a span.
        let one = history("t", "分", &pts[..1]);
        assert!(!one.contains("<polyline"));
        assert_eq!(y_range(&[800.0]), (795.0, 805.0));
        assert_eq!(y_range(&[812.0, 818.0]), (810.0, 820.0));
    }
}

#[cfg(test)]
mod distribution_tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            text: format!("{value} 户"),
        }
    }

    /// The widths of the bars, in order.
    fn widths(svg: &str) -> Vec<f64> {
        svg.split("class=\"bar\"")
            .skip(1)
            .map(|r| {
                let at = r.find("width=\"").unwrap() + 7;
                r[at..at + r[at..].find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn bars_are_as_long_as_their_values_and_the_longest_fills_the_plot() {
        let svg = bars(
            "dist-m",
            "分布",
            &[
                bar("A级", 50.0),
                bar("B级", 100.0),
                bar("C级", 0.0),
                bar("D级", 25.0),
            ],
        );
        let w = widths(&svg);
        let full = BAR_W - BAR_LABEL_W - BAR_TEXT_W;
        assert_eq!(w.len(), 4);
        assert!((w[1] - full).abs() < 0.1, "{w:?}");
        assert!((w[0] - full / 2.0).abs() < 0.1 && (w[3] - full / 4.0).abs() < 0.1);
        assert_eq!(w[2], 0.0);
        assert!(svg.contains("aria-labelledby=\"dist-m-t dist-m-d\""));
        assert!(svg.contains("<desc id=\"dist-m-d\">A级 50 户；B级 100 户"));
        // Nothing to draw, nothing drawn; all zero draws empty bars.
        assert_eq!(bars("x", "t", &[]), "");
        assert_eq!(widths(&bars("x", "t", &[bar("a", 0.0)])), vec![0.0]);
        assert!(bars("<x>", "a&b", &[bar("<", f64::NAN)]).contains("&lt;x&gt;-t"));
    }

    #[test]
    fn a_trend_draws_one_line_per_series_rising_with_its_share() {
        let labels: Vec<String> = ["2026-04-30", "2026-05-31", "2026-06-30"]
            .into_iter()
            .map(String::from)
            .collect();
        let svg = trend(
            "trend-m",
            "趋势",
            "占比",
            &labels,
            &[
                Series {
                    name: "A级".into(),
                    values: vec![10.0, 20.0, 40.0],
                },
                Series {
                    name: "B级".into(),
                    values: vec![90.0, 80.0, 60.0],
                },
            ],
        );
        assert_eq!(svg.matches("<polyline class=\"series\"").count(), 2);
        assert!(
            svg.contains("stroke-dasharray"),
            "the second line is dashed"
        );
        for l in &labels {
            assert!(svg.contains(l.as_str()), "{l}");
        }
        // A larger share is drawn higher.
        assert!(line_y(40.0, (0.0, 100.0)) < line_y(10.0, (0.0, 100.0)));
        assert!(svg.contains("A级：2026-04-30 10 %，2026-05-31 20 %，2026-06-30 40 %"));
        // The last date ends at the right edge instead of being cut there.
        assert!(svg.contains(&format!(
            "x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#3e4c59\">2026-06-30</text>",
            c(LINE_W - 2.0),
            c(LINE_H - PAD_B + 20.0)
        )));
        // One run: points, no line.
        let one = trend(
            "t1",
            "t",
            "y",
            &labels[..1],
            &[Series {
                name: "A".into(),
                values: vec![50.0],
            }],
        );
        assert!(!one.contains("<polyline") && one.contains("<circle"));
        assert_eq!(trend("t", "t", "y", &[], &[]), "");
    }
}
