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
        // A watch would be a stream of events; the audit only lists and
        // gets (AUDIT_READS), so a watch is a reader's bug and is refused
        // loudly rather than answered with a list the client would misread.
        if matches!(query.get("watch"), "true" | "1") {
            return Err(status::bad_request("the stand-in serves no watches: the audit only lists and gets".into()));
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn api(lists: &[Value], page_size: Option<usize>) -> Api {
        let mut store = Store::new();
        for (i, list) in lists.iter().enumerate() {
            store.add_list(Path::new(&format!("list{i}.json")), &list.to_string()).unwrap();
        }
        Api {
            store,
            forbidden: ["persistentvolumes".to_string()].into(),
            served_groups: ["kubeovn.io".to_string()].into(),
            page_size,
            server_address: "127.0.0.1:6443".into(),
        }
    }

    fn pod(ns: &str, name: &str, app: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "resourceVersion": "7", "labels": {"app": app}}})
    }

    fn cluster() -> Api {
        let pods = json!({"apiVersion": "v1", "kind": "List", "items": [
            pod("b", "p3", "x"), pod("a", "p1", "x"), pod("a", "p2", "y"), pod("c", "p4", "x"), pod("c", "p5", "x"),
        ]});
        let vmis = json!({"kind": "VirtualMachineInstanceList", "apiVersion": "kubevirt.io/v1", "items": [
            {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
             "metadata": {"name": "vm1", "namespace": "a", "resourceVersion": "9"}},
        ]});
        api(&[pods, vmis], None)
    }

    fn get(api: &Api, path_and_query: &str) -> Reply {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        api.handle("GET", path, query)
    }

    fn names(list: &Value) -> Vec<String> {
        list["items"].as_array().unwrap().iter().map(|o| o["metadata"]["name"].as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn discovery_lists_built_in_groups_and_installed_crds_only() {
        let api = cluster();
        let (code, doc) = get(&api, "/apis");
        assert_eq!(code, 200);
        assert_eq!(doc["kind"], "APIGroupList");
        let groups: Vec<&str> = doc["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
        // kubevirt.io: a VMI is recorded; kubeovn.io: named; cdi and medik8s: neither.
        assert_eq!(groups, ["apps", "policy", "storage.k8s.io", "kubevirt.io", "kubeovn.io"]);
        assert_eq!(doc["groups"][3]["preferredVersion"], json!({"groupVersion": "kubevirt.io/v1", "version": "v1"}));
        assert_eq!(get(&api, "/apis/cdi.kubevirt.io/v1beta1").0, 404);
        assert_eq!(get(&api, "/apis/cdi.kubevirt.io/v1beta1/storageprofiles").0, 404);

        let (_, core) = get(&api, "/api");
        assert_eq!(core["kind"], "APIVersions");
        assert_eq!(core["versions"], json!(["v1"]));
        assert_eq!(core["serverAddressByClientCIDRs"][0]["serverAddress"], "127.0.0.1:6443");
    }

    #[test]
    fn resource_lists_carry_scope_kind_verbs_and_short_names() {
        let api = cluster();
        let (code, v1) = get(&api, "/api/v1");
        assert_eq!(code, 200);
        assert_eq!(
            (v1["kind"].as_str(), v1["groupVersion"].as_str(), v1.get("apiVersion")),
            (Some("APIResourceList"), Some("v1"), None)
        );
        let nodes = v1["resources"].as_array().unwrap().iter().find(|r| r["name"] == "nodes").unwrap();
        assert_eq!(nodes["namespaced"], false);
        assert_eq!(nodes["kind"], "Node");
        assert_eq!(nodes["shortNames"], json!(["no"]));
        assert!(nodes["verbs"].as_array().unwrap().contains(&json!("list")));
        let (_, kv) = get(&api, "/apis/kubevirt.io/v1");
        assert_eq!((kv["apiVersion"].as_str(), kv["groupVersion"].as_str()), (Some("v1"), Some("kubevirt.io/v1")));
        let vmi = kv["resources"].as_array().unwrap().iter().find(|r| r["name"] == "virtualmachineinstances").unwrap();
        assert_eq!(
            (vmi["namespaced"].as_bool(), vmi["singularName"].as_str()),
            (Some(true), Some("virtualmachineinstance"))
        );
        assert_eq!(vmi["shortNames"], json!(["vmi", "vmis"]));
        let (_, ovn) = get(&api, "/apis/kubeovn.io/v1");
        assert_eq!(ovn["resources"][0]["name"], "subnets");
        assert_eq!(get(&api, "/apis/kubeovn.io/v1/subnets").1["items"], json!([]));
    }

    #[test]
    fn lists_are_typed_and_in_storage_key_order() {
        let (code, list) = get(&cluster(), "/api/v1/pods");
        assert_eq!(code, 200);
        assert_eq!((list["kind"].as_str(), list["apiVersion"].as_str()), (Some("PodList"), Some("v1")));
        assert_eq!(names(&list), ["p1", "p2", "p3", "p4", "p5"]);
        assert_eq!(list["metadata"], json!({"resourceVersion": "9"}));
        assert_eq!(names(&get(&cluster(), "/api/v1/namespaces/c/pods").1), ["p4", "p5"]);
        let (_, vmis) = get(&cluster(), "/apis/kubevirt.io/v1/namespaces/a/virtualmachineinstances");
        assert_eq!(
            (vmis["kind"].as_str(), vmis["apiVersion"].as_str()),
            (Some("VirtualMachineInstanceList"), Some("kubevirt.io/v1"))
        );
    }

    #[test]
    fn pages_follow_continue_tokens_to_the_end() {
        let api = cluster();
        let mut seen = Vec::new();
        let mut query = "limit=2".to_string();
        let mut remaining = Vec::new();
        loop {
            let (code, page) = get(&api, &format!("/api/v1/pods?{query}"));
            assert_eq!(code, 200, "{page}");
            assert!(page["items"].as_array().unwrap().len() <= 2);
            seen.extend(names(&page));
            match page["metadata"]["continue"].as_str() {
                Some(token) => {
                    remaining.push(page["metadata"]["remainingItemCount"].as_u64().unwrap());
                    query = format!("limit=2&continue={token}");
                }
                None => {
                    assert!(page["metadata"].get("remainingItemCount").is_none());
                    break;
                }
            }
        }
        assert_eq!(seen, ["p1", "p2", "p3", "p4", "p5"]);
        assert_eq!(remaining, [3, 1]);
    }

    #[test]
    fn page_size_caps_the_limit_but_not_an_unlimited_list() {
        let pods = json!({"kind": "PodList", "apiVersion": "v1", "items": [pod("a", "p1", "x"), pod("a", "p2", "x"), pod("a", "p3", "x")]});
        let api = api(&[pods], Some(2));
        assert_eq!(names(&get(&api, "/api/v1/pods?limit=500").1), ["p1", "p2"]);
        assert_eq!(names(&get(&api, "/api/v1/pods?limit=1").1), ["p1"]);
        assert_eq!(names(&get(&api, "/api/v1/pods").1).len(), 3);
    }

    #[test]
    fn selectors_filter_and_hide_the_remaining_count() {
        let api = cluster();
        let (_, page) = get(&api, "/api/v1/pods?labelSelector=app%3Dx&limit=1");
        assert_eq!(names(&page), ["p1"]);
        assert!(page["metadata"]["continue"].is_string());
        assert!(page["metadata"].get("remainingItemCount").is_none());
        assert_eq!(names(&get(&api, "/api/v1/pods?labelSelector=app+in+%28y%29").1), ["p2"]);
        assert_eq!(names(&get(&api, "/api/v1/pods?fieldSelector=metadata.namespace%3Db").1), ["p3"]);
        let (code, status) = get(&api, "/api/v1/pods?labelSelector=app+in+%28y");
        assert_eq!((code, status["reason"].as_str()), (400, Some("BadRequest")));
    }

    #[test]
    fn bad_and_stale_continue_tokens_are_the_servers_400_and_410() {
        let api = cluster();
        let (code, status) = get(&api, "/api/v1/pods?limit=1&continue=garbage");
        assert_eq!((code, status["reason"].as_str()), (400, Some("BadRequest")));
        let stale = ContinueToken::new(3, "a/p2".into()).encode();
        let (code, status) = get(&api, &format!("/api/v1/pods?limit=1&continue={stale}"));
        assert_eq!((code, status["reason"].as_str()), (410, Some("Expired")));
    }

    #[test]
    fn gets_and_errors_are_status_objects_as_apimachinery_makes_them() {
        let api = cluster();
        let (code, p) = get(&api, "/api/v1/namespaces/a/pods/p2");
        assert_eq!((code, p["metadata"]["name"].as_str()), (200, Some("p2")));
        let (code, s) = get(&api, "/apis/kubevirt.io/v1/namespaces/a/virtualmachineinstances/vm9");
        assert_eq!(code, 404);
        assert_eq!(
            s,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "virtualmachineinstances.kubevirt.io \"vm9\" not found", "reason": "NotFound",
                "details": {"name": "vm9", "group": "kubevirt.io", "kind": "virtualmachineinstances"}, "code": 404})
        );
        let (code, s) = get(&api, "/api/v1/persistentvolumes");
        assert_eq!(code, 403);
        assert_eq!(s["details"], json!({"kind": "persistentvolumes"}));
        assert_eq!(
            s["message"],
            format!(
                "persistentvolumes is forbidden: User \"{USER}\" cannot list resource \"persistentvolumes\" in API group \"\" at the cluster scope"
            )
        );
        assert_eq!(get(&api, "/api/v1/widgets").0, 404);
        assert_eq!(get(&api, "/api/v1/nodes/n1/status").0, 404);
        assert_eq!(get(&api, "/api/v1/namespaces/a/nodes").0, 404);
        let (code, s) = get(&api, "/api/v1/pods?watch=true");
        assert_eq!((code, s["reason"].as_str()), (400, Some("BadRequest")));
        let (code, s) = api.handle("DELETE", "/api/v1/namespaces/a/pods/p2", "");
        assert_eq!((code, s["reason"].as_str()), (405, Some("MethodNotAllowed")));
    }

    #[test]
    fn version_is_a_version_info() {
        let (code, v) = get(&cluster(), "/version");
        assert_eq!(code, 200);
        assert_eq!((v["major"].as_str(), v["minor"].as_str()), (Some("1"), Some("31")));
        assert!(v["gitVersion"].as_str().unwrap().starts_with("v1.31"));
    }

    #[test]
    fn queries_are_percent_decoded_with_plus_as_space() {
        let q = parse_query("labelSelector=a+in+%28x%2Cy%29&limit=5&bad=%zz&empty");
        assert_eq!(q.get("labelSelector"), "a in (x,y)");
        assert_eq!(q.get("limit"), "5");
        assert_eq!(q.get("bad"), "%zz");
        assert_eq!(q.get("empty"), "");
        assert_eq!(q.get("absent"), "");
    }
}

