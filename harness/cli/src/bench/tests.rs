//! The bench's statistics, tables and generated workload.

use std::time::Duration;

use harness_core::diag::SourceFile;
use harness_core::loader::parse_case_file;
use harness_core::outcome::Summary;

use super::statistics::median;
use super::units::{bytes, duration, thousands};
use super::vs_hurl::{CASE_ID, HurlTarget, case_file, hurl_file, hurl_variables, requests, steps};
use super::*;

fn micros(values: &[u64]) -> Vec<Duration> {
    values.iter().map(|v| Duration::from_micros(*v)).collect()
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let mut samples = micros(&(1..=100).rev().collect::<Vec<_>>());
    let p = Percentiles::of(&mut samples);
    assert_eq!(p.min, Duration::from_micros(1));
    assert_eq!(p.p50, Duration::from_micros(50));
    assert_eq!(p.p99, Duration::from_micros(99));
    assert_eq!(p.max, Duration::from_micros(100));

    let p = Percentiles::of(&mut micros(&[7]));
    assert_eq!((p.min, p.p50, p.p99, p.max), (p.max, p.max, p.max, p.max));
    let p = Percentiles::of(&mut micros(&[30, 10, 20]));
    assert_eq!(p.p50, Duration::from_micros(20));
    assert_eq!(p.p99, Duration::from_micros(30));
    assert_eq!(Percentiles::of(&mut []), Percentiles::default());
}

#[test]
fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
    assert_eq!(
        median(&micros(&[40, 10, 30, 20])),
        Duration::from_micros(25)
    );
    assert_eq!(median(&micros(&[30, 10, 20])), Duration::from_micros(20));
    assert_eq!(median(&[]), Duration::ZERO);
}

#[test]
fn numbers_read_like_the_table() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1234), "1,234");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(duration(Duration::from_micros(45)), "45 µs");
    assert_eq!(duration(Duration::from_micros(2500)), "2.5 ms");
    assert_eq!(duration(Duration::from_millis(142)), "142 ms");
    assert_eq!(duration(Duration::from_millis(2093)), "2.09 s");
    assert_eq!(duration(Duration::from_secs(12)), "12.0 s");
    assert_eq!(bytes(512 * 1024), "512 KiB");
    assert_eq!(bytes(4_928_307), "4.7 MiB");
    assert_eq!(bytes(172 * 1024 * 1024), "172 MiB");
}

fn machine() -> Machine {
    Machine {
        release: true,
        cores: 2,
        cpu: "AMD EPYC".into(),
    }
}

fn report(failed: usize, summaries: Vec<Summary>) -> BenchReport {
    BenchReport {
        machine: machine(),
        jobs: 8,
        whole: WholeSuite {
            cases: 24,
            case_runs: 80,
            walls: micros(&[170_000, 131_000, 142_000]),
            requests: 3 * 1234,
            summaries,
        },
        per_request: PerRequest {
            bare: Percentiles {
                p50: Duration::from_micros(45),
                p99: Duration::from_micros(80),
                ..Percentiles::default()
            },
            harness: Percentiles {
                p50: Duration::from_micros(72),
                p99: Duration::from_micros(120),
                ..Percentiles::default()
            },
            requests: 5000,
            failed,
        },
    }
}

fn passing() -> Summary {
    Summary {
        total: 90,
        passed: 88,
        skipped: 2,
        ..Summary::default()
    }
}

#[test]
fn plain_table_shows_every_figure() {
    let text = report(0, vec![passing(); 3]).plain();
    assert_eq!(
        text,
        "ucwa-conform bench (release, 2 cores, AMD EPYC)\n\
         whole suite   iterations 3   cases 24 (80 runs)   jobs 8   median 142 ms   min 131 ms   max 170 ms   \
         1,234 requests/run   8,357 req/s\n\
         verdicts      90 case runs: 88 pass, 0 non-strict, 2 skip, 0 fail, 0 error\n\
         per request   5,000 GETs   bare hyper p50 45 µs p99 80 µs   harness p50 72 µs \
         p99 120 µs   ratio 1.6x\n"
    );
}

#[test]
fn markdown_table_has_the_same_figures() {
    let text = report(0, vec![passing(); 3]).markdown();
    assert!(
        text.contains(
            "| embedded server | 3 | 24 (80) | 8 | 142 ms | 131 ms | 170 ms | 1,234 | 8,357 |"
        ),
        "{text}"
    );
    assert!(
        text.contains("| bare hyper round trip | 45 µs | 80 µs | 1.0x |"),
        "{text}"
    );
    assert!(
        text.contains("| harness step | 72 µs | 120 µs | 1.6x |"),
        "{text}"
    );
    assert!(!text.contains("Warning"), "{text}");
}

#[test]
fn a_failing_suite_and_failed_steps_are_said() {
    let failing = Summary {
        failed: 1,
        passed: 87,
        ..passing()
    };
    let r = report(3, vec![passing(), failing, passing()]);
    let text = r.plain();
    assert!(
        text.contains("1 fail, 0 error (worst run; the runs differed)"),
        "{text}"
    );
    assert!(text.contains("the suite does not pass"), "{text}");
    assert!(
        text.contains("warning       3 of 5000 harness steps did not pass"),
        "{text}"
    );
    assert!(r.markdown().contains("Warning: 3 of 5000"));
}

#[test]
fn the_generated_case_loads_as_one_case_of_four_steps_a_round() {
    let text = case_file(3);
    let src = SourceFile::new("bench.yaml", text.as_str());
    let cases = parse_case_file(&src, None).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].case.id.value, CASE_ID);
    assert_eq!(cases[0].plan.steps.len(), steps(3));
    assert_eq!(steps(500), 2000);
    assert_eq!(requests(500), 2004);
}

