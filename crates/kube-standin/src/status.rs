//! `Status` objects: the bodies of the API server's errors, with the
//! messages and `details` apimachinery's `pkg/api/errors/errors.go` gives
//! them (`NewNotFound`, `NewForbidden`, `NewUnauthorized`,
//! `NewGenericServerResponse`, `NewBadRequest`), so that clients print
//! what they print against a cluster (`Error from server (NotFound):
//! nodes "x" not found`).

use serde_json::{Value, json};

use crate::kinds::KindInfo;

/// An error reply: its HTTP status and `Status` body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) code: u16,
    pub(crate) body: Value,
}

fn status(code: u16, reason: &str, message: String, details: Option<Value>) -> ApiError {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    });
    if let Some(details) = details {
        body["details"] = details;
    }
    ApiError { code, body }
}

/// `details` as the server fills them: group (omitted when empty), the
/// resource (as `kind`, which is what apimachinery puts there) and the name.
fn details(info: &KindInfo, name: Option<&str>) -> Value {
    let mut d = serde_json::Map::new();
    if let Some(name) = name {
        d.insert("name".into(), name.into());
    }
    if !info.group.is_empty() {
        d.insert("group".into(), info.group.into());
    }
    d.insert("kind".into(), info.plural.into());
    Value::Object(d)
}

/// 404 for an object that is not there: `nodes "x" not found`.
pub(crate) fn not_found(info: &KindInfo, name: &str) -> ApiError {
    status(404, "NotFound", format!("{} {name:?} not found", info.qualified()), Some(details(info, Some(name))))
}

/// 404 for a path nothing serves.
pub(crate) fn no_route() -> ApiError {
    status(404, "NotFound", "the server could not find the requested resource".into(), Some(json!({})))
}

/// 403 from the authorizer, in the words of k8s.io/apiserver's
/// `responsewriters.forbiddenMessage`: `User "u" cannot list resource
/// "r" in API group "g" at the cluster scope` (or `in the namespace "ns"`).
pub(crate) fn forbidden(
    info: &KindInfo,
    user: &str,
    verb: &str,
    namespace: Option<&str>,
    name: Option<&str>,
) -> ApiError {
    let scope = match namespace {
        Some(ns) => format!("in the namespace {ns:?}"),
        None => "at the cluster scope".to_string(),
    };
    let why = format!("User {user:?} cannot {verb} resource {:?} in API group {:?} {scope}", info.plural, info.group);
    let message = match name {
        Some(name) => format!("{} {name:?} is forbidden: {why}", info.qualified()),
        None => format!("{} is forbidden: {why}", info.qualified()),
    };
    status(403, "Forbidden", message, Some(details(info, name)))
}

/// 401: no token, or not the stand-in's. The authentication filter writes
/// `Unauthorized` as the message.
pub(crate) fn unauthorized() -> ApiError {
    status(401, "Unauthorized", "Unauthorized".into(), None)
}

/// 405 for every method but GET: the audit never writes.
pub(crate) fn method_not_allowed() -> ApiError {
    status(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource".into(),
        Some(json!({})),
    )
}

/// 400, for a selector or a token that does not parse.
pub(crate) fn bad_request(message: String) -> ApiError {
    status(400, "BadRequest", message, None)
}

/// 410 `Expired`, for a continue token of another list.
pub(crate) fn expired(message: String) -> ApiError {
    status(410, "Expired", message, None)
}
