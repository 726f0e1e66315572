//! The live path against a small API server written here: real HTTP on a
//! loopback port, the API's paths, `limit`/`continue` paging, label
//! selectors, 403 and 404 Status answers, and a server that never answers.
//! (End-to-end tests against the HTTPS stand-in and kubectl live in the
//! integration tests.)

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kubev_ha_model::WhyUnreadable;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;
use crate::read_dump;
use crate::selector::Selector;

const TOKEN: &str = "s3cr3t-token-value-never-shown";

/// What the test server serves, and how it misbehaves.
#[derive(Default)]
struct Api {
    objects: Vec<Value>,
    /// Resources answered with 403.
    forbidden: BTreeSet<&'static str>,
    /// API groups left out of discovery.
    missing_groups: BTreeSet<&'static str>,
    /// Paths never answered.
    hang: BTreeSet<&'static str>,
    /// Groups discovery lists in another version only.
    other_version: BTreeSet<&'static str>,
    /// Everything answered 401.
    unauthorized: bool,
    /// Each request's path and query, in order.
    log: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn status(code: u16, reason: &str, message: &str) -> (u16, String) {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code});
    (code, body.to_string())
}

impl Api {
    fn fixture() -> Api {
        let text = std::fs::read_to_string(crate::dump::tests::fixture()).unwrap();
        let all: Value = serde_json::from_str(&text).unwrap();
        Api { objects: all["items"].as_array().unwrap().clone(), ..Api::default() }
    }

    fn answer(&self, target: &str) -> (u16, String) {
        if self.unauthorized {
            return status(401, "Unauthorized", "Unauthorized");
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let params: BTreeMap<String, String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), decode(v)))
            .collect();
        match path {
            "/version" => return (200, json!({"major": "1", "minor": "33", "gitVersion": "v1.33.2"}).to_string()),
            "/api" => return (200, json!({"kind": "APIVersions", "versions": ["v1"]}).to_string()),
            "/apis" => {
                let groups: BTreeSet<&str> = AUDIT_READS
                    .iter()
                    .map(|r| r.group)
                    .filter(|g| !g.is_empty() && !self.missing_groups.contains(g))
                    .collect();
                let groups: Vec<Value> = groups
                    .iter()
                    .map(|g| {
                        let mut v = AUDIT_READS.iter().find(|r| r.group == *g).unwrap().version;
                        if self.other_version.contains(g) {
                            v = "v9";
                        }
                        json!({"name": g, "versions": [{"groupVersion": format!("{g}/{v}"), "version": v}],
                            "preferredVersion": {"groupVersion": format!("{g}/{v}"), "version": v}})
                    })
                    .collect();
                return (200, json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}).to_string());
            }
            _ => {}
        }
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (group, version, rest) = match parts.as_slice() {
            ["api", v, rest @ ..] => ("", *v, rest),
            ["apis", g, v, rest @ ..] => (*g, *v, rest),
            _ => return status(404, "NotFound", "the server could not find the requested resource"),
        };
        if self.missing_groups.contains(group) {
            return status(404, "NotFound", "the server could not find the requested resource");
        }
        if rest.is_empty() {
            let resources: BTreeSet<&str> =
                AUDIT_READS.iter().filter(|r| r.group == group && r.version == version).map(|r| r.resource).collect();
            let resources: Vec<Value> =
                resources.iter().map(|r| json!({"name": r, "verbs": ["get", "list"]})).collect();
            return (
                200,
                json!({"kind": "APIResourceList", "groupVersion": version, "resources": resources}).to_string(),
            );
        }
        let (namespace, resource, name) = match rest {
            ["namespaces", ns, res] => (Some(*ns), *res, None),
            ["namespaces", ns, res, name] => (Some(*ns), *res, Some(*name)),
            [res] => (None, *res, None),
            [res, name] => (None, *res, Some(*name)),
            _ => return status(404, "NotFound", "no such path"),
        };
        let Some(read) = AUDIT_READS.iter().find(|r| r.group == group && r.resource == resource) else {
            return status(404, "NotFound", "no such resource");
        };
        if self.forbidden.contains(resource) {
            let verb = if name.is_some() { "get" } else { "list" };
            return status(
                403,
                "Forbidden",
                &format!(
                    "{resource} is forbidden: User \"system:serviceaccount:audit:kubev-ha\" cannot {verb} resource \"{resource}\" in API group \"{group}\" at the cluster scope"
                ),
            );
        }
        let selector = Selector::parse(params.get("labelSelector").map(String::as_str).unwrap_or("")).unwrap();
        let matching: Vec<&Value> = self
            .objects
            .iter()
            .filter(|o| {
                let api_version = o["apiVersion"].as_str().unwrap_or("");
                let labels: BTreeMap<String, String> =
                    serde_json::from_value(o["metadata"]["labels"].clone()).unwrap_or_default();
                api_version == read.api_version()
                    && o["kind"] == read.kind
                    && namespace.is_none_or(|ns| o["metadata"]["namespace"] == ns)
                    && name.is_none_or(|n| o["metadata"]["name"] == n)
                    && selector.matches(&labels)
            })
            .collect();
        if name.is_some() {
            return match matching.first() {
                Some(o) => (200, o.to_string()),
                None => status(404, "NotFound", &format!("{resource} \"{}\" not found", name.unwrap_or_default())),
            };
        }
        let limit: usize = params.get("limit").map(|l| l.parse().unwrap()).unwrap_or(usize::MAX);
        let start: usize = params.get("continue").map(|c| c.trim_start_matches("tok-").parse().unwrap()).unwrap_or(0);
        let page: Vec<&Value> = matching.iter().skip(start).take(limit).copied().collect();
        let mut meta = json!({"resourceVersion": "4242"});
        if start + page.len() < matching.len() {
            meta["continue"] = json!(format!("tok-{}", start + page.len()));
        }
        (200, json!({"kind": format!("{}List", read.kind), "apiVersion": read.api_version(), "metadata": meta, "items": page}).to_string())
    }
}

