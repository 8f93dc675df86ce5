//! The side-by-side figures and their tables: for a terminal, and as Markdown for BENCH.md.

use std::fmt::Write as _;
use std::time::Duration;

use super::super::machine::Machine;
use super::super::statistics::median;
use super::super::units::{bytes, duration, ratio, thousands};

/// Everything the side-by-side tables show.
#[derive(Debug, Clone, PartialEq)]
pub struct VsHurlReport {
    pub machine: Machine,
    /// The load average before the first run and after the last.
    pub load_before: Option<String>,
    pub load_after: Option<String>,
    /// `hurl 8.0.1`, or why Hurl was not run.
    pub hurl: Result<String, String>,
    /// Timed runs of each tool at each size.
    pub runs: usize,
    /// Median whole-process time of `--version`: what starting costs each tool.
    pub ucwa_start: Duration,
    pub hurl_start: Option<Duration>,
    pub sizes: Vec<SizeFigures>,
    /// The two command lines of the last size, as run.
    pub commands: Vec<String>,
}

/// The figures at one N.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeFigures {
    pub n: usize,
    pub steps: usize,
    /// Requests of the Hurl file (the unit of the per-request cost).
    pub requests: usize,
    pub ucwa: Tool,
    pub hurl: Option<Tool>,
    /// The loader alone on the generated case, median of a few loads.
    pub load: Duration,
    /// Where ucwa-conform's time goes, measured in process.
    pub phases: Phases,
}

/// One tool's whole-process runs at one N.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    pub walls: Vec<Duration>,
    /// Timed runs that did not exit 0 (should be none).
    pub failed: usize,
    /// Peak resident set in KiB, from an untimed run; `None` without GNU time.
    pub peak_kib: Option<u64>,
}

impl Tool {
    pub fn median(&self) -> Duration {
        median(&self.walls)
    }

    fn range(&self) -> (Duration, Duration) {
        let min = self.walls.iter().min().copied().unwrap_or_default();
        let max = self.walls.iter().max().copied().unwrap_or_default();
        (min, max)
    }

    fn per_request(&self, requests: usize) -> Duration {
        self.median() / requests.max(1) as u32
    }

    fn peak(&self) -> String {
        self.peak_kib
            .map_or_else(|| "n/a".to_owned(), |kib| bytes(kib * 1024))
    }
}

/// ucwa-conform's run of the same case in process, phase by phase (as `run` does them; the
/// load is [`SizeFigures::load`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Phases {
    /// The bootstrap: autodiscover, challenge, token, user, test-control probe.
    pub sign_in: Duration,
    /// `run_suite`: the session's application, every step, its deletion.
    pub case: Duration,
    /// Requests `run_suite` sent.
    pub case_requests: u64,
    /// Writing junit.xml, report.json and report.html.
    pub reports: Duration,
    pub report_json_bytes: u64,
}

impl Phases {
    fn per_request(&self) -> Duration {
        self.case / self.case_requests.max(1) as u32
    }
}

impl SizeFigures {
    /// Hurl's median over ucwa-conform's: above 1, ucwa-conform is faster.
    pub fn speedup(&self) -> Option<f64> {
        let hurl = self.hurl.as_ref()?.median().as_secs_f64();
        let ucwa = self.ucwa.median().as_secs_f64();
        (ucwa > 0.0).then(|| hurl / ucwa)
    }
}

impl VsHurlReport {
    fn heading(&self) -> String {
        let hurl = match &self.hurl {
            Ok(version) => version.clone(),
            Err(why) => format!("no Hurl: {why}"),
        };
        format!(
            "ucwa-conform bench --vs-hurl ({}; load average {} before, {} after; {hurl}; \
             whole processes, median of {} alternating runs each, one `ucwa-conform serve`)",
            self.machine.describe(),
            self.load_before.as_deref().unwrap_or("unknown"),
            self.load_after.as_deref().unwrap_or("unknown"),
            self.runs,
        )
    }

    /// `starting (--version): ucwa-conform 2.1 ms, Hurl 3.4 ms`.
    fn starting(&self) -> String {
        let hurl = self
            .hurl_start
            .map(|d| format!(", Hurl {}", duration(d)))
            .unwrap_or_default();
        format!(
            "starting (`--version`, whole process): ucwa-conform {}{hurl}",
            duration(self.ucwa_start)
        )
    }

    /// The tables for a terminal.
    pub fn plain(&self) -> String {
        let mut out = self.heading();
        let _ = write!(out, "\n{}\n", self.starting());
        for s in &self.sizes {
            let _ = writeln!(
                out,
                "N = {}: {} steps, {} requests",
                thousands(s.n as u64),
                thousands(s.steps as u64),
                thousands(s.requests as u64)
            );
            let mut line = |name: &str, tool: &Tool, tail: String| {
                let (min, max) = tool.range();
                let _ = writeln!(
                    out,
                    "  {name:<13} median {} (min {}, max {})   peak {}   {}/request{tail}",
                    duration(tool.median()),
                    duration(min),
                    duration(max),
                    tool.peak(),
                    duration(tool.per_request(s.requests)),
                );
            };
            if let Some(hurl) = &s.hurl {
                line("hurl", hurl, failures(hurl));
            }
            let speed = s
                .speedup()
                .map(|r| format!("   speed-up {} (Hurl's median / this one)", ratio(r)))
                .unwrap_or_default();
            line(
                "ucwa-conform",
                &s.ucwa,
                format!("{speed}{}", failures(&s.ucwa)),
            );
            let p = &s.phases;
            let _ = writeln!(
                out,
                "  in process    load {}   sign-in {}   the case {} ({} requests, {}/request)   reports {} (report.json {})",
                duration(s.load),
                duration(p.sign_in),
                duration(p.case),
                thousands(p.case_requests),
                duration(p.per_request()),
                duration(p.reports),
                bytes(p.report_json_bytes),
            );
        }
        for goal in self.goals() {
            let _ = writeln!(out, "goal  {goal}");
        }
        for command in &self.commands {
            let _ = writeln!(out, "ran   {command}");
        }
        out
    }

