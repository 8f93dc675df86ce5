//! Changing a contact's presence for a case (`control: { presence: … }`): through the
//! test-control protocol where the target offers it, else as that contact itself, the
//! profile's second account, through UCWA: its own application, `makeMeAvailable` where `me`
//! offers it, then `POST me/presence` (digest 6.3, OP-31). A real server has no other way.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use url::Url;

use crate::client::HttpResponse;
pub use crate::presence_way::{OwnPresence, PresenceWay};
use crate::session::{Session, USER_AGENT};
use crate::target::Target;

/// Deletes the second account's application, if one was made (at the end of a run).
pub async fn release(target: &Target) {
    let made = target.own_presence().made.lock().await.take();
    if let Some((app, _)) = made
        && let Ok(auth) = second_auth(target).await
    {
        let req = target
            .request(http::Method::DELETE, app)
            .header("Authorization", auth);
        // The application expires on its own if this fails; nothing to report.
        let _ = target.send(req).await;
    }
}

/// Sets `uri`'s presence the way the target allows and says which way it took.
pub async fn change(
    session: &Session,
    uri: &str,
    availability: &str,
    activity: Option<&str>,
) -> Result<String, String> {
    let target = &session.target;
    let way = target.presence_way().ok_or(
        "no way to change a presence here: the target offers no test-control presence and \
         the profile names no second_user",
    )?;
    match way {
        PresenceWay::Control => {
            let mut body = json!({ "uri": uri, "availability": availability });
            if let Some(activity) = activity {
                body["activity"] = json!(activity);
            }
            let response = session
                .control("/presence", body)
                .await
                .map_err(|e| format!("test-control request: {e}"))?;
            expect_2xx("the test-control request", &response)?;
        }
        PresenceWay::SecondAccount => {
            if target.second_user_uri() != Some(uri) {
                return Err(format!(
                    "only the second account's own presence can change without the \
                     test-control protocol, and {uri} is not it (hint: `{{{{ presence_contact }}}}`)"
                ));
            }
            if activity.is_some() {
                return Err("an activity cannot be set through UCWA's me/presence".into());
            }
            set_own(target, availability).await?;
        }
    }
    Ok(format!(
        "presence of {uri} set to {availability} {}",
        way.describe()
    ))
}

/// `POST me/presence` as the second account; its application is made again once if the target
/// forgot it (an idle application expires, digest 6.3).
async fn set_own(target: &Target, availability: &str) -> Result<(), String> {
    let body = json!({ "availability": availability }).to_string();
    for attempt in 0..2 {
        let presence = own_presence_href(target).await?;
        let auth = second_auth(target).await?;
        let req = target
            .request(http::Method::POST, presence)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .header("Authorization", auth)
            .body(body.clone());
        let response = target.send(req).await.map_err(|e| e.to_string())?;
        if attempt == 0 && matches!(response.status, 404 | 410) {
            *target.own_presence().made.lock().await = None;
            continue;
        }
        return expect_2xx("POST me/presence as the second account", &response);
    }
    Err("the second account's application was gone twice in a row".into())
}

/// The second account's `me/presence` href: its application created and made available first.
async fn own_presence_href(target: &Target) -> Result<Url, String> {
    let mut made = target.own_presence().made.lock().await;
    if let Some((_, presence)) = &*made {
        return Ok(presence.clone());
    }
    let auth = second_auth(target).await?;
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let body = json!({
        "userAgent": USER_AGENT,
        "endpointId": format!("ucwa-conform-presence-{nonce:x}"),
        "culture": "en-US",
    });
    let created = send_json(
        target,
        http::Method::POST,
        target.discovered.applications.clone(),
        &auth,
        Some(body),
    )
    .await
    .map_err(|e| format!("create the second account's application: {e}"))?;
    let app = href_at(target, &created, &["_links", "self"])
        .ok_or("the second account's new application has no self link")?;
    let me_href = href_at(target, &created, &["_embedded", "me", "_links", "self"])
        .ok_or("the second account's application embeds no `me` with a self link")?;
    if let Some(make) = href_at(
        target,
        &created,
        &["_embedded", "me", "_links", "makeMeAvailable"],
    ) {
        send_json(
            target,
            http::Method::POST,
            make,
            &auth,
            Some(json!({ "SupportedModalities": ["Messaging"] })),
        )
        .await
        .map_err(|e| format!("makeMeAvailable as the second account: {e}"))?;
    }
    let me = send_json(target, http::Method::GET, me_href, &auth, None)
        .await
        .map_err(|e| format!("GET me as the second account: {e}"))?;
    let presence = href_at(target, &me, &["_links", "presence"])
        .ok_or("the second account's `me` has no presence link after makeMeAvailable")?;
    *made = Some((app, presence.clone()));
    Ok(presence)
}

async fn second_auth(target: &Target) -> Result<String, String> {
    let token = target.second_token().await.map_err(|e| e.to_string())?;
    Ok(format!("Bearer {}", token.expose()))
}

/// One JSON request as the second account; a 2xx answer's body as JSON (`null` when empty).
async fn send_json(
    target: &Target,
    method: http::Method,
    url: Url,
    auth: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut req = target
        .request(method, url)
        .header("Accept", "application/json")
        .header("Authorization", auth);
    if let Some(body) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = target.send(req).await.map_err(|e| e.to_string())?;
    expect_2xx("the request", &response)?;
    if response.body.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&response.body).map_err(|e| format!("the answer is not JSON: {e}"))
}

fn href_at(target: &Target, doc: &Value, path: &[&str]) -> Option<Url> {
    let href = path
        .iter()
        .try_fold(doc, |v, key| v.get(key))?
        .get("href")?
        .as_str()?;
    target.resolve(href).ok()
}

fn expect_2xx(what: &str, response: &HttpResponse) -> Result<(), String> {
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(format!(
            "{what} failed with {}: {}",
            response.status,
            crate::check::response::head(&response.body)
        ))
    }
}
