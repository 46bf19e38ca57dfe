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
    // Horizontal grid: five lines with their values.
    for k in 0..=4 {
        let v = range.0 + (range.1 - range.0) * k as f64 / 4.0;
        let y = line_y(v, range);
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d3d9df\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#3e4c59\">{}</text>",
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
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#3e4c59\">{}</text>",
                c(*x),
                c(LINE_H - PAD_B + 20.0),
                esc(&p.label)
            );
        }
    }
    s.push_str("</svg>");
    s
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