    /// The same figures as Markdown tables.
    pub fn markdown(&self) -> String {
        let mut out = self.heading();
        out.push_str("\n\n| N (requests) | Hurl | ucwa-conform | speed-up | Hurl peak | ucwa-conform peak | Hurl per request | ucwa-conform per request |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for s in &self.sizes {
            let hurl = s.hurl.as_ref();
            let or_none = |f: &dyn Fn(&Tool) -> String| hurl.map_or_else(|| "—".to_owned(), f);
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {} | {} | {} | {} | {} |",
                thousands(s.n as u64),
                thousands(s.requests as u64),
                or_none(&|t| duration(t.median())),
                duration(s.ucwa.median()),
                s.speedup().map_or_else(|| "—".to_owned(), ratio),
                or_none(&|t| t.peak()),
                s.ucwa.peak(),
                or_none(&|t| duration(t.per_request(s.requests))),
                duration(s.ucwa.per_request(s.requests)),
            );
        }
        out.push_str("\nucwa-conform in process, phase by phase:\n\n");
        out.push_str("| N (steps) | load | sign-in | the case (requests) | per request | reports | report.json |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
        for s in &self.sizes {
            let p = &s.phases;
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {} ({}) | {} | {} | {} |",
                thousands(s.n as u64),
                thousands(s.steps as u64),
                duration(s.load),
                duration(p.sign_in),
                duration(p.case),
                thousands(p.case_requests),
                duration(p.per_request()),
                duration(p.reports),
                bytes(p.report_json_bytes),
            );
        }
        let goals = self.goals();
        if !goals.is_empty() {
            out.push_str("\nIssue 13's goals:\n\n");
            for goal in goals {
                let _ = writeln!(out, "- {goal}");
            }
        }
        let _ = writeln!(out, "\n{}.", self.starting());
        if !self.commands.is_empty() {
            out.push_str("\nThe commands (the last N), each timed as a whole process:\n\n```sh\n");
            for command in &self.commands {
                let _ = writeln!(out, "{command}");
            }
            out.push_str("```\n");
        }
        let failed: usize = self
            .sizes
            .iter()
            .map(|s| s.ucwa.failed + s.hurl.as_ref().map_or(0, |h| h.failed))
            .sum();
        if failed > 0 {
            let _ = writeln!(out, "\nWarning: {failed} timed runs did not exit 0.");
        }
        out
    }

    /// Issue 13's targets, each with the figure and whether it is met; only the ones whose
    /// sizes (500 and 2,000) were run.
    pub fn goals(&self) -> Vec<String> {
        let at = |n: usize| self.sizes.iter().find(|s| s.n == n);
        let met = |ok: bool| if ok { "met" } else { "not met" };
        let mut goals = Vec::new();
        for (n, target) in [(2000, 3.0), (500, 2.5)] {
            if let Some(r) = at(n).and_then(SizeFigures::speedup) {
                goals.push(format!(
                    "at least {target}x faster than Hurl at N = {}: {} ({})",
                    thousands(n as u64),
                    ratio(r),
                    met(r >= target)
                ));
            }
        }
        if let (Some(small), Some(large)) = (at(500), at(2000)) {
            let a = small.ucwa.per_request(small.requests).as_secs_f64();
            let b = large.ucwa.per_request(large.requests).as_secs_f64();
            if a > 0.0 {
                goals.push(format!(
                    "whole-process cost per request at N = 2,000 within 10 % of N = 500: {} vs {} ({:+.0} %, {})",
                    duration(large.ucwa.per_request(large.requests)),
                    duration(small.ucwa.per_request(small.requests)),
                    (b / a - 1.0) * 100.0,
                    met(b <= a * 1.1)
                ));
            }
            if let (Some(a), Some(b)) = (small.ucwa.peak_kib, large.ucwa.peak_kib) {
                let r = b as f64 / a.max(1) as f64;
                goals.push(format!(
                    "peak memory at N = 2,000 within 1.5x of N = 500: {} vs {} ({}, {})",
                    bytes(b * 1024),
                    bytes(a * 1024),
                    ratio(r),
                    met(r <= 1.5)
                ));
            }
        }
        if let Some(s) = self.sizes.iter().find(|s| s.steps == 2000) {
            goals.push(format!(
                "loading a 2,000-step case under 50 ms: {} ({})",
                duration(s.load),
                met(s.load < Duration::from_millis(50))
            ));
        }
        goals
    }
}

fn failures(tool: &Tool) -> String {
    if tool.failed == 0 {
        String::new()
    } else {
        format!("   {} runs did not exit 0", tool.failed)
    }
}
