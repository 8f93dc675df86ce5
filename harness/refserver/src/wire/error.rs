//! UCWA synchronous errors: status ↔ code one to one (digest 4.2), JSON and XML bodies (4.1).

use std::fmt::Write as _;

use http::StatusCode;
use quick_xml::escape::escape;
use serde_json::{Map, Value};

use crate::config::variant::Variant;
use crate::domain::condition::Condition;
use crate::domain::server::Gone;
use crate::domain::world::World;

use super::writer::{UCWA_NS, XML_DECL};

/// An error answered with a UCWA error body.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}/{subcode:?}: {message}")]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub subcode: Option<&'static str>,
    pub message: String,
    /// Only for 400 ParameterValidationFailure: parameter name → what is wrong with it.
    pub parameters: Vec<(String, String)>,
    /// Only for 405: the `Allow` header.
    pub allow: Option<&'static str>,
}

/// The code that belongs to a status (digest 4.2).
fn code_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BadRequest",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Gone",
        413 => "EntityTooLarge",
        415 => "UnsupportedMediaType",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "ServiceFailure",
    }
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, subcode: Option<&'static str>, message: &str) -> Self {
        Self {
            status,
            code: code_of(status),
            subcode,
            message: message.to_owned(),
            parameters: Vec::new(),
            allow: None,
        }
    }

    pub(crate) fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            None,
            "The requested resource was not found.",
        )
    }

    /// 404 ApplicationNotFound: the application is gone (also T-EX's expired subscription, OP-6).
    pub(crate) fn application_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            Some("ApplicationNotFound"),
            "An error occurred. Please retry. If the problem persists, contact your support team.",
        )
    }

    pub(crate) fn bad_request(message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, None, message)
    }

    /// 400 ParameterValidationFailure naming each bad or missing parameter.
    pub(crate) fn parameters(parameters: Vec<(String, String)>) -> Self {
        let names: Vec<&str> = parameters.iter().map(|(n, _)| n.as_str()).collect();
        let message = format!("Invalid or missing parameters: {}.", names.join(", "));
        let mut err = Self::new(
            StatusCode::BAD_REQUEST,
            Some("ParameterValidationFailure"),
            &message,
        );
        err.parameters = parameters;
        err
    }

    pub(crate) fn parameter(name: &str, problem: &str) -> Self {
        Self::parameters(vec![(name.to_owned(), problem.to_owned())])
    }

    pub(crate) fn method_not_allowed(allow: &'static str) -> Self {
        let mut err = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            "The method is not allowed on this resource.",
        );
        err.allow = Some(allow);
        err
    }

    pub(crate) fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            "The request body must be application/json or application/xml (or the vnd.microsoft.com.ucwa forms).",
        )
    }

    pub(crate) fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            "The request body is larger than 64 KiB.",
        )
    }

    pub(crate) fn forbidden(subcode: Option<&'static str>, message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, subcode, message)
    }

    /// The error as the server's variants shape it: `unsupported-body-400` answers a body
    /// type it cannot read with 400 BadRequest (digest 4.2 allows either), and
    /// `error-parameters-absent` leaves out the optional `parameters` (digest 4.1).
    pub(crate) fn shaped(mut self, world: &World) -> Self {
        if self.status == StatusCode::UNSUPPORTED_MEDIA_TYPE
            && world.variant(Variant::UnsupportedBody400)
        {
            self = Self::bad_request(&self.message);
        }
        if world.variant(Variant::ErrorParametersAbsent) {
            self.parameters.clear();
        }
        self
    }

    /// The JSON body: a flat object.
    pub(crate) fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("code".into(), Value::String(self.code.into()));
        if let Some(sub) = self.subcode {
            obj.insert("subcode".into(), Value::String(sub.into()));
        }
        obj.insert("message".into(), Value::String(self.message.clone()));
        if !self.parameters.is_empty() {
            let params: Map<String, Value> = self
                .parameters
                .iter()
                .map(|(n, p)| (n.clone(), Value::String(p.clone())))
                .collect();
            obj.insert("parameters".into(), Value::Object(params));
        }
        Value::Object(obj)
    }

    /// The XML body: `<reason>` with `<code>`, `<subcode>`, `<message>`, `<debugInfo/>`,
    /// `<parameters>` holding one `<property name>` per parameter.
    pub(crate) fn to_xml(&self) -> String {
        let mut out = String::from(XML_DECL);
        let _ = write!(
            out,
            "<reason xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"{UCWA_NS}\"><code>{}</code>",
            self.code
        );
        if let Some(sub) = self.subcode {
            let _ = write!(out, "<subcode>{sub}</subcode>");
        }
        let _ = write!(
            out,
            "<message>{}</message><debugInfo />",
            escape(self.message.as_str())
        );
        if self.parameters.is_empty() {
            out.push_str("<parameters />");
        } else {
            out.push_str("<parameters>");
            for (name, problem) in &self.parameters {
                let _ = write!(
                    out,
                    "<property name=\"{}\">{}</property>",
                    escape(name.as_str()),
                    escape(problem.as_str())
                );
            }
            out.push_str("</parameters>");
        }
        out.push_str("</reason>");
        out
    }
}

impl From<Gone> for ApiError {
    fn from(_: Gone) -> Self {
        Self::application_not_found()
    }
}

/// The documented error each condition answers with (design.md section 8).
impl From<Condition> for ApiError {
    fn from(condition: Condition) -> Self {
        use StatusCode as S;
        let (status, subcode, message) = match condition {
            Condition::CallbackChannelUnreachable => (
                S::INTERNAL_SERVER_ERROR,
                Some("CallbackChannelError"),
                "The remote event channel is not reachable.",
            ),
            Condition::BackupPoolMissing => (
                S::GONE,
                Some("CannotRedirect"),
                "The request cannot be redirected: no backup pool is available.",
            ),
            Condition::ExchangeVersionUnsupported => (
                S::INTERNAL_SERVER_ERROR,
                Some("InvalidExchangeServerVersion"),
                "The Exchange server version is not supported.",
            ),
            Condition::AlreadyExists => (
                S::CONFLICT,
                Some("AlreadyExists"),
                "The requested resource already exists. Please wait and try again.",
            ),
            Condition::TooManyGroups => (
                S::CONFLICT,
                Some("TooManyGroups"),
                "The maximum number of groups was reached.",
            ),
            Condition::NotInProperState => (
                S::CONFLICT,
                None,
                "The resource is not in the proper state.",
            ),
            Condition::InsufficientPrivileges => (
                S::FORBIDDEN,
                None,
                "The user has no privileges for this operation.",
            ),
            Condition::LimitExceeded => (
                S::FORBIDDEN,
                Some("LimitExceeded"),
                "The maximum number of subscriptions was reached.",
            ),
        };
        Self::new(status, subcode, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_name_the_parameter_in_both_forms() {
        let err = ApiError::parameter("duration", "must be an integer 10..30");
        assert_eq!(err.to_json()["code"], "BadRequest");
        assert_eq!(err.to_json()["subcode"], "ParameterValidationFailure");
        assert!(err.to_json()["parameters"]["duration"].is_string());
        assert!(err.to_xml().contains("<property name=\"duration\">"));
    }

    #[test]
    fn codes_follow_status() {
        assert_eq!(ApiError::too_large().code, "EntityTooLarge");
        assert_eq!(
            ApiError::new(StatusCode::GONE, Some("CannotRedirect"), "x").code,
            "Gone"
        );
        assert_eq!(
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, None, "x").code,
            "ServiceFailure"
        );
    }
}
