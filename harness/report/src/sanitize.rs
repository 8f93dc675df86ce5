//! Text hygiene shared by every reporter: secret redaction, XML 1.0 cleaning, terminal-safe
//! control characters, and size caps.
//!
//! The runner already redacts; this is the second line of defence, applied to everything a
//! reporter writes, because a body or a diff is where a token usually slips through.

use std::borrow::Cow;
use std::fmt;

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// Keys whose values are secrets wherever they appear: the UCWA web ticket (`cwt=…`, in
/// `Authorization: Bearer cwt=…` and in URLs) and a form-encoded password.
const SECRET_KEYS: [&str; 2] = ["cwt=", "password="];

/// Characters that end a secret value: the delimiters of headers, query strings, form bodies,
/// JSON strings and XML. `]` is deliberately absent so that `cwt=[redacted]` stays as it is.
fn ends_secret(c: char) -> bool {
    c.is_whitespace() || matches!(c, '&' | '"' | '\'' | '<' | '>' | ';' | ',' | '\\' | ')')
}

/// Replaces the value of every `cwt=…` and `password=…` (ASCII case-insensitive) with
/// `[redacted]`. Borrows when there is nothing to replace.
pub fn redact(text: &str) -> Cow<'_, str> {
    // Every string of every report passes here: most hold no key, and finding that out must
    // not cost a lowercased copy.
    if !has_secret_key(text) {
        return Cow::Borrowed(text);
    }
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut pos = 0;
    // `to_ascii_lowercase` keeps byte offsets, so positions in `lower` are positions in `text`.
    while pos < text.len() {
        let hit = SECRET_KEYS
            .iter()
            .filter_map(|key| lower[pos..].find(key).map(|at| (pos + at, key.len())))
            .min();
        let Some((at, key_len)) = hit else { break };
        let value_start = at + key_len;
        let value_len = text[value_start..]
            .find(ends_secret)
            .unwrap_or(text.len() - value_start);
        if value_len > 0 {
            out.push_str(&text[rest..value_start]);
            out.push_str(REDACTED);
            rest = value_start + value_len;
        }
        pos = value_start + value_len;
    }
    out.push_str(&text[rest..]);
    Cow::Owned(out)
}

/// Whether some `=` in `text` ends one of [`SECRET_KEYS`] (ASCII case-insensitive).
fn has_secret_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices('=').any(|(at, _)| {
        let end = at + 1;
        SECRET_KEYS.iter().any(|key| {
            end >= key.len() && bytes[end - key.len()..end].eq_ignore_ascii_case(key.as_bytes())
        })
    })
}

