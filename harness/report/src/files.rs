//! Where the report files of a run go: their names in the report directory (`reports/` by
//! default), the write under a temporary name and a rename, and the proofs left beside them.

use std::fs;
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};

use crate::html::Proofs;

/// The JUnit file name inside the report directory.
pub const JUNIT_FILE: &str = "junit.xml";
/// The JSON file name inside the report directory.
pub const JSON_FILE: &str = "report.json";
/// The HTML report's file name.
pub const HTML_FILE: &str = "report.html";
/// Where `ucwa-conform mutants` writes its matrix.
pub const MUTANTS_FILE: &str = "mutants.json";
/// Where `ucwa-conform variants` writes its matrix.
pub const VARIANTS_FILE: &str = "variants.json";

/// A report file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("failed to write {}: {source}", path.display())]
pub struct WriteError {
    /// The file (or directory) being written.
    pub path: PathBuf,
    /// What went wrong.
    #[source]
    pub source: io::Error,
}

impl WriteError {
    /// Wraps the error in an `io::Error` of the same kind, so the message names the file.
    pub(crate) fn into_io(path: &Path, source: io::Error) -> io::Error {
        let kind = source.kind();
        io::Error::new(
            kind,
            WriteError {
                path: path.to_owned(),
                source,
            },
        )
    }
}

/// The proofs a `mutants` or `variants` run left in `dir`, shown in the page too: the two
/// halves of the suite's proof.
pub(crate) fn read_proofs(dir: &Path) -> Proofs {
    let read = |name: &str| -> Option<serde_json::Value> {
        fs::read_to_string(dir.join(name))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
    };
    Proofs {
        mutants: read(MUTANTS_FILE),
        variants: read(VARIANTS_FILE),
    }
}

/// Writes `path` through `write` via a sibling temporary file and a rename.
pub(crate) fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let result = (|| {
        let mut out = BufWriter::new(fs::File::create(&tmp)?);
        write(&mut out)?;
        out.flush()?;
        out.get_ref().sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Best effort: a stale temporary file is harmless, the error below is what matters.
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| WriteError::into_io(path, e))
}
