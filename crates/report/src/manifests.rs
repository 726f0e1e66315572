//! The Kubernetes manifests of `kubev-ha render rbac` and `render
//! audit-cronjob`: the identity `kubev-ha audit` runs as, allowed exactly
//! the reads of [`kubev_ha_spec::AUDIT_READS`] and nothing more, and a
//! CronJob that runs the audit as it.
//!
//! The RBAC is made from the reads, never written by hand: one rule per
//! (API group, resource), its verbs the union of the reads' (only `get`
//! and `list` exist), and `resourceNames` when every read of the resource
//! is a `get` of a named object. The API discovery and `/version` the
//! reader also asks for need no rule: Kubernetes' default ClusterRoles
//! `system:discovery` and `system:public-info-viewer` grant them to every
//! authenticated user (kubernetes/kubernetes,
//! plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go).

use std::collections::BTreeSet;
use std::fmt::Write;

use kubev_ha_spec::{AUDIT_READS, ApiRead, ApiVerb};

/// The names `render rbac` gives its objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RbacOptions {
    /// The ServiceAccount's, ClusterRole's and ClusterRoleBinding's name.
    pub name: String,
    /// The ServiceAccount's namespace.
    pub namespace: String,
}

impl Default for RbacOptions {
    fn default() -> Self {
        RbacOptions { name: "kubev-ha-audit".into(), namespace: "kubev-ha".into() }
    }
}

/// What `render audit-cronjob` runs, where and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronJobOptions {
    /// The CronJob's and the ServiceAccount's name (as `render rbac --name`).
    pub name: String,
    /// Its namespace (as `render rbac --namespace`).
    pub namespace: String,
    /// When it runs, in cron format.
    pub schedule: String,
    /// The image holding `kubev-ha` on its PATH.
    pub image: String,
    /// The audit's own `--timeout`, in seconds; the Job's deadline is a
    /// minute more, so the audit reports its own timeout before the Job
    /// is killed.
    pub audit_timeout_seconds: u64,
}

/// One rule of the ClusterRole.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RbacRule {
    group: &'static str,
    resource: &'static str,
    verbs: BTreeSet<ApiVerb>,
    /// Set when every read of the resource is a `get` by name.
    names: Option<BTreeSet<&'static str>>,
    /// The reads' reasons, in order, without repeats.
    why: Vec<&'static str>,
}

/// The rules the reads need, in the order each (group, resource) is first read.
fn rbac_rules(reads: &[ApiRead]) -> Vec<RbacRule> {
    let mut rules: Vec<RbacRule> = Vec::new();
    for read in reads {
        let i = match rules.iter().position(|r| r.group == read.group && r.resource == read.resource) {
            Some(i) => i,
            None => {
                rules.push(RbacRule {
                    group: read.group,
                    resource: read.resource,
                    verbs: BTreeSet::new(),
                    names: Some(BTreeSet::new()),
                    why: vec![],
                });
                rules.len() - 1
            }
        };
        let rule = &mut rules[i];
        rule.verbs.insert(read.verb);
        // A list, or a get without a name, needs the whole resource.
        rule.names = match (rule.names.take(), read.verb, read.name) {
            (Some(mut names), ApiVerb::Get, Some(name)) => {
                names.insert(name);
                Some(names)
            }
            _ => None,
        };
        if !rule.why.contains(&read.why) {
            rule.why.push(read.why);
        }
    }
    rules
}

/// A YAML double-quoted scalar: a JSON string is one.
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

