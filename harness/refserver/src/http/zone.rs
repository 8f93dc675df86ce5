//! Where a request goes before it is routed: its [`Zone`] (who may enter, and how its answers
//! are written) and the canonical path the router matches. The bootstrap and control paths
//! match without regard to case, and so does the applications prefix; below it the segments
//! keep their case and are compared percent-decoded; a trailing `/` is no part of a path.

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
pub(crate) enum Zone {
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
        id: String,
        /// The path is the application's event channel.
        channel: bool,
    },
    /// Anything else: 404.
    Elsewhere,
}

/// A request's zone and the path the router matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placed {
    pub zone: Zone,
    pub path: String,
}

/// Places a request path (as requested, percent-encoded).
pub(crate) fn place(path: &str) -> Placed {
    let lower = path.to_ascii_lowercase();
    let trimmed = match lower.trim_end_matches('/') {
        // The discovery at the host's root.
        "" => "/",
        other => other,
    };
    let placed = |zone| Placed {
        zone,
        path: trimmed.to_owned(),
    };
    if OPEN_BOOTSTRAP.contains(&trimmed) {
        return placed(Zone::Bootstrap);
    }
    if trimmed == USER {
        return placed(Zone::User);
    }
    if trimmed == CONTROL {
        return placed(Zone::ControlRoot);
    }
    if lower.starts_with("/_conform/") {
        return placed(Zone::Control);
    }
    if lower.starts_with("/ucwa/") || trimmed == "/ucwa" {
        return place_ucwa(path);
    }
    Placed {
        zone: Zone::Elsewhere,
        path: path.to_owned(),
    }
}

/// A path under `/ucwa`: its segments percent-decoded, the applications prefix matched
/// without regard to case, the rest kept as it is.
fn place_ucwa(path: &str) -> Placed {
    let segments: Vec<String> = path
        .trim_end_matches('/')
        .split('/')
        .skip(1)
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let prefix: Vec<&str> = APPLICATIONS_PATH.split('/').skip(1).collect();
    let under_prefix = segments.len() >= prefix.len()
        && segments
            .iter()
            .zip(&prefix)
            .all(|(a, b)| a.eq_ignore_ascii_case(b));
    if !under_prefix {
        // No route lies here: the router answers 404 once the caller is signed in.
        return Placed {
            zone: Zone::Ucwa,
            path: path.to_owned(),
        };
    }
    let rest = &segments[prefix.len()..];
    let mut canonical = APPLICATIONS_PATH.to_owned();
    for segment in rest {
        canonical.push('/');
        canonical.extend(utf8_percent_encode(segment, SEGMENT_KEEPS));
    }
    let zone = match rest {
        [] => Zone::Ucwa,
        [id, tail @ ..] => Zone::Application {
            id: id.clone(),
            channel: tail == ["events"],
        },
    };
    Placed {
        zone,
        path: canonical,
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
                id: String::new(),
                channel: true
            }
        );
    }
}
