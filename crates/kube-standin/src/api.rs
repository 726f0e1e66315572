//! The API itself, with no sockets: a GET path and query in, a status code
//! and JSON body out. Discovery documents, lists with paging and
//! selectors, gets by name, and the errors a real server gives.
//!
//! The document shapes are apimachinery's `pkg/apis/meta/v1/types.go`
//! (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`,
//! `ListMeta`) and `pkg/version/types.go` (`Info`), served as the plain
//! JSON old servers give whatever the Accept header asks (no aggregated
//! discovery, no Table): clients fall back to it, as they must for servers
//! before 1.26.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::continue_token::{ContinueError, ContinueToken};
use crate::kinds::{KINDS, KindInfo, by_resource};
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::{self, ApiError};
use crate::store::Store;

/// The Kubernetes version `/version` reports.
pub(crate) const SERVED_VERSION: (&str, &str) = ("1", "31");

/// The user the stand-in's token authenticates, named in 403 messages.
pub(crate) const USER: &str = "system:serviceaccount:kubev-ha:kubev-ha-audit";

/// A reply: HTTP status and JSON body.
pub(crate) type Reply = (u16, Value);

/// The recorded cluster and how to serve it.
#[derive(Debug)]
pub(crate) struct Api {
    pub(crate) store: Store,
    /// Qualified resources answered 403.
    pub(crate) forbidden: BTreeSet<String>,
    /// Groups (or qualified resources) served though nothing is recorded.
    pub(crate) served_groups: BTreeSet<String>,
    /// The most objects a page holds, whatever `limit` asks.
    pub(crate) page_size: Option<usize>,
    /// `host:port`, for `/api`'s serverAddressByClientCIDRs.
    pub(crate) server_address: String,
}

impl Api {
    /// Answers one authenticated request.
    pub(crate) fn handle(&self, method: &str, path: &str, query: &str) -> Reply {
        if method != "GET" {
            return into_reply(status::method_not_allowed());
        }
        match self.route(path, &parse_query(query)) {
            Ok(body) => (200, body),
            Err(e) => into_reply(e),
        }
    }

