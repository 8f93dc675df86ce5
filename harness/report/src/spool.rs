//! The report spool: a streamed run's report files, written case by case.
//!
//! As each case finishes, its pieces of the three files (`piece`, made by `render`) are rendered
//! at once and appended to one temporary file in the report directory, with an index entry in memory
//! (plan position, where its bytes are); the run then keeps only the case's head. At the end,
//! each file is its head (summary, coverage, JUnit counts, from the heads), the pieces copied
//! from the spool in plan order, and its tail, written under a temporary name and renamed as
//! `files` always did; the spool is removed (also when the spool is dropped unfinished; only a
//! process killed outright leaves one behind). `write_reports` goes through here too, so there
//! is one way the files are made.

use std::fs::{self, File};
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::io::{self, BufWriter, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use harness_core::outcome::{CaseOutcome, EventSink, RunEvent, RunReport};
use harness_core::secret::SecretValues;

use crate::files::{HTML_FILE, JSON_FILE, JUNIT_FILE, WriteError, read_proofs, write_file};
use crate::html::assemble_html;
use crate::json::assemble_json;
use crate::junit::{JunitFlavor, JunitOptions, assemble_junit};
use crate::piece::{Part, Pieces};
use crate::render::render_part;

/// Tells apart the spools of one process (tests write several at once).
static SPOOLS: AtomicUsize = AtomicUsize::new(0);

/// The report files of a run in the making: create it before the run, let it hear the run's
/// events (it is an [`EventSink`]), then [`finish`](ReportSpool::finish) it with the report.
#[derive(Debug)]
pub struct ReportSpool {
    dir: PathBuf,
    path: PathBuf,
    file: Option<BufWriter<File>>,
    /// Bytes written to the spool so far: where the next case's pieces start.
    end: u64,
    entries: Vec<Entry>,
    junit: JunitOptions,
    strict: bool,
    secrets: Option<SecretValues>,
    /// The first error of a piece heard through `on_event`, which cannot return one.
    error: Option<io::Error>,
}

/// A writer that counts what it passes on: where each piece ends in the spool.
struct Counted<'a, W: io::Write> {
    out: &'a mut W,
    bytes: u64,
}

impl<W: io::Write> io::Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Where one case's pieces are in the spool.
#[derive(Debug, Clone, Copy)]
struct Entry {
    position: usize,
    /// A hash of the case's name, to pair the entry with the report's case.
    name: u64,
    offset: u64,
    /// Bytes of each part, in the order of [`Part::ALL`].
    lens: [u64; 4],
}

impl ReportSpool {
    /// Creates `dir` and the spool in it. `junit` says which flavor the testcases are written
    /// in; `strict` must be the run's (a non-strict case fails its testcase under it).
    pub fn create(dir: &Path, junit: JunitOptions, strict: bool) -> io::Result<ReportSpool> {
        let mut spool = ReportSpool::open(dir, junit, strict);
        match spool.error.take() {
            Some(error) => Err(error),
            None => Ok(spool),
        }
    }

    /// [`create`](ReportSpool::create), keeping the error for [`finish`](ReportSpool::finish)
    /// to return: a run whose report folder cannot be written to still runs, reports to the
    /// console, and says at the end which file it could not write.
    pub fn open(dir: &Path, junit: JunitOptions, strict: bool) -> ReportSpool {
        let n = SPOOLS.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".report-spool-{}-{n}.tmp", std::process::id()));
        let file = fs::create_dir_all(dir)
            .map_err(|e| WriteError::into_io(dir, e))
            .and_then(|()| File::create(&path).map_err(|e| WriteError::into_io(&path, e)));
        let (file, error) = match file {
            Ok(file) => (Some(BufWriter::new(file)), None),
            Err(error) => (None, Some(error)),
        };
        ReportSpool {
            dir: dir.to_owned(),
            path,
            file,
            end: 0,
            entries: Vec::new(),
            junit,
            strict,
            secrets: None,
            error,
        }
    }

    /// Scrubs every piece, as it is copied into its file, of the values `secrets` holds by
    /// then: a token registered after a case was spooled (the run's last scrub of its report)
    /// still never reaches a file.
    pub fn with_secrets(mut self, secrets: SecretValues) -> ReportSpool {
        self.secrets = Some(secrets);
        self
    }

    /// Renders the pieces of the case at `position` of the plan and appends them to the spool.
    pub fn add(&mut self, position: usize, case: &CaseOutcome) -> io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(io::Error::other("the spool is closed"));
        };
        let mut lens = [0; 4];
        for (len, part) in lens.iter_mut().zip(Part::ALL) {
            // Rendered straight into the spool: a long case's pieces are never held whole.
            let mut counted = Counted {
                out: file,
                bytes: 0,
            };
            render_part(case, part, self.junit.flavor, self.strict, &mut counted)
                .map_err(|e| WriteError::into_io(&self.path, e))?;
            *len = counted.bytes;
        }
        self.entries.push(Entry {
            position,
            name: name_hash(&case.name),
            offset: self.end,
            lens,
        });
        self.end += lens.iter().sum::<u64>();
        Ok(())
    }

    /// Writes `junit.xml`, `report.json` and `report.html` of `report` into the directory and
    /// removes the spool; returns the paths written. `report` lists the spooled cases (whole or
    /// heads only) in plan order; a case the spool does not hold is rendered from the report.
    pub fn finish(mut self, report: &RunReport) -> io::Result<Vec<PathBuf>> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        if let Some(mut file) = self.file.take() {
            file.flush()
                .map_err(|e| WriteError::into_io(&self.path, e))?;
        }
        let spooled = File::open(&self.path).map_err(|e| WriteError::into_io(&self.path, e))?;
        self.entries.sort_by_key(|e| e.position);
        // The report holds the finished cases in plan order, as the entries sorted are.
        let mut entries = self.entries.iter().copied().peekable();
        let aligned: Vec<Option<Entry>> = report
            .cases
            .iter()
            .map(|case| entries.next_if(|e| e.name == name_hash(&case.name)))
            .collect();
        let mut pieces = Spooled {
            file: spooled,
            entries: aligned,
            cases: &report.cases,
            junit: &self.junit,
            strict: self.strict,
            secrets: self.secrets.as_ref(),
        };
        let junit = self.dir.join(JUNIT_FILE);
        write_file(&junit, |out| {
            assemble_junit(report, &self.junit, &mut pieces, out)
        })?;
        let json = self.dir.join(JSON_FILE);
        write_file(&json, |out| assemble_json(report, &mut pieces, out))?;
        let proofs = read_proofs(&self.dir);
        let html = self.dir.join(HTML_FILE);
        write_file(&html, |out| {
            assemble_html(report, &proofs, &mut pieces, out)
        })?;
        Ok(vec![junit, json, html])
    }
}

