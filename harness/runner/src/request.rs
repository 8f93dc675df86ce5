//! Turns a step's `RequestPlan` into the bytes on the wire for one format.
//!
//! A body map is written once in the case and sent as JSON or as UCWA XML `<input>`; templates
//! are rendered here, so a missing variable at run time (a capture that never happened) becomes
//! a step error rather than a request with a hole in it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use harness_core::canonical;
use harness_core::model::{Auth, Format};
use harness_core::plan::{
    RawBodyPlan, RequestBody, RequestPlan, RequestTarget, Template, ValueTemplate,
};
use harness_core::template::Lookup;
use serde_json::Value;
use url::Url;

use crate::client::HttpRequest;
use crate::session::Session;

/// Variables in scope for a case run: bootstrap links, case and row vars, captures.
pub type Vars = BTreeMap<String, Value>;

/// A bearer token no target ever issued, for `auth: bogus`.
const BOGUS_TOKEN: &str = "Bearer cwt=AAEBHAEFAAAAAAAFFQAAAL0bogus0ucwa0conform0token";

pub use crate::media::{media_type, media_type_matches};

/// Renders a template value to the text that goes into a query string or header.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Builds the request of a step; `Err` carries a one-line reason for a step error.
pub async fn build_request(
    spec: &RequestPlan,
    session: &Session,
    format: Format,
    vars: &impl Lookup,
    timeout: Duration,
) -> Result<HttpRequest, String> {
    let href: Cow<'_, str> = match &spec.target {
        RequestTarget::Link(link, slot) => match vars.lookup(link, Some(*slot)) {
            Some(Value::String(href)) => Cow::Borrowed(href),
            _ => {
                return Err(format!(
                    "the target offers no link `{link}` (its bootstrap did not find it)"
                ));
            }
        },
        RequestTarget::Href(href) => Cow::Owned(href.render(vars).map_err(|e| e.to_string())?),
    };
    let mut url = session
        .target
        .resolve(&href)
        .map_err(|e| format!("bad href `{href}`: {e}"))?;
    append_query(&mut url, &spec.query, vars)?;
    // A P-GET may rightly be held for the server's long-poll timeout (digest 3.3).
    let timeout = if is_event_channel(&url, session, vars) {
        timeout.max(session.target.profile.timeouts.events)
    } else {
        timeout
    };

    let mut headers: Vec<(String, String)> = vec![("Accept".into(), media_type(format).into())];
    match spec.auth {
        Auth::Session => {
            if session.app.is_some() {
                let token = session.target.token().await.map_err(|e| e.to_string())?;
                headers.push(("Authorization".into(), format!("Bearer {}", token.expose())));
            }
        }
        Auth::None => {}
        Auth::Bogus => headers.push(("Authorization".into(), BOGUS_TOKEN.into())),
        Auth::Second => {
            let token = session
                .target
                .second_token()
                .await
                .map_err(|e| e.to_string())?;
            headers.push(("Authorization".into(), format!("Bearer {}", token.expose())));
        }
    }

    let (body, content_type) = build_body(spec, format, vars)?;
    if let Some(ct) = content_type {
        headers.push(("Content-Type".into(), ct));
    }
    for (name, value) in &spec.headers {
        let value = value.render(vars).map_err(|e| e.to_string())?;
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value));
    }
    let method = http::Method::from_bytes(spec.method.as_str().as_bytes())
        .map_err(|e| format!("bad method: {e}"))?;
    Ok(HttpRequest {
        method,
        url,
        headers,
        body,
        timeout,
    })
}

/// Whether `url` is the application's event channel (any ack): same origin and path as
/// its `events` link.
fn is_event_channel(url: &Url, session: &Session, vars: &impl Lookup) -> bool {
    let Some(Value::String(events)) = vars.lookup("app.events", None) else {
        return false;
    };
    session
        .target
        .resolve(events)
        .is_ok_and(|e| e.origin() == url.origin() && e.path() == url.path())
}

fn append_query(
    url: &mut Url,
    query: &[(String, ValueTemplate)],
    vars: &impl Lookup,
) -> Result<(), String> {
    if query.is_empty() {
        return Ok(());
    }
    // A case's parameter replaces the href's own of the same name (an ack out of range, say);
    // every other server-added parameter is kept as it was (digest 1).
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !query.iter().any(|(n, _)| n == name.as_ref()))
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    let mut rendered = Vec::with_capacity(query.len());
    for (name, value) in query {
        let value = value.render(vars).map_err(|e| e.to_string())?;
        rendered.push((name.clone(), value_text(&value)));
    }
    url.set_query(None);
    let mut pairs = url.query_pairs_mut();
    for (name, value) in kept.iter().chain(rendered.iter()) {
        pairs.append_pair(name, value);
    }
    Ok(())
}

fn build_body(
    spec: &RequestPlan,
    format: Format,
    vars: &impl Lookup,
) -> Result<(Bytes, Option<String>), String> {
    let render = |t: &Template| t.render(vars).map_err(|e| e.to_string());
    match &spec.body {
        RequestBody::None => Ok((Bytes::new(), None)),
        RequestBody::Value(body) => {
            let value = body.render(vars).map_err(|e| e.to_string())?;
            let Value::Object(map) = value else {
                return Err("a request body must be a map".to_owned());
            };
            let text = match format {
                Format::Json => Value::Object(map).to_string(),
                Format::Xml => canonical::input_to_xml(&map),
            };
            Ok((Bytes::from(text), Some(media_type(format).to_owned())))
        }
        RequestBody::Raw(raw) => {
            let RawBodyPlan {
                content_type,
                json,
                xml,
            } = &**raw;
            let template = match format {
                Format::Json => json,
                Format::Xml => xml,
            };
            let text = template
                .as_ref()
                .map(render)
                .transpose()?
                .unwrap_or_default();
            let content_type = content_type.as_ref().map(render).transpose()?;
            Ok((Bytes::from(text), content_type))
        }
        RequestBody::Form(form) => {
            let mut encoded = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in form {
                encoded.append_pair(name, &render(value)?);
            }
            Ok((
                Bytes::from(encoded.finish()),
                Some("application/x-www-form-urlencoded;charset=UTF-8".to_owned()),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_ignore_case_and_accept_vnd_forms() {
        assert!(media_type_matches(Format::Json, "application/json"));
        assert!(media_type_matches(
            Format::Json,
            "application/vnd.microsoft.com.ucwa+json"
        ));
        assert!(media_type_matches(Format::Xml, "Application/XML"));
        assert!(!media_type_matches(Format::Xml, "application/json"));
        assert!(!media_type_matches(Format::Json, "text/html"));
    }

    #[test]
    fn value_text_drops_quotes_of_strings_only() {
        assert_eq!(value_text(&Value::from("abc")), "abc");
        assert_eq!(value_text(&Value::from(11)), "11");
        assert_eq!(value_text(&Value::from(1.5)), "1.5");
        assert_eq!(value_text(&Value::Null), "");
    }
}