#[cfg(test)]
mod audit_reads {
    use super::*;
    use kubev_ha_spec::{AUDIT_READS, ApiVerb};

    /// Every request family of the audit names a kind of the table with
    /// the same version, kind and scope, and answers: 200 for a list, 404
    /// with the object's name for a get of what is not recorded.
    #[test]
    fn every_audit_read_is_served_as_the_audit_asks_it() {
        let mut store = Store::new();
        store.add_list(Path::new("none.json"), r#"{"kind": "List", "items": []}"#).unwrap();
        let every_group = KINDS.iter().map(|k| k.group.to_string()).collect();
        let api = Api {
            store,
            forbidden: BTreeSet::new(),
            served_groups: every_group,
            page_size: None,
            server_address: "127.0.0.1:6443".into(),
        };
        for read in AUDIT_READS {
            let info = by_resource(read.group, read.version, read.resource)
                .unwrap_or_else(|| panic!("{} is not in the table", read.qualified()));
            assert_eq!((info.kind, info.namespaced), (read.kind, read.namespaced), "{}", read.qualified());
            let selector = read.label_selector.filter(|s| !s.is_empty()).unwrap_or("");
            let query = format!("limit=500&labelSelector={}", selector.replace(' ', "+").replace(',', "%2C"));
            for namespace in [None, Some("prod")] {
                let (code, body) = api.handle("GET", &read.path(namespace), &query);
                match read.verb {
                    ApiVerb::List => {
                        assert_eq!(code, 200, "{} {body}", read.path(namespace));
                        assert_eq!(body["kind"], format!("{}List", read.kind));
                    }
                    ApiVerb::Get => {
                        assert_eq!(code, 404, "{} {body}", read.path(namespace));
                        assert_eq!(body["details"]["name"].as_str(), read.name);
                    }
                }
            }
        }
    }

    use std::path::Path;
}