#[test]
fn the_hurl_file_has_the_sign_in_every_round_and_the_clean_up() {
    let text = hurl_file(2);
    let requests_in_file = text
        .lines()
        .filter(|l| {
            ["GET ", "POST ", "DELETE "]
                .iter()
                .any(|m| l.starts_with(m))
        })
        .count();
    assert_eq!(requests_in_file, requests(2));
    assert_eq!(text.matches("HTTP 201").count(), 1 + 2);
    assert_eq!(text.matches("HTTP 204").count(), 2 + 1);
    assert!(text.starts_with("# Generated"), "{text}");
    assert!(text.contains("POST {{token_url}}\n"), "{text}");
    assert!(
        text.contains("xpath \"string(/*/@rel)\" == \"presenceSubscription\""),
        "{text}"
    );
    assert!(text.ends_with(
        "DELETE {{origin}}{{application}}\nAuthorization: Bearer {{token}}\nHTTP 204\n"
    ));
    let vars = hurl_variables(&HurlTarget {
        origin: "http://127.0.0.1:9".into(),
        token_url: "http://127.0.0.1:9/WebTicket/oauthtoken".into(),
        user_url: "http://127.0.0.1:9/user".into(),
        username: "alice@contoso.com".into(),
        password: "alice".into(),
        contact: "sip:bob@contoso.com".into(),
    });
    assert_eq!(vars.lines().count(), 6);
    assert!(vars.contains("contact=sip:bob@contoso.com\n"), "{vars}");
}

fn tool(ms: &[u64], peak_mib: u64) -> Tool {
    Tool {
        walls: ms.iter().map(|m| Duration::from_millis(*m)).collect(),
        failed: 0,
        peak_kib: Some(peak_mib * 1024),
    }
}

fn size(n: usize, hurl_ms: u64, ucwa_ms: u64, peak_mib: u64, load_ms: u64) -> SizeFigures {
    SizeFigures {
        n,
        steps: steps(n),
        requests: requests(n),
        ucwa: tool(&[ucwa_ms, ucwa_ms + 10, ucwa_ms - 10], peak_mib),
        hurl: Some(tool(&[hurl_ms], 200)),
        load: Duration::from_millis(load_ms),
        phases: Phases {
            sign_in: Duration::from_millis(3),
            case: Duration::from_millis(ucwa_ms / 2),
            case_requests: requests(n) as u64,
            reports: Duration::from_millis(90),
            report_json_bytes: 4_928_307,
        },
    }
}

fn side_by_side(hurl: Result<String, String>) -> VsHurlReport {
    VsHurlReport {
        machine: machine(),
        load_before: Some("1.00 0.50 0.25".into()),
        load_after: Some("2.00 1.00 0.50".into()),
        hurl,
        runs: 3,
        ucwa_start: Duration::from_micros(2100),
        hurl_start: Some(Duration::from_micros(3400)),
        sizes: vec![size(500, 600, 200, 50, 20), size(2000, 2000, 1000, 100, 80)],
        commands: vec!["ucwa-conform run …".into(), "hurl --test …".into()],
    }
}

#[test]
fn side_by_side_tables_show_ratio_memory_and_cost_per_request() {
    let r = side_by_side(Ok("hurl 8.0.1 (/bin/hurl)".into()));
    let text = r.markdown();
    assert!(
        text.contains(
            "| 500 (2,004) | 600 ms | 200 ms | 3.00x | 200 MiB | 50 MiB | 299 µs | 99 µs |"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "| 2,000 (8,000) | 80 ms | 3.0 ms | 500 ms (8,004) | 62 µs | 90 ms | 4.7 MiB |"
        ),
        "{text}"
    );
    assert!(
        text.contains("load average 1.00 0.50 0.25 before, 2.00 1.00 0.50 after; hurl 8.0.1"),
        "{text}"
    );
    let goals = r.goals();
    assert_eq!(
        goals,
        [
            "at least 3x faster than Hurl at N = 2,000: 2.00x (not met)",
            "at least 2.5x faster than Hurl at N = 500: 3.00x (met)",
            "whole-process cost per request at N = 2,000 within 10 % of N = 500: 124 µs vs 99 µs (+25 %, not met)",
            "peak memory at N = 2,000 within 1.5x of N = 500: 100 MiB vs 50 MiB (2.00x, not met)",
            "loading a 2,000-step case under 50 ms: 20 ms (met)",
        ]
    );
    let plain = r.plain();
    assert!(plain.contains("speed-up 3.00x"), "{plain}");
    assert!(plain.contains("ran   hurl --test …"), "{plain}");
    assert!(
        plain.contains("starting (`--version`, whole process): ucwa-conform 2.1 ms, Hurl 3.4 ms"),
        "{plain}"
    );
    assert!(
        text.contains("```sh\nucwa-conform run …\nhurl --test …\n```"),
        "{text}"
    );
}

#[test]
fn without_hurl_only_ucwa_conform_is_shown() {
    let mut r = side_by_side(Err("hurl is not installed".into()));
    r.hurl_start = None;
    for s in &mut r.sizes {
        s.hurl = None;
    }
    r.commands.truncate(1);
    let text = r.markdown();
    assert!(text.contains("no Hurl: hurl is not installed"), "{text}");
    assert!(
        text.contains("| 500 (2,004) | — | 200 ms | — | — | 50 MiB | — | 99 µs |"),
        "{text}"
    );
    assert!(!r.goals().iter().any(|g| g.contains("Hurl")));
    assert!(!r.plain().contains("hurl --test"));
    assert!(!r.plain().contains("\n  hurl "));
}
