//! Debian's kubectl against the API stand-in (crates/kube-standin): the
//! proof that the stand-in speaks Kubernetes as a client built by the
//! Kubernetes project hears it. Discovery (kubectl resolves `vmi` and
//! `nodes` through `/api`, `/apis` and each group's resource list), paged
//! lists (`--chunk-size`), label and field selectors, gets, and the errors
//! kubectl prints from the server's `Status` objects.
//!
//! kubectl comes from the Debian package `kubernetes-client` (1.20 in
//! bookworm), which scripts/test.sh installs as root. Another `kubectl` may
//! be first on PATH (or own /usr/bin/kubectl, the Debian one then being
//! diverted), so the binary is the one `dpkg -L kubernetes-client` names.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kube_standin::{StandIn, StandInOptions};
use serde_json::Value;

use crate::common::{root, skip};

fn smoke_dir() -> PathBuf {
    root().join("tests/data/standin-smoke")
}

/// The items of a recorded List file.
fn recorded(file: &str) -> Vec<Value> {
    let path = smoke_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    list["items"].as_array().cloned().unwrap_or_default()
}

/// `namespace/name` (or `name`) of each object.
fn keys<'a>(objects: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    objects
        .into_iter()
        .map(|o| {
            let name = o["metadata"]["name"].as_str().unwrap_or_default();
            match o["metadata"]["namespace"].as_str() {
                Some(ns) => format!("{ns}/{name}"),
                None => name.to_string(),
            }
        })
        .collect()
}

/// The kubectl of the Debian package, where dpkg put it: `/usr/bin/kubectl`,
/// or the path a diversion moved it to (dpkg -L prints
/// `diverted by PKG to: PATH` after the diverted file).
fn debian_kubectl() -> Option<PathBuf> {
    let output = Command::new("dpkg").args(["-L", "kubernetes-client"]).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "/usr/bin/kubectl" {
            let diverted =
                lines.peek().and_then(|next| next.split_once(" to: ")).map(|(_, to)| PathBuf::from(to.trim()));
            return Some(diverted.unwrap_or_else(|| PathBuf::from(line.trim()))).filter(|p| p.is_file());
        }
    }
    None
}

/// A stand-in, a kubeconfig for it, and Debian's kubectl pointed at both.
struct Bed {
    standin: StandIn,
    kubectl: PathBuf,
    dir: tempfile::TempDir,
}

impl Bed {
    /// Starts the stand-in over the smoke recording, or says why the test
    /// cannot run. Not root and no Debian kubectl: skip. Root and none: a
    /// failure, since scripts/test.sh installs it as root.
    fn start(test: &str, options: StandInOptions) -> Option<Bed> {
        let Some(kubectl) = debian_kubectl() else {
            // SAFETY: geteuid has no preconditions.
            if unsafe { libc::geteuid() } == 0 {
                panic!("{test}: Debian's kubectl is missing: apt-get install kubernetes-client (scripts/test.sh does)");
            }
            skip(test, "Debian's kubectl (package kubernetes-client) is not installed and we are not root");
            return None;
        };
        let standin = StandIn::start(&smoke_dir(), options).unwrap_or_else(|e| panic!("stand-in: {e}"));
        let dir = tempfile::tempdir().unwrap();
        standin.write_kubeconfig(&dir.path().join("kubeconfig"), "smoke").unwrap();
        Some(Bed { standin, kubectl, dir })
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    /// Runs kubectl with the stand-in's kubeconfig and a discovery cache of
    /// its own (never the user's ~/.kube), with a deadline on every request.
    fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_with(&self.kubeconfig(), args)
    }

