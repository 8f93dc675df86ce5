//! `WWW-Authenticate` parsing (RFC 9110 11.6.1), tolerant of what real UCWA servers send.
//!
//! Real servers send the `Bearer` and `MsRtcOAuth` challenges as two headers, or folded into one
//! line (the node-ucwa capture), with quoted or unquoted values (AUTH writes `href=https://…`
//! bare) and commas inside quoted values (`grant_type="a,b,password"`).

use std::collections::BTreeMap;

/// One authentication challenge: the scheme and its parameters (names lowercased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme as written (`Bearer`, `MsRtcOAuth`).
    pub scheme: String,
    /// Parameters by lowercased name, values unquoted. A token68 is kept under `""`.
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    /// A parameter by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// Parses every challenge of every `WWW-Authenticate` value, in order. Garbage never panics;
/// whatever cannot be read is skipped.
pub fn parse_challenges(www_authenticate_values: &[&str]) -> Vec<Challenge> {
    let mut out = Vec::new();
    for value in www_authenticate_values {
        parse_value(value, &mut out);
    }
    out
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.pos += 1;
        }
    }

    fn skip_ws_and_commas(&mut self) {
        while self
            .peek()
            .is_some_and(|c| c == ' ' || c == '\t' || c == ',')
        {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn quoted(&mut self) -> String {
        // At the opening quote.
        self.pos += 1;
        let mut s = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '"' => return s,
                '\\' => {
                    if let Some(next) = self.peek() {
                        s.push(next);
                        self.pos += 1;
                    }
                }
                other => s.push(other),
            }
        }
        s
    }

    /// An unquoted value: everything up to a comma or whitespace (URLs included).
    fn bare_value(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c != ',' && c != ' ' && c != '\t')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// Whether an `name=` parameter (not a new scheme) starts here.
    fn at_param(&self) -> bool {
        let mut i = 0;
        while self.peek_at(i).is_some_and(is_tchar) {
            i += 1;
        }
        if i == 0 {
            return false;
        }
        while self.peek_at(i).is_some_and(|c| c == ' ' || c == '\t') {
            i += 1;
        }
        if self.peek_at(i) != Some('=') {
            return false;
        }
        // `abc==` and `abc=` at the end are token68 padding, not a parameter.
        i += 1;
        while self.peek_at(i).is_some_and(|c| c == ' ' || c == '\t') {
            i += 1;
        }
        !matches!(self.peek_at(i), None | Some(',' | '='))
    }
}

fn parse_value(value: &str, out: &mut Vec<Challenge>) {
    let mut cur = Cursor {
        chars: value.chars().collect(),
        pos: 0,
    };
    loop {
        cur.skip_ws_and_commas();
        if cur.peek().is_none() {
            return;
        }
        let scheme = cur.token();
        if scheme.is_empty() {
            // Not a token: skip one character so garbage cannot loop forever.
            cur.pos += 1;
            continue;
        }
        let mut challenge = Challenge {
            scheme,
            params: BTreeMap::new(),
        };
        cur.skip_ws();
        // token68 (`Negotiate abc==`): a token not followed by a parameter `=` sign.
        if !cur.at_param() && cur.peek().is_some_and(|c| c != ',') {
            let start = cur.pos;
            let word = cur.bare_value();
            if !word.is_empty() {
                challenge.params.insert(String::new(), word);
            } else {
                cur.pos = start + 1;
            }
        }
        loop {
            cur.skip_ws_and_commas();
            if !cur.at_param() {
                break;
            }
            let name = cur.token().to_ascii_lowercase();
            cur.skip_ws();
            cur.pos += 1; // '='
            cur.skip_ws();
            let value = if cur.peek() == Some('"') {
                cur.quoted()
            } else {
                cur.bare_value()
            };
            challenge.params.insert(name, value);
        }
        out.push(challenge);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header of `spec/samples/real.node-ucwa-saz.4-user-401.http`, both challenges folded.
    const FOLDED: &str = r#"Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@domain.com", client_id="00000004-0000-0ff1-ce00-000000000000", MsRtcOAuth href="https://lync.domain.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password""#;

    /// The two headers of `spec/samples/task.bootstrap.2-user-401.http`.
    const SEPARATE: [&str; 2] = [
        r#"Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@contoso.com", client_id="00000004-0000-0ff1-ce00-000000000000""#,
        r#"MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password""#,
    ];

    fn check(challenges: &[Challenge], host: &str) {
        assert_eq!(challenges.len(), 2, "{challenges:?}");
        assert_eq!(challenges[0].scheme, "Bearer");
        assert_eq!(
            challenges[0].param("client_id"),
            Some("00000004-0000-0ff1-ce00-000000000000")
        );
        assert_eq!(challenges[1].scheme, "MsRtcOAuth");
        assert_eq!(
            challenges[1].param("href").map(str::to_owned),
            Some(format!("https://{host}/WebTicket/oauthtoken"))
        );
        assert_eq!(
            challenges[1].param("grant_type"),
            Some("urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password")
        );
    }

    #[test]
    fn folded_header_of_the_real_capture() {
        check(&parse_challenges(&[FOLDED]), "lync.domain.com");
    }

    #[test]
    fn separate_headers_of_the_task_page() {
        check(&parse_challenges(&SEPARATE), "lyncweb.contoso.com");
    }

    #[test]
    fn unquoted_href_as_in_the_auth_page() {
        let c = parse_challenges(&[
            r#"MsRtcOAuth href=https://x.example/WebTicket/oauthtoken,grant_type="password""#,
        ]);
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].param("HREF"),
            Some("https://x.example/WebTicket/oauthtoken")
        );
        assert_eq!(c[0].param("grant_type"), Some("password"));
    }

    #[test]
    fn token68_escapes_and_garbage() {
        let c = parse_challenges(&[r#"Negotiate abc==, Basic realm="a \"b\"""#]);
        assert_eq!(c[0].param(""), Some("abc=="));
        assert_eq!(c[1].param("realm"), Some(r#"a "b""#));
        for junk in [
            "",
            ",,,",
            "=\"",
            "\"unterminated",
            "a=",
            "==,=",
            "Bearer realm=\"x",
        ] {
            let _ = parse_challenges(&[junk]);
        }
    }
}
