//! A recording's secrets: everything the run's registry knows, every token an answer carries,
//! credential headers and the password of a form body, whatever their length (a short test
//! password is not in the registry, which ignores values that ordinary words could hold).

use harness_core::secret::{REDACTED, SecretValues};

use crate::tape::Exchange;

/// Form fields that hold a credential.
const CREDENTIAL_FIELDS: [&str; 6] = [
    "password",
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "assertion",
];

/// Redacts every exchange in place.
pub(super) fn redact_exchanges(exchanges: &mut [Exchange], secrets: &SecretValues) {
    // The tokens of every answer first: a case that signs in by itself receives its own.
    for exchange in exchanges.iter() {
        if let Some(response) = &exchange.response {
            for token in crate::target::tokens_in(response.body.as_bytes()) {
                secrets.add(&token);
            }
        }
    }
    let text = |s: &mut String| {
        if let std::borrow::Cow::Owned(clean) = secrets.redact(s) {
            *s = clean;
        }
    };
    for exchange in exchanges.iter_mut() {
        let request = &mut exchange.request;
        text(&mut request.url);
        headers(&mut request.headers, secrets);
        request.body = form_fields(&request.body);
        text(&mut request.body);
        if let Some(response) = &mut exchange.response {
            headers(&mut response.headers, secrets);
            text(&mut response.body);
        }
        if let Some(error) = &mut exchange.error {
            text(error);
        }
    }
}

fn headers(headers: &mut [(String, String)], secrets: &SecretValues) {
    for (name, value) in headers.iter_mut() {
        if let std::borrow::Cow::Owned(clean) = secrets.redact_header(name, value) {
            *value = clean;
        }
    }
}

/// `password=…` and the other credential fields of a form body, redacted in place (the rest
/// of the body as written).
fn form_fields(body: &str) -> String {
    if !CREDENTIAL_FIELDS.iter().any(|f| body.contains(f)) {
        return body.to_owned();
    }
    body.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _))
                if CREDENTIAL_FIELDS
                    .iter()
                    .any(|f| key.eq_ignore_ascii_case(f)) =>
            {
                format!("{key}={REDACTED}")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tape::{RecordedRequest, RecordedResponse};

    #[test]
    fn credentials_leave_by_shape_and_by_value() {
        let secrets = SecretValues::new();
        let mut exchanges = vec![Exchange {
            lane: "steps".into(),
            sent: 0,
            done: Some(1),
            sent_us: 0,
            done_us: Some(5),
            request: RecordedRequest {
                method: "POST".into(),
                url: "http://h/token".into(),
                headers: vec![("Authorization".into(), "Bearer cwt=AAEBxyz".into())],
                body: "grant_type=password&username=a@b&password=alice".into(),
            },
            response: Some(RecordedResponse {
                status: 200,
                headers: vec![],
                body: r#"{"access_token":"tok-0123456789","expires_in":3600}"#.into(),
            }),
            error: None,
        }];
        redact_exchanges(&mut exchanges, &secrets);
        let line = serde_json::to_string(&exchanges[0]).expect("serialises");
        assert!(
            !line.contains("alice") && !line.contains("AAEBxyz"),
            "{line}"
        );
        assert!(!line.contains("tok-0123456789"), "{line}");
        assert!(line.contains("Bearer [redacted]"), "{line}");
        assert!(line.contains("username=a@b&password=[redacted]"), "{line}");
    }
}