/// Whether XML 1.0 allows `c` in a document (the `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Removes ANSI escape sequences and every character XML 1.0 forbids (NUL, the other C0
/// controls but tab, LF and CR, U+FFFE and U+FFFF). XML 1.0 cannot carry these even as
/// character references, so dropping them is the only option; readers such as Jenkins choke
/// on them otherwise.
pub fn xml_clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| c != '\u{1b}' && is_xml_char(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            if is_xml_char(c) {
                out.push(c);
            }
            continue;
        }
        match chars.next() {
            // CSI: parameters and intermediates, then one final byte in @..~.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: up to BEL or ST (ESC \).
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            // Any other escape is ESC plus one character.
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// Makes control characters visible (`\u{1b}`, `\u{0}`) so that a response body cannot move
/// the cursor or recolour the terminal. Newlines and tabs stay as they are.
pub fn terminal_clean(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Cuts `text` to at most `max` bytes (at a character boundary) and says how much was left
/// out, so a huge body cannot blow a CI reader's size limit.
pub fn cap(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let kept = &text[..char_floor(text, max)];
    Cow::Owned(truncated(kept, text.len() - kept.len()))
}

/// The largest character boundary of `text` at or before `at` (at most its length).
fn char_floor(text: &str, at: usize) -> usize {
    let mut end = at.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// What is kept of a capped text, and the note of how much was left out.
fn truncated(kept: &str, left_out: usize) -> String {
    format!("{kept}\n[… {left_out} bytes truncated]")
}

/// A text written piece by piece and kept as [`cap`] keeps it whole: at most `max` bytes
/// (cut at a character boundary) and a count of the rest, so a long case's failure text is
/// never held whole.
#[derive(Debug)]
pub(crate) struct CappedText {
    kept: String,
    max: usize,
    /// Bytes written, kept or not.
    total: usize,
    /// Whether a piece was cut: nothing after it is kept.
    cut: bool,
}

impl CappedText {
    pub(crate) fn new(max: usize) -> CappedText {
        CappedText {
            kept: String::new(),
            max,
            total: 0,
            cut: false,
        }
    }

    /// What [`cap`] of the whole text would be.
    pub(crate) fn finish(self) -> String {
        if self.total <= self.max {
            return self.kept;
        }
        truncated(&self.kept, self.total - self.kept.len())
    }
}

impl fmt::Write for CappedText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.total += s.len();
        if self.cut {
            return Ok(());
        }
        let room = self.max - self.kept.len();
        if s.len() <= room {
            self.kept.push_str(s);
            return Ok(());
        }
        self.kept.push_str(&s[..char_floor(s, room)]);
        self.cut = true;
        Ok(())
    }
}

/// The first line of `text`, at most `max` characters, for one-line messages.
pub fn one_line(text: &str, max: usize) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    if first.chars().count() <= max {
        return first.to_owned();
    }
    let mut out: String = first.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The first `max_lines` lines of `text`, also capped at `max_bytes`, for body heads.
pub fn head(text: &str, max_lines: usize, max_bytes: usize) -> (String, bool) {
    let mut out = String::new();
    let mut cut = false;
    for (i, line) in text.lines().enumerate() {
        if i == max_lines || out.len() + line.len() > max_bytes {
            cut = true;
            break;
        }
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
    (out, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_cwt_tokens_in_headers_urls_and_bodies() {
        assert_eq!(
            redact("Authorization: Bearer cwt=AAEB+HAE/Fz== next"),
            "Authorization: Bearer cwt=[redacted] next"
        );
        assert_eq!(
            redact("GET /ucwa?CWT=abc&x=1"),
            "GET /ucwa?CWT=[redacted]&x=1"
        );
        assert_eq!(redact("{\"h\":\"cwt=abc\"}"), "{\"h\":\"cwt=[redacted]\"}");
    }

    #[test]
    fn redacts_password_form_values() {
        assert_eq!(
            redact("grant_type=password&username=a&password=hunter2&x=y"),
            "grant_type=password&username=a&password=[redacted]&x=y"
        );
        assert_eq!(
            redact("password=p cwt=t"),
            "password=[redacted] cwt=[redacted]"
        );
    }

    #[test]
    fn redaction_is_idempotent_and_borrows_clean_text() {
        let once = redact("cwt=abc password=def").into_owned();
        assert_eq!(redact(&once), once);
        assert!(matches!(redact("nothing here"), Cow::Borrowed(_)));
        assert_eq!(redact("cwt= empty"), "cwt= empty");
        assert_eq!(redact("ends with cwt="), "ends with cwt=");
    }

    #[test]
    fn a_key_is_found_in_any_case_at_any_place() {
        for text in ["cwt=x", "a=b&CWT=x", "PassWord=x", "=password=x", "xcwt=y"] {
            assert!(has_secret_key(text), "{text}");
        }
        for text in ["", "=", "cwt", "wt=x", "pass=word", "c=wt=", "passwor=d"] {
            assert!(!has_secret_key(text), "{text}");
        }
    }

    #[test]
    fn xml_clean_strips_ansi_and_illegal_characters() {
        assert_eq!(xml_clean("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(xml_clean("a\u{0}b\u{7}c\u{fffe}d\u{ffff}e"), "abcde");
        assert_eq!(xml_clean("t\ta\nb\r"), "t\ta\nb\r");
        assert_eq!(xml_clean("\u{1b}]0;title\u{7}x"), "x");
        assert_eq!(xml_clean("\u{1b}]8;;u\u{1b}\\y"), "y");
        assert_eq!(xml_clean("é 😀 \u{e000}"), "é 😀 \u{e000}");
    }

    #[test]
    fn terminal_clean_makes_controls_visible() {
        assert_eq!(
            terminal_clean("\u{1b}[31m\u{0}ok\n"),
            "\\u{1b}[31m\\u{0}ok\n"
        );
        assert_eq!(terminal_clean("a\rb"), "a\\rb");
    }

    #[test]
    fn cap_cuts_at_a_char_boundary() {
        assert_eq!(cap("abc", 3), "abc");
        assert_eq!(cap("aéb", 2), "a\n[… 3 bytes truncated]");
    }

    #[test]
    fn capped_text_written_in_pieces_is_cap_of_the_whole() {
        use std::fmt::Write as _;
        let whole = "ab\u{e9}cd\u{1F600}efgh";
        for max in 0..=whole.len() + 1 {
            for split in [1, 2, 3, 5] {
                let mut capped = CappedText::new(max);
                let mut rest = whole;
                while !rest.is_empty() {
                    let mut at = split.min(rest.len());
                    while !rest.is_char_boundary(at) {
                        at += 1;
                    }
                    capped.write_str(&rest[..at]).expect("never fails");
                    rest = &rest[at..];
                }
                assert_eq!(
                    capped.finish(),
                    cap(whole, max),
                    "max {max}, pieces of {split}"
                );
            }
        }
    }

    #[test]
    fn one_line_keeps_the_first_line_short() {
        assert_eq!(one_line("first\nsecond", 10), "first");
        assert_eq!(one_line("abcdefgh", 4), "abc…");
    }

    #[test]
    fn head_stops_at_lines_or_bytes() {
        assert_eq!(head("a\nb\nc", 2, 100), ("a\nb".to_owned(), true));
        assert_eq!(head("a\nb", 5, 100), ("a\nb".to_owned(), false));
        assert_eq!(head("aaaa\nbbbb", 5, 6), ("aaaa".to_owned(), true));
    }
}
