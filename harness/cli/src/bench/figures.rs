//! The figures of the whole-suite bench: the suite's runs and the per-request comparison.

use std::time::Duration;

use harness_core::outcome::Summary;

use super::statistics::Percentiles;

/// The whole-suite runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeSuite {
    pub cases: usize,
    /// Cases times rows times formats: what one iteration runs.
    pub case_runs: usize,
    /// Wall time of each timed run.
    pub walls: Vec<Duration>,
    /// Requests of all timed runs together.
    pub requests: u64,
    pub summaries: Vec<Summary>,
}

impl WholeSuite {
    pub fn runs(&self) -> usize {
        self.walls.len()
    }

    pub fn wall(&self) -> Percentiles {
        Percentiles::of(&mut self.walls.clone())
    }

    pub fn requests_per_run(&self) -> u64 {
        self.requests / self.runs().max(1) as u64
    }

    pub fn requests_per_second(&self) -> f64 {
        let total: Duration = self.walls.iter().sum();
        if total.is_zero() {
            0.0
        } else {
            self.requests as f64 / total.as_secs_f64()
        }
    }

    /// The verdicts of the runs, or of the worst run when they differ.
    pub fn verdicts(&self) -> String {
        let bad = |s: &Summary| s.failed + s.errors;
        let Some(worst) = self.summaries.iter().max_by_key(|s| bad(s)) else {
            return "no runs".to_owned();
        };
        let mut text = format!(
            "{} case runs: {} pass, {} non-strict, {} skip, {} fail, {} error",
            worst.total, worst.passed, worst.non_strict, worst.skipped, worst.failed, worst.errors
        );
        if self.summaries.iter().any(|s| s != worst) {
            text.push_str(" (worst run; the runs differed)");
        }
        if bad(worst) > 0 {
            text.push_str(" -- the suite does not pass, so these are the figures of a failing run");
        }
        text
    }
}

/// The per-request comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerRequest {
    pub bare: Percentiles,
    pub harness: Percentiles,
    pub requests: usize,
    /// Harness steps whose checks did not pass (should be none).
    pub failed: usize,
}

impl PerRequest {
    pub fn ratio(&self) -> f64 {
        if self.bare.p50.is_zero() {
            0.0
        } else {
            self.harness.p50.as_secs_f64() / self.bare.p50.as_secs_f64()
        }
    }

    pub fn warning(&self) -> Option<String> {
        (self.failed > 0).then(|| {
            format!(
                "{} of {} harness steps did not pass their checks",
                self.failed, self.requests
            )
        })
    }
}
