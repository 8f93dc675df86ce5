//! The request and response records of a step, redacted and cut.

use harness_core::outcome::{RequestRecord, ResponseRecord};
use harness_core::secret::SecretValues;

use crate::client::{HttpRequest, HttpResponse};
use crate::session::Session;

/// Bodies in reports are cut here.
pub(crate) const RECORD_BODY_LIMIT: usize = 4096;

/// A body as text for a record, redacted and then cut at `RECORD_BODY_LIMIT`: in that order,
/// so a token that straddles the cut cannot survive as a prefix.
pub(crate) fn cut(body: &[u8], secrets: &SecretValues) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let lossy = String::from_utf8_lossy(body);
    let text = secrets.redact(&lossy);
    if text.len() <= RECORD_BODY_LIMIT {
        return Some(text.into_owned());
    }
    let mut end = RECORD_BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}… ({} bytes in all)", &text[..end], body.len()))
}

pub(crate) fn record_request(http: &HttpRequest, session: &Session) -> RequestRecord {
    let secrets = session.target.secrets();
    RequestRecord {
        method: http.method.to_string(),
        url: secrets.redact(http.url.as_str()).into_owned(),
        headers: http
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), secrets.redact_header(n, v).into_owned()))
            .collect(),
        body: cut(&http.body, secrets),
    }
}

pub(crate) fn record_response(response: &HttpResponse, session: &Session) -> ResponseRecord {
    let secrets = session.target.secrets();
    ResponseRecord {
        status: response.status,
        headers: response
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), secrets.redact_header(n, v).into_owned()))
            .collect(),
        body: cut(&response.body, secrets),
        duration_secs: response.elapsed.as_secs_f64(),
    }
}
