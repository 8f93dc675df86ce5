//! `ucwa-conform bench --vs-hurl`: issue 13's side-by-side benchmark. For each N the workload
//! is generated as a case file and as the equivalent `.hurl` file; one `ucwa-conform serve`
//! answers both; each tool runs as a whole process (`ucwa-conform run` writing its reports,
//! `hurl --test`), alternately and in rounds that take every N in turn, and the medians, their
//! ratio, each one's peak memory and the cost per request are printed. The same case is also run in process, phase by phase, to say
//! where ucwa-conform's time goes. Without Hurl, ucwa-conform is measured alone.

mod process;
mod report;
mod workload;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness_report::{JSON_FILE, JunitFlavor, write_reports};
use harness_runner::client::TlsOptions;
use harness_runner::run::{Interrupt, plan, run_suite};

pub use process::{Hurl, Invocation, Served, find_hurl};
pub use report::{Phases, SizeFigures, Tool, VsHurlReport};
pub use workload::{CASE_ID, HurlTarget, case_file, hurl_file, hurl_variables, requests, steps};

use super::machine::{Machine, load_average};
use super::options::{Silent, run_options};
use super::statistics::median;
use crate::args::BenchArgs;
use crate::exit;
use crate::setup::{ReachError, Reached, Where, load, reach};

/// In-process runs of the case for the phase figures (their medians are shown).
const PHASE_RUNS: usize = 3;

/// Loads of the generated case for the loader's figure.
const LOADS: usize = 5;

/// Runs the side-by-side benchmark and prints its tables.
pub async fn cmd_vs_hurl(args: BenchArgs) -> i32 {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: failed to find this program's own path: {e}");
            return exit::USAGE;
        }
    };
    if args.sizes.is_empty() || args.sizes.contains(&0) {
        eprintln!("error: --sizes takes numbers of rounds of at least 1, e.g. 500,2000");
        return exit::USAGE;
    }
    let hurl = find_hurl(args.hurl.as_deref());
    if let Err(why) = &hurl {
        eprintln!("note: {why}; measuring ucwa-conform alone");
    }
    let (work, keep) = match &args.work_dir {
        Some(dir) => (dir.clone(), true),
        None => (
            std::env::temp_dir().join(format!("ucwa-conform-bench-{}", std::process::id())),
            false,
        ),
    };
    let measured = measure(&args, &exe, &hurl, &work).await;
    if !keep {
        let _ = std::fs::remove_dir_all(&work);
    }
    let report = match measured {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FAILURES;
        }
    };
    if args.markdown {
        print!("{}", report.markdown());
    } else {
        print!("{}", report.plain());
    }
    exit::OK
}

/// The generated files of one N.
struct Workload {
    cases: PathBuf,
    hurl: PathBuf,
    variables: PathBuf,
}

/// One N made ready to time: its files, both commands, its load figure and peak memories.
struct Ready {
    n: usize,
    dir: PathBuf,
    files: Workload,
    ucwa: Invocation,
    hurl: Option<Invocation>,
    load: Duration,
    ucwa_tool: Tool,
    hurl_tool: Option<Tool>,
}

impl Ready {
    fn prepare(
        n: usize,
        work: &Path,
        exe: &Path,
        hurl: Option<&Hurl>,
        served: &Served,
        target: &HurlTarget,
        runs: usize,
    ) -> Result<Ready, String> {
        let dir = work.join(format!("n{n}"));
        let files = write_workload(&dir, n, target)?;
        let ucwa = Invocation::new(exe)
            .arg("run")
            .arg("--target")
            .arg(&served.discovery)
            .arg("--cases")
            .arg(&files.cases)
            .arg("--report-dir")
            .arg(dir.join("reports"));
        let hurl = hurl.map(|h| {
            Invocation::new(&h.program)
                .arg("--test")
                .arg("--variables-file")
                .arg(&files.variables)
                .arg(&files.hurl)
        });
        eprintln!("N = {n}: loading, then one untimed run of each for its peak memory");
        let load = time_loader(&files.cases, n)?;
        let ucwa_tool = Tool {
            walls: Vec::with_capacity(runs),
            failed: 0,
            peak_kib: process::peak_memory(&ucwa, &dir)?,
        };
        let hurl_tool = match &hurl {
            Some(h) => Some(Tool {
                walls: Vec::with_capacity(runs),
                failed: 0,
                peak_kib: process::peak_memory(h, &dir)?,
            }),
            None => None,
        };
        Ok(Ready {
            n,
            dir,
            files,
            ucwa,
            hurl,
            load,
            ucwa_tool,
            hurl_tool,
        })
    }
}

