//! The one rule every gate on the embedded reference server applies: only a pass passes.
//!
//! The embedded server offers every capability, so a skip there is a defect of the suite or
//! the harness; a failed `should` rule (non-strict) is a regression like any other; and no
//! baseline applies, so a known failure cannot occur. The `cargo test` target of the cases,
//! the faithful run of `mutants` and every run of `variants` judge with it.

use harness_core::outcome::Verdict;

/// Whether a run on the embedded server clears a gate.
pub fn clears(verdict: Verdict) -> bool {
    verdict == Verdict::Pass
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pass_clears_a_gate() {
        assert!(clears(Verdict::Pass));
        for verdict in [
            Verdict::Fail,
            Verdict::Error,
            Verdict::Skip,
            Verdict::NonStrict,
            Verdict::KnownFailure,
            Verdict::Flaky,
        ] {
            assert!(!clears(verdict), "{verdict:?} must not clear a gate");
        }
    }
}
