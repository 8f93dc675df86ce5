//! The bad case files of `loader_diagnostics`, one table per seam: what does not parse or
//! resolve (`parse`), and what parses but breaks a rule of the case format (`rules`).

mod parse;
mod rules;

/// One bad file: (what, YAML, expected message fragment, expected `file:line:col`).
pub type Bad = (&'static str, &'static str, &'static str, &'static str);

/// Both tables in one, in that order.
pub const ALL: [Bad; parse::PARSE.len() + rules::RULES.len()] = concat(parse::PARSE, rules::RULES);

const fn concat<const N: usize>(a: &[Bad], b: &[Bad]) -> [Bad; N] {
    assert!(a.len() + b.len() == N, "N is the length of both tables");
    let mut out = [("", "", "", ""); N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[a.len() + j] = b[j];
        j += 1;
    }
    out
}
