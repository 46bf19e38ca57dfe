//! `GET /metrics` in the Prometheus text exposition format (version 0.0.4):
//! request counts and latency histograms by method, route (the route's
//! pattern, not the path asked, so the label set stays small) and status,
//! plus the application's tasks and stored runs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    /// Observations at or under each bound (not cumulative here).
    buckets: [u64; BUCKETS.len()],
}

/// A gauge family: its name, its help text and its `(labels, value)` series.
pub type Gauge<'a> = (&'a str, &'a str, Vec<(String, u64)>);

/// Request metrics of one server.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    /// Count one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = map
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum += secs;
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            s.buckets[i] += 1;
        }
    }

    /// The request series in the text format, followed by `extra` lines.
    pub fn render(&self, extra: &[Gauge<'_>]) -> String {
        let map = self
            .series
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut out = String::new();
        out.push_str("# HELP xinyong_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE xinyong_http_requests_total counter\n");
        for ((method, route, status), s) in &map {
            let _ = writeln!(
                out,
                "xinyong_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str(
            "# HELP xinyong_http_request_duration_seconds Time from a request's arrival to its answer.\n",
        );
        out.push_str("# TYPE xinyong_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in &map {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                escape(route)
            );
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "xinyong_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "xinyong_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "xinyong_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "xinyong_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        for (name, help, samples) in extra {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            for (labels, v) in samples {
                if labels.is_empty() {
                    let _ = writeln!(out, "{name} {v}");
                } else {
                    let _ = writeln!(out, "{name}{{{labels}}} {v}");
                }
            }
        }
        out
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_end_with_the_count() {
        let m = Metrics::default();
        m.observe("GET", "/a", 200, Duration::from_micros(500));
        m.observe("GET", "/a", 200, Duration::from_millis(15));
        m.observe("GET", "/a", 200, Duration::from_secs(9));
        let text = m.render(&[(
            "xinyong_tasks",
            "Tasks.",
            vec![("status=\"running\"".into(), 1)],
        )]);
        assert!(
            text.contains(
                "xinyong_http_requests_total{method=\"GET\",route=\"/a\",status=\"200\"} 3"
            )
        );
        assert!(text.contains("le=\"0.001\"} 1\n"));
        assert!(text.contains("le=\"0.02\"} 2\n"));
        assert!(text.contains("le=\"5\"} 2\n"));
        assert!(text.contains("le=\"+Inf\"} 3\n"));
        assert!(text.contains("xinyong_tasks{status=\"running\"} 1\n"));
    }
}
