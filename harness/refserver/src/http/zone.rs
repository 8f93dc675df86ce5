//! Where a request goes before it is routed: its [`Zone`] (who may enter, and how its answers
//! are written) and the canonical path the router matches. The bootstrap and control paths
//! match without regard to case, and so does the applications prefix; below it the segments
//! keep their case and are compared percent-decoded; a trailing `/` is no part of a path.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::domain::hrefs::APPLICATIONS_PATH;

/// The bootstrap resources open to anyone (digest 6).
const OPEN_BOOTSTRAP: [&str; 5] = [
    "/",
    "/xframe",
    "/autodiscover/autodiscoverservice.svc/root",
    "/autodiscover/xframe/xframe.html",
    "/webticket/oauthtoken",
];
/// The user resource: it challenges a caller without a token (digest 6.1).
const USER: &str = "/autodiscover/autodiscoverservice.svc/root/oauth/user";
/// The root of the test-control protocol.
const CONTROL: &str = "/_conform";

/// Characters a canonical segment keeps as they are: those a path may carry unescaped (RFC
/// 3986 unreserved, sub-delims, `:` and `@`). Everything else, `%` and `/` included, is
/// escaped again, so a decoded segment stays one segment and decodes back to itself.
const SEGMENT_KEEPS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// The part of the server a request is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Zone<'a> {
    /// The autodiscover root, the xframe page and the token endpoint: open to anyone.
    Bootstrap,
    /// The user resource: signed-in users only.
    User,
    /// `/_conform` itself, the capabilities: no sign-in.
    ControlRoot,
    /// Below `/_conform`: signed-in users only.
    Control,
    /// Under `/ucwa` but in no application: signed-in users only.
    Ucwa,
    /// Below `/ucwa/oauth/v1/applications/{id}`: the caller's own application only.
    Application {
        id: Cow<'a, str>,
        /// The path is the application's event channel.
        channel: bool,
    },
    /// Anything else: 404.
    Elsewhere,
}

/// A request's zone and the path the router matches. Both borrow the requested path when it
/// is already canonical, as nearly every request's is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placed<'a> {
    pub zone: Zone<'a>,
    pub path: Cow<'a, str>,
}

/// Places a request path (as requested, percent-encoded).
pub(crate) fn place(path: &str) -> Placed<'_> {
    let folded = folded(path);
    let zone = if OPEN_BOOTSTRAP.contains(&folded.as_ref()) {
        Zone::Bootstrap
    } else if folded == USER {
        Zone::User
    } else if folded == CONTROL {
        Zone::ControlRoot
    } else if folded.starts_with("/_conform/") {
        Zone::Control
    } else if folded.starts_with("/ucwa/") || folded == "/ucwa" {
        return place_ucwa(path);
    } else {
        return Placed {
            zone: Zone::Elsewhere,
            path: Cow::Borrowed(path),
        };
    };
    Placed { zone, path: folded }
}

/// The path in lower case without a trailing `/` (the host's root is `/`).
fn folded(path: &str) -> Cow<'_, str> {
    let trimmed = match path.trim_end_matches('/') {
        "" => "/",
        other => other,
    };
    if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// A path under `/ucwa`: its segments percent-decoded, the applications prefix matched
/// without regard to case, the rest kept as it is.
fn place_ucwa(path: &str) -> Placed<'_> {
    let trimmed = path.trim_end_matches('/');
    let mut segments = trimmed.split('/').skip(1);
    let under_prefix = APPLICATIONS_PATH.split('/').skip(1).all(|p| {
        segments
            .next()
            .is_some_and(|s| decoded(s).eq_ignore_ascii_case(p))
    });
    if !under_prefix {
        // No route lies here: the router answers 404 once the caller is signed in.
        return Placed {
            zone: Zone::Ucwa,
            path: Cow::Borrowed(path),
        };
    }
    let rest = segments;
    let mut tail = rest.clone();
    let zone = match tail.next() {
        None => Zone::Ucwa,
        Some(id) => Zone::Application {
            id: decoded(id),
            channel: tail.next().is_some_and(|s| decoded(s) == "events") && tail.next().is_none(),
        },
    };
    let canonical =
        trimmed.starts_with(APPLICATIONS_PATH) && rest.clone().all(|s| canonical_segment(s) == s);
    let path = if canonical {
        Cow::Borrowed(trimmed)
    } else {
        let mut path = String::with_capacity(trimmed.len());
        path.push_str(APPLICATIONS_PATH);
        for segment in rest {
            path.push('/');
            path.push_str(&canonical_segment(segment));
        }
        Cow::Owned(path)
    };
    Placed { zone, path }
}

/// A segment percent-decoded (borrowed when it has nothing to decode).
fn decoded(segment: &str) -> Cow<'_, str> {
    percent_decode_str(segment).decode_utf8_lossy()
}

/// A segment as the router matches it: decoded, then escaped again where it must be.
fn canonical_segment(segment: &str) -> Cow<'_, str> {
    match decoded(segment) {
        Cow::Borrowed(s) => utf8_percent_encode(s, SEGMENT_KEEPS).into(),
        Cow::Owned(s) => Cow::Owned(utf8_percent_encode(&s, SEGMENT_KEEPS).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_and_control_paths_fold_case_and_trailing_slashes() {
        assert_eq!(
            place("/WebTicket/oauthtoken/"),
            Placed {
                zone: Zone::Bootstrap,
                path: "/webticket/oauthtoken".into()
            }
        );
        assert_eq!(place("/_CONFORM/").zone, Zone::ControlRoot);
        assert_eq!(place("/_conform/Clock").path, "/_conform/clock");
        assert_eq!(place("/_conformx").zone, Zone::Elsewhere);
        assert_eq!(
            place("/autodiscover/autodiscoverservice.svc/root/oauth/USER").zone,
            Zone::User
        );
    }

    #[test]
    fn application_paths_keep_their_case_below_the_prefix() {
        let placed = place("/UCWA/oauth/V1/%61pplications/123/people/Bob%40x.com/");
        assert_eq!(
            placed.path,
            "/ucwa/oauth/v1/applications/123/people/Bob@x.com"
        );
        assert_eq!(
            placed.zone,
            Zone::Application {
                id: "123".into(),
                channel: false
            }
        );
        assert_eq!(
            place("/ucwa/oauth/v1/applications/1/events").zone,
            Zone::Application {
                id: "1".into(),
                channel: true
            }
        );
        assert_eq!(place("/ucwa/oauth/v1/applications").zone, Zone::Ucwa);
        assert_eq!(place("/ucwa/x").zone, Zone::Ucwa);
        assert_eq!(place("/ucwax").zone, Zone::Elsewhere);
    }

    #[test]
    fn decoded_segments_stay_one_segment() {
        let placed =
            place("/ucwa/oauth/v1/applications/1/people/presenceSubscriptions/a%2Fb%3D%3D");
        assert_eq!(
            placed.path,
            "/ucwa/oauth/v1/applications/1/people/presenceSubscriptions/a%2Fb=="
        );
        let odd = place("/ucwa/oauth/v1/applications/1/%ff%00/..");
        assert_eq!(odd.path, "/ucwa/oauth/v1/applications/1/%EF%BF%BD%00/..");
        assert!(odd.path.parse::<http::uri::PathAndQuery>().is_ok());
        assert_eq!(
            place("/ucwa/oauth/v1/applications//events").zone,
            Zone::Application {
                id: "".into(),
                channel: true
            }
        );
    }
}