/// Creates `dir` and writes `junit.xml` (of `flavor`) and `report.json` and `report.html` into
/// it; returns the paths written. Called also for failed and interrupted runs, so each file is
/// written to a temporary name first and renamed: a reader never sees half a file.
pub fn write_reports(
    report: &RunReport,
    dir: &Path,
    flavor: JunitFlavor,
) -> io::Result<Vec<PathBuf>> {
    let options = JunitOptions {
        flavor,
        hostname: None,
    };
    write_reports_with(report, dir, options)
}

/// [`write_reports`] with the JUnit file as `junit` says. The cases go through the spool one by
/// one as a streamed run's do: one way to make the files.
pub fn write_reports_with(
    report: &RunReport,
    dir: &Path,
    junit: JunitOptions,
) -> io::Result<Vec<PathBuf>> {
    let mut spool = ReportSpool::create(dir, junit, report.strict)?;
    for (position, case) in report.cases.iter().enumerate() {
        spool.add(position, case)?;
    }
    spool.finish(report)
}

impl Drop for ReportSpool {
    fn drop(&mut self) {
        // Finished or not, the spool is scratch: it never outlives the run.
        drop(self.file.take());
        let _ = fs::remove_file(&self.path);
    }
}

impl EventSink for ReportSpool {
    fn on_event(&mut self, event: RunEvent<'_>) {
        if let RunEvent::CaseFinished { position, case } = event
            && self.error.is_none()
            && let Err(e) = self.add(position, case)
        {
            // Kept for `finish`; the run goes on, the console still reports it.
            self.error = Some(e);
        }
    }

    /// Only a spool that could be made takes the cases; otherwise the run keeps them whole.
    fn writes_cases_out(&self) -> bool {
        self.file.is_some() && self.error.is_none()
    }
}

fn name_hash(name: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    name.hash(&mut hasher);
    hasher.finish()
}

/// The pieces of the report's cases, read back from the spool.
struct Spooled<'a> {
    file: File,
    /// The spool's entry of each of the report's cases.
    entries: Vec<Option<Entry>>,
    cases: &'a [CaseOutcome],
    junit: &'a JunitOptions,
    strict: bool,
    secrets: Option<&'a SecretValues>,
}

impl Pieces for Spooled<'_> {
    fn piece(&mut self, index: usize, part: Part, out: &mut dyn io::Write) -> io::Result<()> {
        let Some(entry) = self.entries.get(index).copied().flatten() else {
            let case = self
                .cases
                .get(index)
                .ok_or_else(|| io::Error::other(format!("no case at {index} of the report")))?;
            return render_part(case, part, self.junit.flavor, self.strict, out);
        };
        let at = Part::ALL.iter().position(|p| *p == part).unwrap_or(0);
        let offset = entry.offset + entry.lens[..at].iter().sum::<u64>();
        self.file.seek(SeekFrom::Start(offset))?;
        let spooled = (&mut self.file).take(entry.lens[at]);
        match self.secrets {
            Some(secrets) => secrets.redact_copy(spooled, out),
            None => io::copy(&mut io::BufReader::new(spooled), out).map(drop),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spool_that_could_not_be_made_says_which_file_when_finished() {
        let dir = std::env::temp_dir().join(format!("spool-blocked-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        let blocker = dir.join("file");
        fs::write(&blocker, "not a directory").expect("blocker");
        let mut spool = ReportSpool::open(&blocker.join("reports"), JunitOptions::default(), false);
        // Heard cases are not its to keep: the run keeps them.
        assert!(!spool.writes_cases_out());
        let report: RunReport = serde_json::from_value(serde_json::json!({
            "tool": "t", "started_at": "s", "duration_secs": 0.0,
            "target": {"url": "u", "kind": "k", "capabilities": []},
            "strict": false, "interrupted": true,
            "summary": {"total": 0, "passed": 0, "non_strict": 0, "skipped": 0, "failed": 0, "errors": 0},
            "cases": []
        }))
        .expect("a report");
        spool.on_event(RunEvent::RunFinished(&report));
        let err = spool.finish(&report).expect_err("no folder");
        assert!(err.to_string().starts_with("failed to write "), "{err}");
        assert!(err.to_string().contains("reports"), "{err}");
        let _ = fs::remove_dir_all(&dir);
    }
}
