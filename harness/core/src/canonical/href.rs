//! Hrefs compared as URLs (digest 5.4 rule 4), the one rule for selectors, captures, event
//! hrefs and parity alike.

/// Rule 4: hrefs compare as URLs, not as strings. An absolute href matches a relative one
/// with the same path and query (the relative one was resolved against the server's own base);
/// percent-escapes compare as the characters they stand for (`%3D` is `=`, `%40` is `@`), and
/// a fragment is ignored. Two absolute hrefs must share their origin: a different host is a
/// different resource.
pub fn hrefs_equal(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (Some((origin_a, rest_a)), Some((origin_b, rest_b))) = (href_parts(a), href_parts(b))
    else {
        return false;
    };
    if let (Some(x), Some(y)) = (&origin_a, &origin_b)
        && x != y
    {
        return false;
    }
    percent_decoded(&rest_a) == percent_decoded(&rest_b)
}

/// (origin if absolute, path and query) of an http(s) URL or a path-absolute reference;
/// `None` for anything else (`data:` URIs and plain text compare as strings).
fn href_parts(href: &str) -> Option<(Option<String>, String)> {
    let href = strip_fragment(href);
    if href.starts_with('/') && !href.starts_with("//") {
        return Some((None, href.to_owned()));
    }
    let url = url::Url::parse(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some((
        Some(url.origin().ascii_serialization()),
        path_and_query(&url),
    ))
}

/// Decodes `%XX` escapes (upper or lower case hex); anything else is kept as it is.
fn percent_decoded(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'%'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn path_and_query(url: &url::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

fn strip_fragment(href: &str) -> &str {
    href.split_once('#').map_or(href, |(before, _)| before)
}
