//! The URLs the bootstrap found, and how hrefs and test-control paths resolve against them.

use url::Url;

/// The URLs the bootstrap found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The autodiscover root that answered (or the entry URL the profile gave).
    pub root: Url,
    /// The `user` resource.
    pub user: Url,
    /// The token endpoint from the `MsRtcOAuth` challenge.
    pub token: Url,
    /// The `applications` resource.
    pub applications: Url,
}

/// Resolves `href` against `base` (absolute hrefs stay as they are).
pub fn resolve_against(base: &Url, href: &str) -> Result<Url, String> {
    let href = href.trim();
    if href.is_empty() {
        return Err("empty href".into());
    }
    // A path (the usual href) has no scheme: parsing it alone would only fail.
    if href.starts_with('/') {
        return join(base, href);
    }
    match Url::parse(href) {
        Ok(url) => Ok(url),
        Err(url::ParseError::RelativeUrlWithoutBase) => join(base, href),
        Err(e) => Err(format!("{href:?} is not a URL: {e}")),
    }
}

fn join(base: &Url, href: &str) -> Result<Url, String> {
    base.join(href)
        .map_err(|e| format!("cannot resolve {href:?} against {base}: {e}"))
}

pub(crate) fn control_url(ucwa: &Url, path: &str) -> Url {
    let mut url = ucwa.clone();
    url.set_query(None);
    url.set_fragment(None);
    let path = if path.is_empty() || path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    url.set_path(&format!("/_conform{path}"));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_resolve_against_the_base_unless_absolute() {
        let base = Url::parse("http://h:1/ucwa/oauth/v1/applications").expect("a URL");
        let resolved = |href: &str| resolve_against(&base, href).map(String::from);
        assert_eq!(
            resolved(" /ucwa/a?ack=2 ").as_deref(),
            Ok("http://h:1/ucwa/a?ack=2")
        );
        assert_eq!(resolved("//g:2/x").as_deref(), Ok("http://g:2/x"));
        assert_eq!(resolved("b").as_deref(), Ok("http://h:1/ucwa/oauth/v1/b"));
        assert_eq!(resolved("https://g/y").as_deref(), Ok("https://g/y"));
        assert_eq!(resolved(" "), Err("empty href".to_owned()));
    }
}
