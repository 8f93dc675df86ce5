//! Order statistics of timed samples: percentiles by the nearest-rank method, and the median.

use std::time::Duration;

/// Order statistics of a sample, by the nearest-rank method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    pub min: Duration,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Percentiles {
    /// Sorts `samples` in place and reads the statistics; all zero for no samples.
    pub fn of(samples: &mut [Duration]) -> Percentiles {
        samples.sort_unstable();
        Percentiles {
            min: samples.first().copied().unwrap_or_default(),
            p50: nearest_rank(samples, 50),
            p99: nearest_rank(samples, 99),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

/// The smallest sample with at least `pct` percent of the samples at or below it.
pub fn nearest_rank(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// The median: the middle sample, or the mean of the two middle ones for an even count
/// (so "median of 10" is the usual one); zero for no samples.
pub fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    match n {
        0 => Duration::ZERO,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}
