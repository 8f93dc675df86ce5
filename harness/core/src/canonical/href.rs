//! Hrefs compared as URLs (digest 5.4 rule 4), the one rule for selectors, captures, event
//! hrefs and parity alike.

use std::borrow::Cow;

// `%XX` escapes (upper or lower case hex) decoded; a `%` without two hex digits kept as it is.
use percent_encoding::percent_decode_str;

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
    percent_decode_str(&rest_a).eq(percent_decode_str(&rest_b))
}

/// (origin if absolute, path and query) of an http(s) URL or a path-absolute reference;
/// `None` for anything else (`data:` URIs and plain text compare as strings).
fn href_parts(href: &str) -> Option<(Option<String>, Cow<'_, str>)> {
    let href = strip_fragment(href);
    if href.starts_with('/') && !href.starts_with("//") {
        return Some((None, Cow::Borrowed(href)));
    }
    let url = url::Url::parse(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some((
        Some(url.origin().ascii_serialization()),
        Cow::Owned(path_and_query(&url)),
    ))
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

#[cfg(test)]
mod tests {
    use super::hrefs_equal;

    #[test]
    fn escapes_compare_as_their_characters_in_either_case() {
        assert!(hrefs_equal("/p/bob%40contoso.com", "/p/bob@contoso.com"));
        assert!(hrefs_equal("/m?id%3d5", "/m?id%3D5"));
        assert!(hrefs_equal("/m?id%3d5#frag", "http://h:1/m?id=5"));
        assert!(!hrefs_equal("/m?id%3d5", "/m?id=6"));
    }

    #[test]
    fn a_percent_without_two_hex_digits_is_itself() {
        assert!(hrefs_equal("/a%zz#x", "/a%zz"));
        assert!(hrefs_equal("/a%25zz", "/a%zz"));
        assert!(!hrefs_equal("/a%4", "/a%40"));
        assert!(hrefs_equal("/a%4", "/a%254"));
    }

    #[test]
    fn absolute_hrefs_must_share_their_origin() {
        assert!(hrefs_equal("http://h:1/a", "http://h:1/a#b"));
        assert!(!hrefs_equal("http://h:1/a", "http://g:1/a"));
        assert!(!hrefs_equal("data:x", "data:y"));
    }
}