async fn measure(
    args: &BenchArgs,
    exe: &Path,
    found: &Result<Hurl, String>,
    work: &Path,
) -> Result<VsHurlReport, String> {
    let hurl = found.as_ref().ok();
    let served = Served::start(exe)?;
    // ucwa-conform's own bootstrap finds where the Hurl file signs in (it starts at the token).
    let reached = reach(Where::Url(&served.discovery), TlsOptions::default())
        .await
        .map_err(reach_error)?;
    let target = hurl_target(&served, &reached)?;
    drop(reached);
    let runs = args.iterations.max(1);
    let load_before = load_average();
    let ucwa_start = time_start(exe, runs)?;
    let hurl_start = match hurl {
        Some(h) => Some(time_start(&h.program, runs)?),
        None => None,
    };
    // Every size is made ready first, then each round times every size: the sizes' figures
    // share the machine's drift, so comparing their costs per request stays fair.
    let mut ready = Vec::with_capacity(args.sizes.len());
    for &n in &args.sizes {
        ready.push(Ready::prepare(n, work, exe, hurl, &served, &target, runs)?);
    }
    eprintln!("{runs} timed rounds of each tool at each N");
    for i in 0..runs {
        // Which goes first alternates (the sizes' order and the tools'), so drift on shared
        // cores falls on all alike.
        let first = i % 2 == 0;
        let order: Vec<&mut Ready> = if first {
            ready.iter_mut().collect()
        } else {
            ready.iter_mut().rev().collect()
        };
        for size in order {
            for ucwa_turn in [first, !first] {
                let (invocation, tool) = match (ucwa_turn, &size.hurl, size.hurl_tool.as_mut()) {
                    (true, ..) => (&size.ucwa, &mut size.ucwa_tool),
                    (false, Some(h), Some(t)) => (h, t),
                    _ => continue,
                };
                let (wall, ok) = process::time_run(invocation)?;
                tool.walls.push(wall);
                tool.failed += usize::from(!ok);
            }
        }
    }
    let mut sizes = Vec::with_capacity(ready.len());
    let mut commands = Vec::new();
    for size in ready {
        let n = size.n;
        eprintln!("N = {n}: {PHASE_RUNS} runs in process, phase by phase");
        let phases = phases(&size.files.cases, &served.discovery, &size.dir).await?;
        commands = std::iter::once(&size.ucwa)
            .chain(size.hurl.as_ref())
            .map(Invocation::display)
            .collect();
        sizes.push(SizeFigures {
            n,
            steps: steps(n),
            requests: requests(n),
            ucwa: size.ucwa_tool,
            hurl: size.hurl_tool,
            load: size.load,
            phases,
        });
    }
    Ok(VsHurlReport {
        machine: Machine::current(),
        load_before,
        load_after: load_average(),
        hurl: found
            .as_ref()
            .map(|h| format!("{} ({})", h.version, h.program.display()))
            .map_err(Clone::clone),
        runs,
        ucwa_start,
        hurl_start,
        sizes,
        commands,
    })
}

/// The median whole-process time of `program --version`.
fn time_start(program: &Path, runs: usize) -> Result<Duration, String> {
    let invocation = Invocation::new(program).arg("--version");
    let mut walls = Vec::with_capacity(runs);
    for _ in 0..runs {
        walls.push(process::time_run(&invocation)?.0);
    }
    Ok(median(&walls))
}

fn reach_error(e: ReachError) -> String {
    match e {
        ReachError::Usage(e) | ReachError::Unreachable(e) => e,
    }
}