fn flow(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// The ServiceAccount, ClusterRole and ClusterRoleBinding of the audit, as
/// YAML for `kubectl apply -f -`.
pub fn rbac(options: &RbacOptions) -> String {
    let (name, ns) = (quoted(&options.name), quoted(&options.namespace));
    let mut out = String::new();
    out.push_str(
        "# The identity `kubev-ha audit` runs as: it may get and list what the audit reads, and nothing more.\n\
         # Rendered by `kubev-ha render rbac` from the reads the audit makes (docs/audit.md, \"What is read\").\n\
         # API discovery and /version need no rule here: Kubernetes' default ClusterRoles system:discovery and\n\
         # system:public-info-viewer allow them to every authenticated user.\n",
    );
    let _ = writeln!(out, "# The namespace must exist: kubectl create namespace {}", options.namespace);
    let _ = write!(
        out,
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n\
         ---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {name}\nrules:\n"
    );
    for rule in rbac_rules(AUDIT_READS) {
        for why in &rule.why {
            let _ = writeln!(out, "  # {why}");
        }
        let _ = writeln!(out, "  - apiGroups: {}", flow([quoted(rule.group)]));
        let _ = writeln!(out, "    resources: {}", flow([quoted(rule.resource)]));
        if let Some(names) = &rule.names {
            let _ = writeln!(out, "    resourceNames: {}", flow(names.iter().map(|n| quoted(n))));
        }
        let _ = writeln!(out, "    verbs: {}", flow(rule.verbs.iter().map(|v| quoted(v.as_str()))));
    }
    let _ = write!(
        out,
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {name}\n\
         roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {name}\n\
         subjects:\n  - kind: ServiceAccount\n    name: {name}\n    namespace: {ns}\n"
    );
    out
}

/// A batch/v1 CronJob that runs `kubev-ha audit --format json` as the
/// ServiceAccount of [`rbac`], as YAML.
///
/// Field names and defaults are batch/v1's (k8s-openapi 0.27.1,
/// src/v1_35/api/batch/v1/cron_job_spec.rs and job_spec.rs):
/// `concurrencyPolicy` defaults to Allow, so Forbid is stated, that a slow
/// audit is never run twice at once; `backoffLimit` defaults to 6, so 0 is
/// stated: an audit that finds a failure exits 1, and running it again
/// would find the same.
pub fn audit_cronjob(options: &CronJobOptions) -> String {
    let (name, ns) = (quoted(&options.name), quoted(&options.namespace));
    let timeout = format!("{}s", options.audit_timeout_seconds);
    let deadline = options.audit_timeout_seconds + 60;
    let args = flow(["audit", "--format", "json", "--timeout", &timeout].map(quoted));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Runs `kubev-ha audit --format json` as the ServiceAccount `{}` of `kubev-ha render rbac --name {} --namespace {}`;\n\
         # apply that first. The report is the pod's log; the Job fails when the audit exits 1 (a requirement failed)\n\
         # or 2 (it could not read the cluster). The image must hold the kubev-ha binary on its PATH.",
        options.name, options.name, options.namespace
    );
    let _ = write!(
        out,
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n\
         \x20 schedule: {schedule}\n\
         \x20 # A slow audit is never run twice at once.\n\
         \x20 concurrencyPolicy: Forbid\n\
         \x20 successfulJobsHistoryLimit: 3\n\
         \x20 failedJobsHistoryLimit: 3\n\
         \x20 jobTemplate:\n\
         \x20   spec:\n\
         \x20     # The same cluster gives the same findings: a failed audit is not retried.\n\
         \x20     backoffLimit: 0\n\
         \x20     # A minute beyond the audit's own --timeout, which reports first.\n\
         \x20     activeDeadlineSeconds: {deadline}\n\
         \x20     template:\n\
         \x20       spec:\n\
         \x20         serviceAccountName: {name}\n\
         \x20         restartPolicy: Never\n\
         \x20         securityContext:\n\
         \x20           runAsNonRoot: true\n\
         \x20           runAsUser: 65532\n\
         \x20           runAsGroup: 65532\n\
         \x20           seccompProfile:\n\
         \x20             type: RuntimeDefault\n\
         \x20         containers:\n\
         \x20           - name: audit\n\
         \x20             image: {image}\n\
         \x20             command: [\"kubev-ha\"]\n\
         \x20             args: {args}\n\
         \x20             env:\n\
         \x20               - name: NO_COLOR\n\
         \x20                 value: \"1\"\n\
         \x20             securityContext:\n\
         \x20               allowPrivilegeEscalation: false\n\
         \x20               readOnlyRootFilesystem: true\n\
         \x20               capabilities:\n\
         \x20                 drop: [\"ALL\"]\n\
         \x20             resources:\n\
         \x20               requests:\n\
         \x20                 cpu: 100m\n\
         \x20                 memory: 128Mi\n\
         \x20               limits:\n\
         \x20                 memory: 1Gi\n",
        schedule = quoted(&options.schedule),
        image = quoted(&options.image),
    );
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Object {
        kind: String,
        #[serde(default)]
        rules: Vec<Rule>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Rule {
        api_groups: Vec<String>,
        resources: Vec<String>,
        verbs: Vec<String>,
        #[serde(default)]
        resource_names: Vec<String>,
    }

    fn documents(yaml: &str) -> Vec<Object> {
        yaml.split("\n---\n").map(|doc| serde_saphyr::from_str(doc).expect("each document parses")).collect()
    }

    #[test]
    fn the_cluster_role_grants_exactly_the_reads_of_the_audit() {
        let docs = documents(&rbac(&RbacOptions::default()));
        let kinds: Vec<&str> = docs.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, ["ServiceAccount", "ClusterRole", "ClusterRoleBinding"]);
        let mut granted = BTreeSet::new();
        for rule in &docs[1].rules {
            for group in &rule.api_groups {
                for resource in &rule.resources {
                    for verb in &rule.verbs {
                        assert!(granted.insert((group.clone(), resource.clone(), verb.clone())), "twice: {resource}");
                    }
                }
            }
        }
        let read: BTreeSet<(String, String, String)> = AUDIT_READS
            .iter()
            .map(|r| (r.group.to_string(), r.resource.to_string(), r.verb.as_str().to_string()))
            .collect();
        assert_eq!(granted, read);
        assert!(granted.iter().all(|(_, _, verb)| verb == "get" || verb == "list"));
    }

    #[test]
    fn a_resource_only_got_by_name_is_granted_for_that_name_alone() {
        let docs = documents(&rbac(&RbacOptions::default()));
        let configmaps = docs[1].rules.iter().find(|r| r.resources == ["configmaps"]).expect("configmaps");
        assert_eq!(configmaps.resource_names, ["kubeadm-config"]);
        assert_eq!(configmaps.verbs, ["get"]);
        // Listed resources are granted whole.
        assert!(
            docs[1].rules.iter().filter(|r| r.verbs.contains(&"list".to_string())).all(|r| r.resource_names.is_empty())
        );
    }

    #[test]
    fn a_list_and_a_get_by_name_of_one_resource_grant_the_list_whole() {
        let mut reads: Vec<ApiRead> = AUDIT_READS.iter().filter(|r| r.resource == "configmaps").copied().collect();
        let mut list = reads[0];
        list.verb = ApiVerb::List;
        list.name = None;
        reads.push(list);
        let rules = rbac_rules(&reads);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].names, None);
        assert_eq!(rules[0].verbs, BTreeSet::from([ApiVerb::List, ApiVerb::Get]));
    }

    #[test]
    fn names_are_quoted_so_no_value_can_add_yaml() {
        let options = RbacOptions { name: "a\nkind: Secret".into(), namespace: "ns".into() };
        let docs = documents(&rbac(&options));
        assert_eq!(docs[0].kind, "ServiceAccount");
    }

    #[test]
    fn the_cronjob_runs_the_audit_as_the_service_account_read_only() {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct CronJob {
            api_version: String,
            kind: String,
            spec: serde_json::Value,
        }
        let options = CronJobOptions {
            name: "kubev-ha-audit".into(),
            namespace: "kubev-ha".into(),
            schedule: "0 */6 * * *".into(),
            image: "registry.example/kubev-ha:0.1".into(),
            audit_timeout_seconds: 300,
        };
        let job: CronJob = serde_saphyr::from_str(&audit_cronjob(&options)).expect("parses");
        assert_eq!((job.api_version.as_str(), job.kind.as_str()), ("batch/v1", "CronJob"));
        assert_eq!(job.spec["schedule"], "0 */6 * * *");
        assert_eq!(job.spec["concurrencyPolicy"], "Forbid");
        let job_spec = &job.spec["jobTemplate"]["spec"];
        assert_eq!(job_spec["activeDeadlineSeconds"], 360);
        assert_eq!(job_spec["backoffLimit"], 0);
        let pod = &job_spec["template"]["spec"];
        assert_eq!(pod["serviceAccountName"], "kubev-ha-audit");
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        let container = &pod["containers"][0];
        assert_eq!(container["image"], "registry.example/kubev-ha:0.1");
        assert_eq!(container["args"], serde_json::json!(["audit", "--format", "json", "--timeout", "300s"]));
        assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
        assert_eq!(container["securityContext"]["capabilities"]["drop"], serde_json::json!(["ALL"]));
    }
}
