//! What the binary's integration tests share: the binary, scratch folders, a `serve` process.

#![allow(dead_code)] // each test file uses its own part of this

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ucwa-conform"));
    cmd.current_dir(workspace());
    // Snapshots are only read here, never written.
    cmd.env("CI", "true");
    cmd
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ucwa-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A `ucwa-conform serve` process, killed when dropped.
pub struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on a free port with `extra` arguments; returns it and its base URL.
pub fn serve(extra: &[&str]) -> (Served, String) {
    let mut child = binary()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let served = Served(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut base = None;
    for line in lines.by_ref() {
        let line = line.expect("serve prints");
        if let Some(url) = line.strip_prefix("ucwa-conform reference server on ") {
            base = Some(url.trim().to_owned());
            break;
        }
    }
    let base = base.expect("serve prints its address");
    // Keep reading what serve prints, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    (served, base)
}
