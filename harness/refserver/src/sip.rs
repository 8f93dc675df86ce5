//! SIP URI validation and normalization (`sip:user@domain`, compared without regard to case).

/// Longest URI accepted; longer ones are refused rather than stored.
const MAX_URI: usize = 256;

/// `sip:User@Domain.com` → `sip:user@domain.com`; `None` when it is not a plain
/// `sip:user@domain` (OP-8: quoted or space-padded values are refused, not repaired).
pub(crate) fn normalize(uri: &str) -> Option<String> {
    if uri.len() > MAX_URI || uri.len() < 4 || !uri.is_char_boundary(4) {
        return None;
    }
    let (scheme, rest) = uri.split_at(4);
    if !scheme.eq_ignore_ascii_case("sip:") {
        return None;
    }
    normalize_address(rest).map(|addr| format!("sip:{addr}"))
}

/// `Bob@Contoso.com` (a path segment) → `bob@contoso.com`.
pub(crate) fn normalize_address(addr: &str) -> Option<String> {
    let (user, domain) = addr.split_once('@')?;
    let user_ok = !user.is_empty()
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+'!~*%".contains(c));
    let domain_ok = !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    (user_ok && domain_ok).then(|| addr.to_ascii_lowercase())
}

/// `sip:bob@contoso.com` → `bob@contoso.com` (the form used in hrefs).
pub(crate) fn address(uri: &str) -> &str {
    uri.strip_prefix("sip:").unwrap_or(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_uris_normalize() {
        assert_eq!(
            normalize("SIP:SaraD@Contoso.com").as_deref(),
            Some("sip:sarad@contoso.com")
        );
        assert_eq!(address("sip:bob@contoso.com"), "bob@contoso.com");
    }

    #[test]
    fn doc_artifacts_are_refused() {
        for bad in [
            "\"sip : johndoe@contoso.com\"",
            "\"sip:johndoe@contoso.com\"",
            " sip:janedoe@contoso.com",
            "sip:janedoe@contoso.com ",
            "sip:@contoso.com",
            "sip:a@",
            "sip:a@b..c",
            "tel:+1425",
            "sip:a@b@c",
            "",
            "sipé",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }
}
