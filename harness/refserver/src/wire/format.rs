//! Content negotiation (OP-20): the representation a response takes, chosen from `Accept`.

use http::HeaderMap;

use super::shape::Shape;

/// The representation a client asked for, with the exact media type to answer with and the
/// representation variants of this server (set for every request before it is routed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Format {
    pub xml: bool,
    pub content_type: &'static str,
    pub shape: Shape,
}

const JSON: Format = Format {
    xml: false,
    content_type: "application/json; charset=utf-8",
    shape: Shape::PLAIN,
};

/// The media types UCWA speaks (matched without regard to case) and what each answers with.
const MEDIA_TYPES: [(&str, &str); 6] = [
    ("application/json", "application/json; charset=utf-8"),
    (
        "application/vnd.microsoft.com.ucwa+json",
        "application/vnd.microsoft.com.ucwa+json; charset=utf-8",
    ),
    (
        "application/vnd.microsoft.ucwa+json",
        "application/vnd.microsoft.ucwa+json; charset=utf-8",
    ),
    ("application/xml", "application/xml; charset=utf-8"),
    (
        "application/vnd.microsoft.com.ucwa+xml",
        "application/vnd.microsoft.com.ucwa+xml; charset=utf-8",
    ),
    (
        "application/vnd.microsoft.ucwa+xml",
        "application/vnd.microsoft.ucwa+xml; charset=utf-8",
    ),
];

impl Format {
    /// Plain JSON in the given shape: the control protocol's and the token endpoint's format,
    /// and what the `xml-events-as-json` and `vnd-accept-ignored` profiles answer instead.
    pub(crate) fn json(shape: Shape) -> Self {
        Self { shape, ..JSON }
    }

    /// Picks the first UCWA media type named by `Accept`; none, `*/*` or anything else → JSON.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let Some(accept) = headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
        else {
            return JSON;
        };
        for part in accept.split(',') {
            let media = part.split(';').next().unwrap_or("").trim();
            if let Some(format) = Self::from_media_type(media) {
                return format;
            }
        }
        JSON
    }

    /// The format of one media type (no parameters), when it is one UCWA speaks.
    pub(crate) fn from_media_type(media: &str) -> Option<Self> {
        let (_, ct) = MEDIA_TYPES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(media))?;
        Some(Self {
            xml: ct.contains("xml"),
            content_type: ct,
            shape: Shape::PLAIN,
        })
    }
}

#[cfg(test)]
mod tests {
    use http::header::HeaderValue;

    use super::*;

    fn accept(value: &str) -> Format {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::ACCEPT,
            HeaderValue::from_str(value).expect("ascii"),
        );
        Format::from_headers(&h)
    }

    #[test]
    fn negotiation_follows_accept() {
        assert!(!accept("*/*").xml);
        assert!(accept("application/xml").xml);
        assert!(accept("text/html, application/vnd.microsoft.ucwa+xml;q=0.9").xml);
        assert_eq!(
            accept("application/vnd.microsoft.com.ucwa+json").content_type,
            "application/vnd.microsoft.com.ucwa+json; charset=utf-8"
        );
        assert!(!Format::from_headers(&HeaderMap::new()).xml);
    }
}