    fn route(&self, path: &str, query: &Query) -> Result<Value, ApiError> {
        let trimmed = path.trim_end_matches('/');
        let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
        match segments.as_slice() {
            ["version"] => Ok(version()),
            ["api"] => Ok(json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": self.server_address}],
            })),
            ["api", "v1"] => Ok(self.resource_list("", "v1")),
            ["api", "v1", rest @ ..] => self.resource("", "v1", rest, query),
            ["apis"] => Ok(self.group_list()),
            ["apis", group] => self.group(group).ok_or_else(status::no_route),
            ["apis", group, version] if self.group_served(group, version) => Ok(self.resource_list(group, version)),
            ["apis", group, version, rest @ ..] if self.group_served(group, version) => {
                self.resource(group, version, rest, query)
            }
            _ => Err(status::no_route()),
        }
    }

    /// Whether discovery lists the resource: built in, or its CRD installed
    /// (an object of its group recorded, or the group or resource named).
    fn served(&self, info: &KindInfo) -> bool {
        info.built_in()
            || self.store.has_group(info.group)
            || self.served_groups.contains(info.group)
            || self.served_groups.contains(&info.qualified())
    }

    fn group_served(&self, group: &str, version: &str) -> bool {
        KINDS.iter().any(|k| k.group == group && k.version == version && self.served(k))
    }

    fn served_groups(&self) -> Vec<(&'static str, &'static str)> {
        let mut groups: Vec<(&str, &str)> = Vec::new();
        for k in KINDS.iter().filter(|k| !k.group.is_empty() && self.served(k)) {
            if !groups.contains(&(k.group, k.version)) {
                groups.push((k.group, k.version));
            }
        }
        groups
    }

    fn group_json(group: &str, version: &str) -> Value {
        let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
        json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
    }

    fn group_list(&self) -> Value {
        let groups: Vec<Value> = self.served_groups().iter().map(|(g, v)| Self::group_json(g, v)).collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
    }

    fn group(&self, group: &str) -> Option<Value> {
        let (g, v) = self.served_groups().into_iter().find(|(g, _)| *g == group)?;
        let mut doc = Self::group_json(g, v);
        doc["kind"] = "APIGroup".into();
        doc["apiVersion"] = "v1".into();
        Some(doc)
    }

    fn resource_list(&self, group: &str, version: &str) -> Value {
        let resources: Vec<Value> = KINDS
            .iter()
            .filter(|k| k.group == group && k.version == version && self.served(k))
            .map(|k| {
                let mut r = json!({
                    "name": k.plural,
                    "singularName": k.singular,
                    "namespaced": k.namespaced,
                    "kind": k.kind,
                    "verbs": k.verbs(),
                });
                if !k.short_names.is_empty() {
                    r["shortNames"] = json!(k.short_names);
                }
                r
            })
            .collect();
        let group_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
        let mut doc = json!({"kind": "APIResourceList", "groupVersion": group_version, "resources": resources});
        // The core group's list carries no apiVersion; the named groups' do
        // (as `kubectl get --raw /api/v1` and `/apis/apps/v1` show).
        if !group.is_empty() {
            doc["apiVersion"] = "v1".into();
        }
        doc
    }

    /// `R`, `R/NAME`, `namespaces/NS/R` or `namespaces/NS/R/NAME` under a group version.
    fn resource(&self, group: &str, version: &str, rest: &[&str], query: &Query) -> Result<Value, ApiError> {
        let (namespace, plural, name) = match rest {
            [plural] => (None, *plural, None),
            // `namespaces/NS` is a get of the Namespace NS, not a scope.
            [plural, name] => (None, *plural, Some(*name)),
            ["namespaces", ns, plural] => (Some(*ns), *plural, None),
            ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
            _ => return Err(status::no_route()),
        };
        let info = by_resource(group, version, plural).filter(|k| self.served(k)).ok_or_else(status::no_route)?;
        if namespace.is_some() && !info.namespaced {
            return Err(status::no_route());
        }
        let verb = if name.is_some() { "get" } else { "list" };
        if self.forbidden.contains(&info.qualified()) {
            return Err(status::forbidden(info, USER, verb, namespace, name));
        }
        match name {
            Some(name) => {
                if info.namespaced && namespace.is_none() {
                    return Err(status::no_route());
                }
                let key = match namespace {
                    Some(ns) => format!("{ns}/{name}"),
                    None => name.to_string(),
                };
                self.store
                    .objects(info)
                    .find(|(k, _)| **k == key)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| status::not_found(info, name))
            }
            None => self.list(info, namespace, query),
        }
    }

    fn list(&self, info: &KindInfo, namespace: Option<&str>, query: &Query) -> Result<Value, ApiError> {
        let labels = LabelSelector::parse(query.get("labelSelector")).map_err(|e| status::bad_request(e.0))?;
        let fields =
            FieldSelector::parse(query.get("fieldSelector"), info.kind).map_err(|e| status::bad_request(e.0))?;
        let rv = self.store.resource_version;
        let start = match query.get("continue") {
            "" => None,
            text => Some(ContinueToken::decode(text, rv).map_err(|e| match e {
                ContinueError::Expired => status::expired(e.to_string()),
                ContinueError::Invalid(_) => status::bad_request(e.to_string()),
            })?),
        };
        let limit = match query.get("limit") {
            "" | "0" => None,
            text => Some(
                text.parse::<usize>()
                    .map_err(|_| status::bad_request(format!("limit: Invalid value: {text:?}: must be a number")))?,
            ),
        };
        // A page is min(limit, page_size); with no limit the server sends all.
        let page = limit.map(|l| self.page_size.map_or(l, |p| l.min(p.max(1))));
        let prefix = namespace.map(|ns| format!("{ns}/"));
        let mut matching = self
            .store
            .objects(info)
            .filter(|(key, _)| prefix.as_ref().is_none_or(|p| key.starts_with(p.as_str())))
            .filter(|(key, _)| start.as_ref().is_none_or(|t| key.as_str() >= t.start.as_str()))
            .filter(|(_, o)| labels.matches(o.pointer("/metadata/labels").and_then(Value::as_object)))
            .filter(|(_, o)| fields.matches(o));
        let mut items = Vec::new();
        let mut last_key = None;
        for (key, object) in matching.by_ref() {
            if page.is_some_and(|p| items.len() == p) {
                // One past the page: there is more. Start the next page here.
                last_key = Some(key.clone());
                break;
            }
            items.push(object.clone());
        }
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if let Some(next) = last_key {
            metadata["continue"] = ContinueToken::new(rv, next).encode().into();
            // Counted only without selectors, as ListMeta documents.
            if labels.is_empty() && fields.is_empty() {
                metadata["remainingItemCount"] = (1 + matching.count()).into();
            }
        }
        Ok(json!({
            "kind": format!("{}List", info.kind),
            "apiVersion": info.api_version(),
            "metadata": metadata,
            "items": items,
        }))
    }
}

fn into_reply(e: ApiError) -> Reply {
    (e.code, e.body)
}

/// `/version`, as `version.Info`.
fn version() -> Value {
    let (major, minor) = SERVED_VERSION;
    json!({
        "major": major,
        "minor": minor,
        "gitVersion": format!("v{major}.{minor}.0"),
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// A decoded query string.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// The first value of `key`, or "".
    pub(crate) fn get(&self, key: &str) -> &str {
        self.0.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
    }
}

/// Splits and percent-decodes `a=b&c=d` (with `+` as a space, as Go's
/// `url.ParseQuery` reads it).
pub(crate) fn parse_query(query: &str) -> Query {
    Query(
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect(),
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
