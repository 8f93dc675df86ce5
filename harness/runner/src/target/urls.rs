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
    match Url::parse(href) {
        Ok(url) => Ok(url),
        Err(url::ParseError::RelativeUrlWithoutBase) => base
            .join(href)
            .map_err(|e| format!("cannot resolve {href:?} against {base}: {e}")),
        Err(e) => Err(format!("{href:?} is not a URL: {e}")),
    }
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
