//! The steps of a case run. A long case's passing steps, once far behind the latest, can be
//! moved to a temporary file as the case runs ([`CaseSteps::spill_front`]) and are read back one
//! at a time whenever the steps are walked, so a case of ten thousand steps holds about as much
//! memory as one of a hundred. Walking them ([`CaseSteps::iter`]) always yields every step, in
//! order; only what is still in memory can be changed.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead as _, BufReader, Read, Seek as _, SeekFrom, Write as _};
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeSeq, Serializer};

use super::step::{StepOutcome, Verdict};

/// Every step of a case run: the spilled ones first, then the ones in memory.
#[derive(Clone, Default)]
pub struct CaseSteps {
    spilled: Option<Arc<Spill>>,
    kept: Vec<StepOutcome>,
}

/// Steps written out: one JSON document each, in step order.
struct Spill {
    /// An anonymous temporary file: gone with the last handle, even when the process is killed.
    file: File,
    /// Bytes written.
    len: u64,
    /// Steps written.
    count: usize,
}

impl CaseSteps {
    /// Room for `n` steps in memory.
    pub fn with_capacity(n: usize) -> CaseSteps {
        CaseSteps {
            spilled: None,
            kept: Vec::with_capacity(n),
        }
    }

    /// How many steps in all.
    pub fn len(&self) -> usize {
        self.spilled_count() + self.kept.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many steps were moved to the file.
    pub fn spilled_count(&self) -> usize {
        self.spilled.as_ref().map_or(0, |s| s.count)
    }

    /// Adds the next step.
    pub fn push(&mut self, step: StepOutcome) {
        self.kept.push(step);
    }

    /// The steps still in memory, the latest last. Every step that did not pass is among them
    /// ([`spill_front`](CaseSteps::spill_front) takes only passing and skipped steps), so what
    /// looks for failures needs no others.
    pub fn kept(&self) -> &[StepOutcome] {
        &self.kept
    }

    /// [`kept`](CaseSteps::kept), to change.
    pub fn kept_mut(&mut self) -> &mut [StepOutcome] {
        &mut self.kept
    }

    /// The step at `index` (counting every step), when it is still in memory.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut StepOutcome> {
        let spilled = self.spilled_count();
        index
            .checked_sub(spilled)
            .and_then(|i| self.kept.get_mut(i))
    }

    /// Every step in order; a spilled one is read back when its turn comes. A spilled step
    /// that cannot be read back (its file damaged) comes as an error step that says so.
    pub fn iter(&self) -> StepsIter<'_> {
        StepsIter {
            spilled: self.spilled.as_deref().map(|spill| Lines {
                reader: BufReader::with_capacity(
                    16 * 1024,
                    FileAt {
                        file: &spill.file,
                        pos: 0,
                        end: spill.len,
                    },
                ),
                line: Vec::new(),
                left: spill.count,
            }),
            kept: self.kept.iter(),
        }
    }

    /// Moves the first `n` steps in memory to the file. Only passing or skipped steps move
    /// (a failing step stops the move before it), so failures stay at hand; returns how many
    /// moved. Redact the steps first: the file holds them as given.
    pub fn spill_front(&mut self, n: usize) -> io::Result<usize> {
        let n = self.kept[..n.min(self.kept.len())]
            .iter()
            .position(|s| !matches!(s.verdict, Verdict::Pass | Verdict::Skip))
            .unwrap_or(n.min(self.kept.len()));
        if n == 0 {
            return Ok(0);
        }
        if self.spilled.is_none() {
            self.spilled = Some(Arc::new(Spill {
                file: tempfile::tempfile()?,
                len: 0,
                count: 0,
            }));
        }
        let spill = self
            .spilled
            .as_mut()
            .and_then(Arc::get_mut)
            .ok_or_else(|| io::Error::other("the steps are shared: they cannot move"))?;
        let mut bytes = Vec::new();
        for step in &self.kept[..n] {
            serde_json::to_writer(&mut bytes, step)?;
            bytes.push(b'\n');
        }
        // At the end of what was written whole: after a failed write, the next one overwrites
        // its remains rather than following them.
        (&spill.file).seek(SeekFrom::Start(spill.len))?;
        (&spill.file).write_all(&bytes)?;
        spill.len += bytes.len() as u64;
        spill.count += n;
        self.kept.drain(..n);
        Ok(n)
    }
}

impl From<Vec<StepOutcome>> for CaseSteps {
    fn from(kept: Vec<StepOutcome>) -> Self {
        CaseSteps {
            spilled: None,
            kept,
        }
    }
}

impl fmt::Debug for CaseSteps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseSteps")
            .field("spilled", &self.spilled_count())
            .field("kept", &self.kept)
            .finish()
    }
}

/// The steps of a case in order, spilled ones read back as they come.
pub struct StepsIter<'a> {
    spilled: Option<Lines<'a>>,
    kept: std::slice::Iter<'a, StepOutcome>,
}

/// The spilled steps' file, a line (one step) at a time: parsed from a slice, which serde_json
/// does several times faster than from a reader.
struct Lines<'a> {
    reader: BufReader<FileAt<'a>>,
    line: Vec<u8>,
    left: usize,
}

impl Lines<'_> {
    fn next_step(&mut self) -> StepOutcome {
        self.line.clear();
        match self.reader.read_until(b'\n', &mut self.line) {
            Ok(0) => unreadable("it ends early"),
            Ok(_) => {
                serde_json::from_slice(&self.line).unwrap_or_else(|e| unreadable(&e.to_string()))
            }
            Err(e) => unreadable(&e.to_string()),
        }
    }
}

impl<'a> Iterator for StepsIter<'a> {
    type Item = Cow<'a, StepOutcome>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(lines) = &mut self.spilled {
            if lines.left > 0 {
                lines.left -= 1;
                return Some(Cow::Owned(lines.next_step()));
            }
            self.spilled = None;
        }
        self.kept.next().map(Cow::Borrowed)
    }
}

fn unreadable(why: &str) -> StepOutcome {
    StepOutcome {
        name: "(spilled step)".to_owned(),
        line: 0,
        verdict: Verdict::Error,
        reason: Some(format!(
            "the step could not be read back from its file: {why}"
        )),
        request: None,
        response: None,
        checks: Vec::new(),
        at_ms: 0.0,
        duration_secs: 0.0,
    }
}

/// Reads a file from `pos` to `end` without moving its shared offset, so two walks of the same
/// steps never disturb each other.
struct FileAt<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl Read for FileAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end - self.pos).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        if want == 0 {
            return Ok(0);
        }
        let n = read_at(self.file, &mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

impl Serialize for CaseSteps {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for step in self.iter() {
            seq.serialize_element(step.as_ref())?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for CaseSteps {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<StepOutcome>::deserialize(deserializer).map(CaseSteps::from)
    }
}

#[cfg(test)]
mod tests;
