//! How the tables write numbers: durations, thousands, sizes.

use std::time::Duration;

/// `45 µs` under a millisecond, `142 ms` under a second, `2.09 s` under ten, else `12.0 s`.
pub fn duration(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1000 {
        format!("{micros} µs")
    } else if micros < 10_000 {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    } else if micros < 1_000_000 {
        format!("{} ms", d.as_millis())
    } else if micros < 10_000_000 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in MiB (`172 MiB`), KiB under one MiB; `4.7 MiB` under ten.
pub fn bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let value = n as f64;
    if value < KIB * KIB {
        format!("{:.0} KiB", value / KIB)
    } else if value < 10.0 * KIB * KIB {
        format!("{:.1} MiB", value / (KIB * KIB))
    } else {
        format!("{:.0} MiB", value / (KIB * KIB))
    }
}

/// `1.3x`.
pub fn ratio(r: f64) -> String {
    format!("{r:.2}x")
}
