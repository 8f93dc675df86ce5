//! Where a bench ran: build, cores, CPU model and the load average.

/// Where the bench ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub release: bool,
    pub cores: usize,
    pub cpu: String,
}

impl Machine {
    pub fn current() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown cpu".to_owned());
        Machine {
            release: !cfg!(debug_assertions),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
        }
    }

    pub fn describe(&self) -> String {
        let build = if self.release { "release" } else { "debug" };
        let cores = if self.cores == 1 { "core" } else { "cores" };
        format!("{build}, {} {cores}, {}", self.cores, self.cpu)
    }
}

/// The 1, 5 and 15 minute load averages (`2.41 1.90 1.12`), where /proc says them: other work
/// on the same cores shows in every figure, so a table says how busy the machine was.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    (fields.len() == 3).then(|| fields.join(" "))
}
