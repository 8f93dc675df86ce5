//! `multipart/batching` (the UCWA batch resource): a body of `application/http` parts, each an
//! HTTP request, read here; and the answer, one `application/http; msgtype=response` part per
//! request, written here. RFC 2046 delimiters; a bare LF is read as a line break too, since
//! hand-written browser clients send either.

/// The media type of a batch, request and response alike.
pub(crate) const BATCHING: &str = "multipart/batching";
/// Parts one batch may hold; more are answered as errors of their own.
pub(crate) const MAX_PARTS: usize = 64;

/// One request read from a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartRequest {
    pub method: String,
    /// The request target as written: origin-form (`/path?query`) or absolute-form.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// One answer to write into a part.
#[derive(Debug, Clone)]
pub(crate) struct PartResponse {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The `boundary` parameter of a `multipart/batching` Content-Type, if the type is that.
/// `None` for another type; `Some(Err)` for a batch without a usable boundary.
pub(crate) fn boundary(content_type: &str) -> Option<Result<String, String>> {
    let mut params = content_type.split(';');
    let media = params.next()?.trim();
    if !media.eq_ignore_ascii_case(BATCHING) {
        return None;
    }
    let found = params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    });
    Some(match found {
        // RFC 2046: 1 to 70 characters.
        Some(b) if !b.is_empty() && b.len() <= 70 && !b.contains(['\r', '\n']) => Ok(b),
        Some(_) => Err("The multipart boundary must be 1 to 70 characters.".to_owned()),
        None => Err("A multipart/batching body needs a boundary parameter.".to_owned()),
    })
}

/// The parts between the delimiters, preamble and epilogue left out. Err when no closing
/// delimiter ends the body.
pub(crate) fn split<'b>(body: &'b [u8], boundary: &str) -> Result<Vec<&'b [u8]>, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut parts = Vec::new();
    // The start of the current part's content, once a delimiter was seen.
    let mut open: Option<usize> = None;
    let mut line_start = 0;
    while line_start <= body.len() {
        let line_end = find(&body[line_start..], b"\n").map_or(body.len(), |i| line_start + i);
        let line = trim_cr(&body[line_start..line_end]);
        if let Some(rest) = line.strip_prefix(delimiter) {
            let closing = rest.starts_with(b"--");
            let padding = if closing { &rest[2..] } else { rest };
            if padding.iter().all(|b| *b == b' ' || *b == b'\t') {
                if let Some(start) = open {
                    // The line break before the delimiter belongs to the delimiter.
                    parts.push(strip_line_break(&body[start..line_start.max(start)]));
                }
                if closing {
                    return Ok(parts);
                }
                open = Some((line_end + 1).min(body.len()));
            }
        }
        line_start = line_end + 1;
    }
    Err("The multipart body has no closing delimiter.".to_owned())
}

/// Reads one part: MIME headers naming `application/http`, then the HTTP request.
pub(crate) fn parse_part(part: &[u8]) -> Result<PartRequest, String> {
    let (mime, message) = head_and_rest(part);
    let mime = headers(mime)?;
    let content_type = header(&mime, "content-type").unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/http") {
        return Err(format!(
            "A batch part must be application/http, not `{content_type}`."
        ));
    }
    let (head, body) = head_and_rest(message);
    let head = std::str::from_utf8(head).map_err(|_| "The request head is not UTF-8.")?;
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or("").trim();
    let mut words = request_line.split(' ').filter(|w| !w.is_empty());
    let (Some(method), Some(target), version) = (words.next(), words.next(), words.next()) else {
        return Err(format!("`{request_line}` is no HTTP request line."));
    };
    let token = |m: &str| m.bytes().all(|b| b.is_ascii_alphabetic());
    if !token(method) || words.next().is_some() || version.is_some_and(|v| !v.starts_with("HTTP/"))
    {
        return Err(format!("`{request_line}` is no HTTP request line."));
    }
    let rest: Vec<&str> = lines.collect();
    let headers = headers(rest.join("\n").as_bytes())?;
    let body = match header(&headers, "content-length") {
        Some(n) => {
            let n: usize = n
                .trim()
                .parse()
                .map_err(|_| format!("Content-Length `{n}` is no length."))?;
            body.get(..n)
                .ok_or("The part is shorter than its Content-Length.")?
                .to_vec()
        }
        None => body.to_vec(),
    };
    Ok(PartRequest {
        method: method.to_ascii_uppercase(),
        target: target.to_owned(),
        headers,
        body,
    })
}