    fn kubectl_with(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        Command::new(&self.kubectl)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .arg("--request-timeout=20s")
            .args(args)
            .env("HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", self.kubectl.display()))
    }

    /// Runs kubectl, expects success, and parses what it printed.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.kubectl(args);
        assert!(out.status.success(), "kubectl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("kubectl {args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Runs kubectl, expects failure, and returns what it said on stderr.
    fn error(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(!out.status.success(), "kubectl {args:?} succeeded: {}", String::from_utf8_lossy(&out.stdout));
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// The list requests the stand-in logged for `path`.
    fn lists_of(&self, path: &str) -> Vec<kube_standin::LoggedRequest> {
        self.standin.requests().into_iter().filter(|r| r.path == path).collect()
    }
}

fn items(list: &Value) -> Vec<Value> {
    list["items"].as_array().cloned().unwrap_or_default()
}

#[test]
fn get_nodes_lists_exactly_the_recorded_nodes_field_for_field() {
    let Some(bed) = Bed::start("get_nodes_lists_exactly_the_recorded_nodes_field_for_field", StandInOptions::default())
    else {
        return;
    };
    let listed = items(&bed.json(&["get", "nodes", "-o", "json"]));
    assert_eq!(listed, recorded("nodes.json"));
}

#[test]
fn get_pods_across_namespaces_in_chunks_of_two_follows_every_continue() {
    let Some(bed) =
        Bed::start("get_pods_across_namespaces_in_chunks_of_two_follows_every_continue", StandInOptions::default())
    else {
        return;
    };
    let listed = items(&bed.json(&["get", "pods", "-A", "-o", "json", "--chunk-size=2"]));
    assert_eq!(listed, recorded("pods.json").into_iter().collect::<Vec<_>>().tap_sort());
    let pages = bed.lists_of("/api/v1/pods");
    // 8 pods in pages of 2: four requests, each after the first continuing.
    assert_eq!(pages.len(), 4, "{pages:?}");
    assert!(pages.iter().all(|r| r.query.contains("limit=2") && r.status == 200), "{pages:?}");
    assert!(pages.iter().skip(1).all(|r| r.query.contains("continue=")), "{pages:?}");
}

#[test]
fn a_page_size_smaller_than_kubectls_chunk_still_gives_every_pod() {
    let options = StandInOptions { page_size: Some(3), ..Default::default() };
    let Some(bed) = Bed::start("a_page_size_smaller_than_kubectls_chunk_still_gives_every_pod", options) else {
        return;
    };
    let listed = items(&bed.json(&["get", "pods", "-A", "-o", "json"]));
    assert_eq!(keys(&listed), keys(&recorded("pods.json")));
    // kubectl asks for 500 a page; the stand-in gives 3, 3 and 2.
    assert_eq!(bed.lists_of("/api/v1/pods").len(), 3);
}

#[test]
fn label_and_field_selectors_select_what_the_server_would() {
    let Some(bed) = Bed::start("label_and_field_selectors_select_what_the_server_would", StandInOptions::default())
    else {
        return;
    };
    let names = |args: &[&str]| keys(&items(&bed.json(args)));
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        names(&["get", "pods", "-n", "kube-system", "-l", "component=etcd", "-o", "json"]),
        set(&["kube-system/etcd-cp-1", "kube-system/etcd-cp-2", "kube-system/etcd-cp-3"])
    );
    assert_eq!(
        names(&["get", "pods", "-A", "-l", "k8s-app in (kube-dns),pod-template-hash!=x", "-o", "json"]),
        set(&["kube-system/coredns-7c65d6cfc9-ax0q", "kube-system/coredns-7c65d6cfc9-bx1q"])
    );
    assert_eq!(names(&["get", "pods", "-A", "-l", "!component,!k8s-app", "-o", "json"]).len(), 3);
    assert_eq!(
        names(&["get", "pods", "-A", "--field-selector", "spec.nodeName=worker-1", "-o", "json"]),
        set(&["vms/virt-launcher-db-1-7xkq2"])
    );
    assert_eq!(
        names(&["get", "pods", "-A", "--field-selector", "status.phase=Pending,metadata.namespace=vms", "-o", "json"]),
        set(&["vms/virt-launcher-web-2-p8d2w"])
    );
    // A field pods do not have is the server's 400, which kubectl prints.
    let err = bed.error(&["get", "nodes", "--field-selector", "spec.nodeName=cp-1"]);
    assert!(err.contains("field label not supported: spec.nodeName"), "{err}");
}

#[test]
fn get_vmi_resolves_the_short_name_through_discovery() {
    let Some(bed) = Bed::start("get_vmi_resolves_the_short_name_through_discovery", StandInOptions::default()) else {
        return;
    };
    let listed = items(&bed.json(&["get", "vmi", "-A", "-o", "json"]));
    assert_eq!(listed, recorded("vmis.json"));
    assert_eq!(bed.lists_of("/apis/kubevirt.io/v1/virtualmachineinstances").len(), 1);
}

#[test]
fn get_by_name_gives_the_object_and_a_missing_name_the_servers_not_found() {
    let Some(bed) =
        Bed::start("get_by_name_gives_the_object_and_a_missing_name_the_servers_not_found", StandInOptions::default())
    else {
        return;
    };
    let node = bed.json(&["get", "node", "cp-2", "-o", "json"]);
    assert_eq!(Some(&node), recorded("nodes.json").iter().find(|n| n["metadata"]["name"] == "cp-2"));
    let vmi = bed.json(&["get", "vmi", "-n", "vms", "db-1", "-o", "json"]);
    assert_eq!(vmi["status"]["nodeName"], "worker-1");
    let err = bed.error(&["get", "node", "cp-9"]);
    assert!(err.contains(r#"Error from server (NotFound): nodes "cp-9" not found"#), "{err}");
    let err = bed.error(&["get", "vmi", "-n", "vms", "db-9"]);
    assert!(
        err.contains(r#"Error from server (NotFound): virtualmachineinstances.kubevirt.io "db-9" not found"#),
        "{err}"
    );
}

#[test]
fn a_forbidden_resource_gives_the_authorizers_words() {
    let options =
        StandInOptions { forbidden: vec!["virtualmachineinstances.kubevirt.io".into()], ..Default::default() };
    let Some(bed) = Bed::start("a_forbidden_resource_gives_the_authorizers_words", options) else {
        return;
    };
    let err = bed.error(&["get", "vmi", "-A", "-o", "json"]);
    assert!(
        err.contains(
            r#"Error from server (Forbidden): virtualmachineinstances.kubevirt.io is forbidden: User "system:serviceaccount:kubev-ha:kubev-ha-audit" cannot list resource "virtualmachineinstances" in API group "kubevirt.io" at the cluster scope"#
        ),
        "{err}"
    );
    let err = bed.error(&["get", "vmi", "-n", "vms", "db-1"]);
    assert!(
        err.contains(
            r#"cannot get resource "virtualmachineinstances" in API group "kubevirt.io" in the namespace "vms""#
        ),
        "{err}"
    );
    // Only that resource: the nodes are still there.
    assert_eq!(items(&bed.json(&["get", "nodes", "-o", "json"])).len(), 5);
}

#[test]
fn an_unserved_kind_is_unknown_to_kubectl_until_its_group_is_served() {
    let Some(bed) =
        Bed::start("an_unserved_kind_is_unknown_to_kubectl_until_its_group_is_served", StandInOptions::default())
    else {
        return;
    };
    let err = bed.error(&["get", "subnets"]);
    assert!(err.contains(r#"the server doesn't have a resource type "subnets""#), "{err}");
    drop(bed);

    let options = StandInOptions { served_groups: vec!["kubeovn.io".into()], ..Default::default() };
    let Some(bed) = Bed::start("an_unserved_kind_is_unknown_to_kubectl_until_its_group_is_served", options) else {
        return;
    };
    let list = bed.json(&["get", "subnets", "-o", "json"]);
    assert_eq!(items(&list), Vec::<Value>::new());
}

#[test]
fn a_wrong_token_is_unauthorized_and_a_write_is_refused_and_logged() {
    let Some(bed) =
        Bed::start("a_wrong_token_is_unauthorized_and_a_write_is_refused_and_logged", StandInOptions::default())
    else {
        return;
    };
    let text = std::fs::read_to_string(bed.kubeconfig()).unwrap();
    let wrong = bed.dir.path().join("wrong-token");
    std::fs::write(&wrong, text.replace(bed.standin.token(), "not-the-token")).unwrap();
    let out = bed.kubectl_with(&wrong, &["get", "nodes", "-o", "json"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Unauthorized"), "{err}");
    assert!(!err.contains(bed.standin.token()), "the token leaked into kubectl's error: {err}");

    let err = bed.error(&["delete", "node", "cp-1"]);
    assert!(err.contains("the server does not allow this method on the requested resource"), "{err}");
    let deletes: Vec<_> = bed.standin.requests().into_iter().filter(|r| r.method == "DELETE").collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!((deletes[0].path.as_str(), deletes[0].status), ("/api/v1/nodes/cp-1", 405));
    // And the node is still there.
    assert_eq!(bed.json(&["get", "node", "cp-1", "-o", "json"])["metadata"]["name"], "cp-1");
}

/// Sorting in storage-key order (namespace, then name), as the server lists.
trait TapSort {
    fn tap_sort(self) -> Self;
}

impl TapSort for Vec<Value> {
    fn tap_sort(mut self) -> Self {
        self.sort_by_key(|o| {
            (
                o["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
                o["metadata"]["name"].as_str().unwrap_or("").to_string(),
            )
        });
        self
    }
}
