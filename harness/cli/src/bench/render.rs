//! The whole-suite bench's table, for a terminal and as Markdown for BENCH.md.

use std::fmt::Write as _;

use super::figures::{PerRequest, WholeSuite};
use super::machine::Machine;
use super::units::{duration, thousands};

/// Everything the table shows.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    pub machine: Machine,
    pub jobs: usize,
    pub whole: WholeSuite,
    pub per_request: PerRequest,
}

impl BenchReport {
    /// The table for a terminal.
    pub fn plain(&self) -> String {
        let w = &self.whole;
        let wall = w.wall();
        let p = &self.per_request;
        let mut out = format!("ucwa-conform bench ({})\n", self.machine.describe());
        let _ = writeln!(
            out,
            "whole suite   iterations {}   cases {} ({} runs)   jobs {}   median {}   min {}   max {}   {} requests/run   {} req/s",
            w.runs(),
            w.cases,
            w.case_runs,
            self.jobs,
            duration(wall.p50),
            duration(wall.min),
            duration(wall.max),
            thousands(w.requests_per_run()),
            thousands(w.requests_per_second().round() as u64),
        );
        let _ = writeln!(out, "verdicts      {}", w.verdicts());
        let _ = writeln!(
            out,
            "per request   {} GETs   bare hyper p50 {} p99 {}   harness p50 {} p99 {}   ratio {:.1}x",
            thousands(p.requests as u64),
            duration(p.bare.p50),
            duration(p.bare.p99),
            duration(p.harness.p50),
            duration(p.harness.p99),
            p.ratio(),
        );
        if let Some(warning) = p.warning() {
            let _ = writeln!(out, "warning       {warning}");
        }
        out
    }

    /// The same figures as Markdown tables, for BENCH.md.
    pub fn markdown(&self) -> String {
        let w = &self.whole;
        let wall = w.wall();
        let p = &self.per_request;
        let mut out = format!("ucwa-conform bench ({})\n\n", self.machine.describe());
        out.push_str(
            "| whole suite | iterations | cases (runs) | jobs | median | min | max | requests/run | req/s |\n",
        );
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        let _ = writeln!(
            out,
            "| embedded server | {} | {} ({}) | {} | {} | {} | {} | {} | {} |",
            w.runs(),
            w.cases,
            w.case_runs,
            self.jobs,
            duration(wall.p50),
            duration(wall.min),
            duration(wall.max),
            thousands(w.requests_per_run()),
            thousands(w.requests_per_second().round() as u64),
        );
        let _ = writeln!(out, "\nVerdicts: {}.\n", w.verdicts());
        let _ = writeln!(
            out,
            "| per request ({} GETs) | p50 | p99 | p50 ratio |",
            thousands(p.requests as u64)
        );
        out.push_str("|---|---:|---:|---:|\n");
        let _ = writeln!(
            out,
            "| bare hyper round trip | {} | {} | 1.0x |",
            duration(p.bare.p50),
            duration(p.bare.p99)
        );
        let _ = writeln!(
            out,
            "| harness step | {} | {} | {:.1}x |",
            duration(p.harness.p50),
            duration(p.harness.p99),
            p.ratio()
        );
        if let Some(warning) = p.warning() {
            let _ = writeln!(out, "\nWarning: {warning}.");
        }
        out
    }
}