/// The batch answer: one part per response, in order.
pub(crate) fn write(boundary: &str, parts: &[PartResponse]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(b"Content-Type: application/http; msgtype=response\r\n\r\n");
        out.extend_from_slice(format!("HTTP/1.1 {} {}\r\n", part.status, part.reason).as_bytes());
        for (name, value) in &part.headers {
            let name = title_case(name);
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", part.body.len()).as_bytes());
        out.extend_from_slice(&part.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// A header name as the real servers write it (`Content-Type`, `X-Ms-Server-Fqdn`).
fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        upper = c == '-';
    }
    out
}

/// Header lines (`Name: value`), folded lines refused.
fn headers(block: &[u8]) -> Result<Vec<(String, String)>, String> {
    let text = std::str::from_utf8(block).map_err(|_| "A header is not UTF-8.")?;
    let mut out = Vec::new();
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if line.is_empty() {
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| format!("`{line}` is no header."))?;
        out.push((name.to_owned(), value.trim().to_owned()));
    }
    Ok(out)
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// Splits at the first empty line: (the header block, what follows it). No empty line: all
/// of it is head.
fn head_and_rest(bytes: &[u8]) -> (&[u8], &[u8]) {
    let mut start = 0;
    while start < bytes.len() {
        let end = find(&bytes[start..], b"\n").map_or(bytes.len(), |i| start + i);
        if trim_cr(&bytes[start..end]).is_empty() {
            return (&bytes[..start], &bytes[(end + 1).min(bytes.len())..]);
        }
        start = end + 1;
    }
    (bytes, &[])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn strip_line_break(content: &[u8]) -> &[u8] {
    let content = content.strip_suffix(b"\n").unwrap_or(content);
    content.strip_suffix(b"\r").unwrap_or(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "preamble\r\n--b1\r\nContent-Type: application/http; msgtype=request\r\n\r\n\
        GET /a/people/groups HTTP/1.1\r\nHost: h\r\nAccept: application/json\r\n\r\n\r\n\
        --b1\r\nContent-Type: application/http; msgtype=request\r\n\r\n\
        POST /a/x?y=1 HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}\r\n\
        --b1--\r\nepilogue";

    #[test]
    fn boundary_is_read_from_the_media_type() {
        assert_eq!(
            boundary("Multipart/Batching; boundary=\"x y\""),
            Some(Ok("x y".into()))
        );
        assert!(matches!(boundary("multipart/batching"), Some(Err(_))));
        assert!(matches!(
            boundary("multipart/batching; boundary="),
            Some(Err(_))
        ));
        assert_eq!(boundary("application/json"), None);
    }

    #[test]
    fn two_parts_in_order() {
        let parts = split(TWO.as_bytes(), "b1").unwrap();
        assert_eq!(parts.len(), 2);
        let first = parse_part(parts[0]).unwrap();
        assert_eq!(first.method, "GET");
        assert_eq!(first.target, "/a/people/groups");
        assert_eq!(
            first.headers[1],
            ("Accept".into(), "application/json".into())
        );
        assert!(first.body.is_empty());
        let second = parse_part(parts[1]).unwrap();
        assert_eq!(
            (second.method.as_str(), second.body.as_slice()),
            ("POST", &b"{}"[..])
        );
    }

    #[test]
    fn bare_line_feeds_read_as_line_breaks() {
        let text = TWO.replace("\r\n", "\n");
        let parts = split(text.as_bytes(), "b1").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parse_part(parts[1]).unwrap().body, b"{}");
    }

    #[test]
    fn a_delimiter_must_start_its_line_and_close_the_body() {
        assert!(split(b"--b1\r\nx\r\n", "b1").is_err());
        let parts = split(b"x--b1\r\n--b1\r\nA\r\n--b1x\r\n--b1--", "b1").unwrap();
        assert_eq!(parts, [&b"A\r\n--b1x"[..]]);
    }

    #[test]
    fn bad_parts_are_told_apart() {
        let part = |s: &str| parse_part(s.as_bytes());
        assert!(part("Content-Type: text/plain\r\n\r\nGET / HTTP/1.1\r\n").is_err());
        assert!(part("Content-Type: application/http\r\n\r\nnonsense\r\n").is_err());
        assert!(part("Content-Type: application/http\r\n\r\nGET / FTP/1\r\n").is_err());
        assert!(
            part("Content-Type: application/http\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n{}")
                .is_err()
        );
        let ok = part("Content-Type: application/http\r\n\r\nget /x HTTP/1.1\r\n").unwrap();
        assert_eq!((ok.method.as_str(), ok.target.as_str()), ("GET", "/x"));
    }

    #[test]
    fn the_answer_has_one_part_per_response_and_a_closing_delimiter() {
        let out = write(
            "r",
            &[PartResponse {
                status: 201,
                reason: "Created".into(),
                headers: vec![("content-type".into(), "application/json".into())],
                body: b"{}".to_vec(),
            }],
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("--r\r\nContent-Type: application/http; msgtype=response\r\n\r\nHTTP/1.1 201 Created\r\n"));
        assert!(text.ends_with("Content-Length: 2\r\n\r\n{}\r\n--r--\r\n"));
        let parts = split(text.as_bytes(), "r").unwrap();
        assert_eq!(parts.len(), 1);
    }
}
