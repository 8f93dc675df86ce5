//! Whole processes: each tool run to its end, timed from spawn to exit; its peak memory; Hurl
//! found (or why not); and the `ucwa-conform serve` both are measured against.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// GNU time: its `%M` is the child's `ru_maxrss` from `wait4`, exact for that one child (our
/// own `getrusage(RUSAGE_CHILDREN)` would give the largest child so far, and the workspace
/// forbids the `unsafe` a direct call needs).
const GNU_TIME: &str = "/usr/bin/time";

/// A command line: what to run, with what.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl Invocation {
    pub fn new(program: impl Into<PathBuf>) -> Invocation {
        Invocation {
            program: program.into(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Invocation {
        self.args.push(arg.into());
        self
    }

    /// The command as a person would type it (for the report).
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_os_str())
            .chain(self.args.iter().map(OsString::as_os_str))
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).stdin(Stdio::null());
        command
    }
}

/// Runs the command to its end with its output thrown away: the wall time from spawn to exit,
/// and whether it exited 0.
pub fn time_run(invocation: &Invocation) -> Result<(Duration, bool), String> {
    let mut command = invocation.command();
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|e| format!("failed to start {}: {e}", invocation.program.display()))?;
    Ok((started.elapsed(), status.success()))
}

/// One run for its peak resident set, in KiB, and its output; an error says why the run
/// failed, with the end of what it printed.
pub fn peak_memory(invocation: &Invocation, scratch: &Path) -> Result<Option<u64>, String> {
    let gnu_time = Path::new(GNU_TIME).exists();
    let out_file = scratch.join("peak-rss.txt");
    let mut command = if gnu_time {
        let mut command = Command::new(GNU_TIME);
        command
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&out_file)
            .arg(&invocation.program)
            .args(&invocation.args)
            .stdin(Stdio::null());
        command
    } else {
        invocation.command()
    };
    let output = command
        .output()
        .map_err(|e| format!("failed to start {}: {e}", invocation.program.display()))?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = text.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "`{}` failed ({}):\n{}",
            invocation.display(),
            output.status,
            tail.join("\n")
        ));
    }
    if !gnu_time {
        return Ok(None);
    }
    // The last line: a killed child gets a "Command terminated by signal" line first.
    let text = std::fs::read_to_string(&out_file).map_err(|e| e.to_string())?;
    Ok(text.lines().last().and_then(|l| l.trim().parse().ok()))
}

/// Hurl as found: its path and its version line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hurl {
    pub program: PathBuf,
    /// `hurl 8.0.1`.
    pub version: String,
}

/// Finds Hurl: `explicit`, else `hurl` on the PATH, else in Cargo's bin folder (where `cargo
/// install` puts it). The error says what was tried.
pub fn find_hurl(explicit: Option<&Path>) -> Result<Hurl, String> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    match explicit {
        Some(path) => candidates.push(path.to_owned()),
        None => {
            // Found on the PATH by hand, so the report names the program that ran.
            if let Some(paths) = std::env::var_os("PATH") {
                candidates.extend(
                    std::env::split_paths(&paths)
                        .map(|dir| dir.join("hurl"))
                        .filter(|p| p.is_file()),
                );
            }
            let cargo_home = std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
            if let Some(home) = cargo_home {
                candidates.push(home.join("bin").join("hurl"));
            }
        }
    }
    for program in &candidates {
        let Ok(output) = Command::new(program)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
        else {
            continue;
        };
        if !output.status.success() {
            continue;
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let version = text
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        return Ok(Hurl {
            program: program.clone(),
            version,
        });
    }
    let mut tried: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
    if explicit.is_none() {
        tried.insert(0, "the PATH".to_owned());
    }
    tried.dedup();
    Err(format!(
        "hurl is not installed (tried {}; hint: cargo install hurl --version 8.0.1 --locked, \
         which needs the libcurl, libxml2 and libclang development packages)",
        tried.join(", ")
    ))
}

/// `ucwa-conform serve` on a free port, stopped (killed) when dropped.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// The autodiscover root.
    pub discovery: String,
}

impl Served {
    /// Starts `exe serve --addr 127.0.0.1:0` and reads the address it got from its first lines.
    pub fn start(exe: &Path) -> Result<Served, String> {
        let mut child = Command::new(exe)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("failed to start `{} serve`: {e}", exe.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let mut origin = None;
        let mut discovery = None;
        while origin.is_none() || discovery.is_none() {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                return Err("`ucwa-conform serve` ended before saying its address".into());
            };
            if let Some(url) = line.strip_prefix("ucwa-conform reference server on ") {
                origin = Some(url.trim().to_owned());
            } else if let Some(url) = line.strip_prefix("discovery: ") {
                discovery = Some(url.trim().to_owned());
            }
        }
        // The rest of what it prints is read and dropped, so it never waits on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Served {
            child,
            origin: origin.expect("read above"),
            discovery: discovery.expect("read above"),
        })
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
