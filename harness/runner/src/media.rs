//! The media types of the two formats (digest 5.1, OP-20).

use harness_core::model::Format;

/// Media types for a format: what goes in Accept and Content-Type.
pub fn media_type(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json",
        Format::Xml => "application/xml",
    }
}

/// Whether a response media type (parameters stripped) belongs to a format (digest 5.1, OP-20).
pub fn media_type_matches(format: Format, media_type: &str) -> bool {
    let accepted: &[&str] = match format {
        Format::Json => &[
            "application/json",
            "application/vnd.microsoft.com.ucwa+json",
        ],
        Format::Xml => &[
            "application/xml",
            "application/vnd.microsoft.com.ucwa+xml",
            "application/vnd.microsoft.ucwa+xml",
        ],
    };
    accepted.iter().any(|m| m.eq_ignore_ascii_case(media_type))
}