fn hurl_target(served: &Served, reached: &Reached) -> Result<HurlTarget, String> {
    let t = &reached.target;
    let profile = &t.profile;
    Ok(HurlTarget {
        origin: served.origin.clone(),
        token_url: t.discovered.token.to_string(),
        user_url: t.discovered.user.to_string(),
        username: profile.username.clone(),
        password: profile
            .password
            .as_ref()
            .ok_or("the reference server's profile has no password")?
            .expose()
            .to_owned(),
        contact: profile
            .contacts
            .first()
            .ok_or("the reference server's profile has no contact")?
            .clone(),
    })
}

fn write_workload(dir: &Path, n: usize, target: &HurlTarget) -> Result<Workload, String> {
    let files = Workload {
        cases: dir.join("cases"),
        hurl: dir.join("bench.hurl"),
        variables: dir.join("variables.env"),
    };
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|e| format!("failed to write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(&files.cases)
        .map_err(|e| format!("failed to create {}: {e}", files.cases.display()))?;
    write(&files.cases.join("bench.yaml"), &case_file(n))?;
    write(&files.hurl, &hurl_file(n))?;
    write(&files.variables, &hurl_variables(target))?;
    Ok(files)
}

/// The loader alone on the generated folder: the median of a few loads, after checking that it
/// holds the one case with its steps.
fn time_loader(cases: &Path, n: usize) -> Result<Duration, String> {
    let mut samples = Vec::with_capacity(LOADS);
    for _ in 0..LOADS {
        let started = Instant::now();
        let (suite, _) = load(cases)?;
        samples.push(started.elapsed());
        let shape = suite
            .cases
            .iter()
            .map(|c| (c.case.id.value.as_str(), c.plan.steps.len()))
            .collect::<Vec<_>>();
        if shape != [(CASE_ID, steps(n))] {
            return Err(format!(
                "the generated folder {} does not hold one case of {} steps: {shape:?}",
                cases.display(),
                steps(n)
            ));
        }
    }
    Ok(median(&samples))
}

/// The case run in process as `run` runs it (sign-in, the case, the reports; the load is
/// [`time_loader`]'s), each phase timed; the medians of a few runs.
async fn phases(cases: &Path, discovery: &str, dir: &Path) -> Result<Phases, String> {
    let mut all = Vec::with_capacity(PHASE_RUNS);
    for _ in 0..PHASE_RUNS {
        let suite = Arc::new(load(cases)?.0);
        let started = Instant::now();
        let reached = reach(Where::Url(discovery), TlsOptions::default())
            .await
            .map_err(reach_error)?;
        let sign_in = started.elapsed();
        let client = &reached.target.client;
        let before = client.requests_sent();
        let started = Instant::now();
        let report = run_suite(
            suite.clone(),
            plan(&suite, None),
            reached.target.clone(),
            reached.info.clone(),
            run_options(1),
            &mut Silent,
            Interrupt::default(),
        )
        .await;
        let case = started.elapsed();
        let case_requests = client.requests_sent() - before;
        let s = &report.summary;
        if s.total != 1 || s.passed != 1 {
            return Err(format!(
                "the generated case did not pass in process ({} pass, {} fail, {} error)",
                s.passed, s.failed, s.errors
            ));
        }
        let reports = dir.join("in-process-reports");
        let started = Instant::now();
        write_reports(&report, &reports, JunitFlavor::Common)
            .map_err(|e| format!("failed to write the reports: {e}"))?;
        let reports_time = started.elapsed();
        let report_json_bytes = std::fs::metadata(reports.join(JSON_FILE)).map_or(0, |m| m.len());
        all.push(Phases {
            sign_in,
            case,
            case_requests,
            reports: reports_time,
            report_json_bytes,
        });
    }
    let pick = |f: fn(&Phases) -> Duration| median(&all.iter().map(f).collect::<Vec<_>>());
    Ok(Phases {
        sign_in: pick(|p| p.sign_in),
        case: pick(|p| p.case),
        case_requests: all.last().map_or(0, |p| p.case_requests),
        reports: pick(|p| p.reports),
        report_json_bytes: all.last().map_or(0, |p| p.report_json_bytes),
    })
}