/// Serves `api` on a loopback port; the kubeconfig that points at it.
async fn serve(api: Arc<Api>) -> (PathBuf, tempfile::TempDir, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let api = api.clone();
            tokio::spawn(async move {
                let mut buf = vec![];
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                assert!(head.starts_with("GET "), "only GET: {head}");
                let now = api.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                api.max_in_flight.fetch_max(now, Ordering::SeqCst);
                api.log.lock().unwrap().push(target.clone());
                let path = target.split('?').next().unwrap_or_default().to_string();
                if api.hang.contains(path.as_str()) {
                    api.in_flight.fetch_sub(1, Ordering::SeqCst);
                    // Hold the connection open and never answer.
                    std::future::pending::<()>().await;
                }
                let (code, body) = api.answer(&target);
                let response = format!(
                    "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                api.in_flight.fetch_sub(1, Ordering::SeqCst);
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let server = format!("http://{addr}");
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: loop\n  cluster:\n    server: {server}\ncontexts:\n- name: loop-ctx\n  context:\n    cluster: loop\n    user: audit\ncurrent-context: loop-ctx\nusers:\n- name: audit\n  user:\n    token: {TOKEN}\n"
    );
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, kubeconfig).unwrap();
    (path, dir, server)
}

fn options(kubeconfig: PathBuf) -> ConnectOptions {
    ConnectOptions {
        kubeconfig: Some(kubeconfig),
        page_size: 1,
        max_in_flight: 2,
        request_timeout: Duration::from_secs(20),
        timeout: Duration::from_secs(60),
        ..ConnectOptions::default()
    }
}

/// Counts what progress is told.
#[derive(Default)]
struct Counting {
    started: AtomicUsize,
    pages: AtomicUsize,
    finished: AtomicUsize,
}

impl ReadProgress for Counting {
    fn started(&self, reads: usize) {
        self.started.store(reads, Ordering::SeqCst);
    }
    fn page(&self, _: &ApiRead, _: usize) {
        self.pages.fetch_add(1, Ordering::SeqCst);
    }
    fn finished(&self, _: &ApiRead) {
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_live_read_pages_with_continue_and_equals_the_dump_of_the_same_objects() {
    let api = Arc::new(Api::fixture());
    let (kubeconfig, _dir, server) = serve(api.clone()).await;
    let progress = Counting::default();
    let live = read_cluster(&options(kubeconfig), &progress).await.unwrap();
    assert_eq!(live.source, format!("context loop-ctx ({server})"));
    assert_eq!(live.server_version.as_deref(), Some("v1.33.2"));
    let mut dump = read_dump(&crate::dump::tests::fixture(), None).unwrap();
    // The dump has no FenceAgentsRemediationTemplate and says so; the live
    // server serves the kind, with none.
    dump.fence_agents_remediation_templates = Ok(vec![]);
    dump.source = live.source.clone();
    dump.server_version = live.server_version.clone();
    assert_eq!(format!("{live:#?}"), format!("{dump:#?}"));

    let log = api.log.lock().unwrap().clone();
    // Two nodes, one per page: the second request carries the first's token.
    let nodes: Vec<&String> = log.iter().filter(|l| l.starts_with("/api/v1/nodes")).collect();
    assert_eq!(nodes, vec!["/api/v1/nodes?limit=1", "/api/v1/nodes?limit=1&continue=tok-1"]);
    assert!(
        log.contains(&"/api/v1/namespaces/kube-system/pods?limit=1&labelSelector=component%3Detcd".to_string()),
        "{log:#?}"
    );
    assert!(
        log.contains(
            &"/api/v1/pods?limit=1&labelSelector=kubevirt.io%20in%20%28virt-api%2Cvirt-controller%29".to_string()
        ),
        "{log:#?}"
    );
    assert!(log.contains(&"/api/v1/namespaces/kube-system/configmaps/kubeadm-config".to_string()), "{log:#?}");
    // The follow-up: the blocking budget's pods, by its selector, in its namespace.
    assert!(log.contains(&"/api/v1/namespaces/prod/pods?limit=1&labelSelector=app%3Ddb".to_string()), "{log:#?}");
    assert!(!log.iter().any(|l| l.contains("kubevirt.io%2Fcreated-by")), "KubeVirt's own budget is not followed up");
    assert!(api.max_in_flight.load(Ordering::SeqCst) <= 2, "at most max_in_flight requests at once");
    assert_eq!(progress.started.load(Ordering::SeqCst), AUDIT_READS.len());
    assert_eq!(progress.finished.load(Ordering::SeqCst), AUDIT_READS.len());
    assert!(progress.pages.load(Ordering::SeqCst) >= nodes.len());
}

#[tokio::test]
async fn forbidden_and_not_served_become_unreadable_never_errors() {
    let mut api = Api::fixture();
    api.forbidden = ["nodes", "virtualmachineinstances"].into();
    api.missing_groups = ["kubeovn.io", "remediation.medik8s.io"].into();
    api.other_version = ["cdi.kubevirt.io"].into();
    // No kubeadm-config: a get that finds nothing is `Ok(None)`.
    api.objects.retain(|o| o["kind"] != "ConfigMap");
    let (kubeconfig, _dir, _) = serve(Arc::new(api)).await;
    let live = read_cluster(&options(kubeconfig), &NoProgress).await.unwrap();
    let e = live.nodes.as_ref().unwrap_err();
    assert_eq!(e.resource, "nodes");
    match &e.why {
        WhyUnreadable::Forbidden { verb, message } => {
            assert_eq!(verb, "list");
            assert!(message.contains("cannot list resource \"nodes\""), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&live.vmis.as_ref().unwrap_err().why, WhyUnreadable::Forbidden { .. }));
    let e = live.subnets.as_ref().unwrap_err();
    assert_eq!(e.resource, "subnets.kubeovn.io");
    assert_eq!(e.why, WhyUnreadable::NotInstalled { component: "Kube-OVN".into() });
    assert!(matches!(&live.node_health_checks.as_ref().unwrap_err().why, WhyUnreadable::NotInstalled { .. }));
    assert_eq!(live.kubeadm, Ok(None));
    let e = live.storage_profiles.as_ref().unwrap_err();
    assert!(
        matches!(&e.why, WhyUnreadable::Failed { reason } if reason.contains("cdi.kubevirt.io as v9, not v1beta1")),
        "{e:?}"
    );
    assert!(live.vms.is_ok() && live.pvcs.is_ok());
    assert!(!format!("{live:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_request_that_gets_no_answer_fails_its_resource_and_the_overall_deadline_stops_the_audit() {
    let mut api = Api::fixture();
    api.hang = ["/apis/kubevirt.io/v1/virtualmachineinstances"].into();
    let (kubeconfig, _dir, _) = serve(Arc::new(api)).await;
    let mut opts = options(kubeconfig.clone());
    opts.request_timeout = Duration::from_millis(300);
    let live = read_cluster(&opts, &NoProgress).await.unwrap();
    let e = live.vmis.unwrap_err();
    let WhyUnreadable::Failed { reason } = &e.why else { panic!("{e:?}") };
    assert!(reason.contains("no answer within"), "{reason}");
    assert!(live.vms.is_ok());

    // A server that never answers anything: the overall deadline fires.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = vec![];
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    let start = text.find("http://").unwrap();
    let end = start + text[start..].find('\n').unwrap();
    let silent = kubeconfig.with_file_name("silent");
    std::fs::write(&silent, format!("{}http://{addr}{}", &text[..start], &text[end..])).unwrap();
    let mut opts = options(silent);
    opts.timeout = Duration::from_millis(500);
    let e = read_cluster(&opts, &NoProgress).await.unwrap_err();
    assert!(matches!(e, ClusterError::Deadline { .. }), "{e:?}");
}

#[tokio::test]
async fn refused_credentials_and_bad_kubeconfigs_are_errors_without_the_token() {
    let api = Api { unauthorized: true, ..Api::fixture() };
    let (kubeconfig, _dir, server) = serve(Arc::new(api)).await;
    let e = read_cluster(&options(kubeconfig.clone()), &NoProgress).await.unwrap_err();
    let ClusterError::Connect { server: s, reason } = &e else { panic!("{e:?}") };
    assert_eq!(s, &server);
    assert!(reason.contains("refused the credentials"), "{reason}");
    assert!(!format!("{e:?}").contains(TOKEN));

    let mut opts = options(kubeconfig.clone());
    opts.context = Some("prod".into());
    let e = read_cluster(&opts, &NoProgress).await.unwrap_err();
    assert!(matches!(&e, ClusterError::Config { reason } if reason.contains("no context \"prod\"")), "{e:?}");

    let bad = kubeconfig.with_file_name("bad");
    std::fs::write(&bad, "clusters: [ {").unwrap();
    let e = read_cluster(&options(bad.clone()), &NoProgress).await.unwrap_err();
    assert!(matches!(e, ClusterError::Config { .. }), "{e:?}");
    // A token where a list belongs: the parser's message would quote it.
    std::fs::write(&bad, format!("apiVersion: v1\nkind: Config\ncurrent-context: x\nusers: {TOKEN}\n")).unwrap();
    let e = read_cluster(&options(bad), &NoProgress).await.unwrap_err();
    assert!(matches!(e, ClusterError::Config { .. }), "{e:?}");
    assert!(!format!("{e:?} {e}").contains(TOKEN), "{e}");
}

#[test]
fn redaction_drops_quoted_values_only() {
    assert_eq!(
        redact(r#"invalid type: string "tok", expected a sequence at line 4 column 8"#),
        r#"invalid type: string "…", expected a sequence at line 4 column 8"#
    );
    assert_eq!(redact("no quotes here"), "no quotes here");
}

#[test]
fn query_values_are_percent_encoded_and_server_urls_lose_user_parts() {
    assert_eq!(
        encode("kubevirt.io in (virt-api,virt-controller)"),
        "kubevirt.io%20in%20%28virt-api%2Cvirt-controller%29"
    );
    assert_eq!(encode("a=b&c"), "a%3Db%26c");
    let uri: http::Uri = "https://admin:pw@10.0.0.10:6443/".parse().unwrap();
    assert_eq!(server_url(&uri), "https://10.0.0.10:6443");
}

#[test]
fn redaction_drops_escaped_quotes_and_backticked_values_too() {
    // An escaped quote inside the value does not end it, so nothing after it leaks.
    assert_eq!(redact(r#"bad value "ab\"secret" at line 2"#), r#"bad value "…" at line 2"#);
    // serde names an unknown variant in backticks.
    assert_eq!(redact("unknown variant `s3cr3t`, expected one of"), "unknown variant `…`, expected one of");
}
