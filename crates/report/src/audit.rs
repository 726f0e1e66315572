//! The evidence of `kubev-ha audit`: where the facts came from (the
//! context and server, never a credential), the server's version, the
//! namespace filter, how many objects of each resource were read, and
//! every resource that could not be read with why. The findings follow.

use std::fmt::Write;

use kubev_ha_model::{LiveCluster, Read, Unreadable};
use serde::Serialize;

/// What `kubev-ha audit` read, beside its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvidence {
    /// The cluster as the reader names it: `context prod (https://10.0.0.10:6443)`,
    /// `in-cluster`, or a dump's path. Never a token.
    pub source: String,
    /// The API server's `gitVersion`, when `/version` answered.
    pub server_version: Option<String>,
    /// `--namespace`: VMs, VMIs, PVCs and PDBs were read from it alone.
    pub namespace: Option<String>,
    /// One entry per resource the facts hold, in the order of the facts.
    pub read: Vec<ResourceRead>,
    /// Every resource that could not be read, and why: its rules are unknown.
    pub unreadable: Vec<Unreadable>,
}

/// How many objects of one resource were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRead {
    /// The resource as the report names it (`nodes`, `etcd pods`,
    /// `virtualmachineinstances.kubevirt.io`).
    pub resource: String,
    /// Objects read; `None` when the resource could not be read (it is
    /// then among `unreadable`), never a zero standing in for unknown.
    pub objects: Option<usize>,
}

impl AuditEvidence {
    /// The evidence of what `live` holds.
    pub fn of(live: &LiveCluster) -> Self {
        fn many<T>(read: &Read<Vec<T>>) -> Option<usize> {
            read.as_ref().ok().map(Vec::len)
        }
        fn one<T>(read: &Read<Option<T>>) -> Option<usize> {
            read.as_ref().ok().map(|o| usize::from(o.is_some()))
        }
        let mut read: Vec<(String, Option<usize>)> = vec![
            ("nodes".into(), many(&live.nodes)),
            ("etcd pods".into(), many(&live.etcd_pods)),
            ("configmaps/kubeadm-config".into(), one(&live.kubeadm)),
            ("kubevirts.kubevirt.io".into(), one(&live.kubevirt)),
            ("virtualmachines.kubevirt.io".into(), many(&live.vms)),
            ("virtualmachineinstances.kubevirt.io".into(), many(&live.vmis)),
            ("persistentvolumeclaims".into(), many(&live.pvcs)),
            ("persistentvolumes".into(), many(&live.pvs)),
            ("storageclasses.storage.k8s.io".into(), many(&live.storage_classes)),
            ("storageprofiles.cdi.kubevirt.io".into(), many(&live.storage_profiles)),
            ("network-attachment-definitions.k8s.cni.cncf.io".into(), many(&live.network_attachments)),
            ("virt-handler pods".into(), many(&live.virt_handlers)),
            ("virt-handler daemonset".into(), one(&live.virt_handler_daemonset)),
            ("subnets.kubeovn.io".into(), many(&live.subnets)),
            ("node-local-dns daemonset".into(), one(&live.node_local_dns)),
            ("nodehealthchecks.remediation.medik8s.io".into(), many(&live.node_health_checks)),
            (
                "selfnoderemediationtemplates.self-node-remediation.medik8s.io".into(),
                many(&live.self_node_remediation_templates),
            ),
            (
                "fenceagentsremediationtemplates.fence-agents-remediation.medik8s.io".into(),
                many(&live.fence_agents_remediation_templates),
            ),
            ("poddisruptionbudgets.policy".into(), many(&live.pdbs)),
        ];
        read.extend(live.infra.iter().map(|c| (format!("{} pods", c.name), many(&c.pods))));
        AuditEvidence {
            source: live.source.clone(),
            server_version: live.server_version.clone(),
            namespace: live.namespace.clone(),
            read: read.into_iter().map(|(resource, objects)| ResourceRead { resource, objects }).collect(),
            unreadable: live.unreadable().into_iter().cloned().collect(),
        }
    }
}

/// The text before the findings: the cluster, what was read, what was not.
pub(crate) fn evidence_text(evidence: &AuditEvidence, verbose: bool) -> String {
    let mut out = String::new();
    let version = evidence.server_version.as_deref().unwrap_or("version unknown");
    let _ = writeln!(out, "cluster: {} · Kubernetes {version}", evidence.source);
    match &evidence.namespace {
        Some(ns) => {
            let _ = writeln!(out, "namespace: {ns} (VMs, VMIs, PVCs and PDBs; nodes and infrastructure read whole)");
        }
        None => out.push_str("namespace: every namespace\n"),
    }
    let width = evidence.read.iter().map(|r| r.resource.chars().count()).max().unwrap_or(0);
    out.push_str("read:\n");
    for r in &evidence.read {
        let objects = match r.objects {
            Some(n) => n.to_string(),
            None => "not read".to_string(),
        };
        let _ = writeln!(out, "  {:<width$}  {objects}", r.resource);
    }
    if !evidence.unreadable.is_empty() {
        out.push_str("not read (the rules that need these are unknown, never a pass):\n");
        for u in &evidence.unreadable {
            let _ = writeln!(out, "  {u}");
            if verbose && let kubev_ha_model::WhyUnreadable::Forbidden { message, .. } = &u.why {
                let _ = writeln!(out, "    {message}");
            }
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use kubev_ha_model::WhyUnreadable;

    use super::*;

    #[test]
    fn an_unreadable_resource_counts_as_not_read_and_is_listed_with_why() {
        let mut live = LiveCluster::empty("context lab (https://192.0.2.10:6443)");
        live.server_version = Some("v1.31.4".into());
        live.vmis = Err(Unreadable {
            resource: "virtualmachineinstances.kubevirt.io".into(),
            why: WhyUnreadable::Forbidden { verb: "list".into(), message: "forbidden by RBAC".into() },
        });
        let evidence = AuditEvidence::of(&live);
        let vmis = evidence.read.iter().find(|r| r.resource.starts_with("virtualmachineinstances")).unwrap();
        assert_eq!(vmis.objects, None);
        assert_eq!(evidence.read[0], ResourceRead { resource: "nodes".into(), objects: Some(0) });
        assert_eq!(evidence.unreadable.len(), 1);
        let text = evidence_text(&evidence, false);
        assert!(text.starts_with("cluster: context lab (https://192.0.2.10:6443) · Kubernetes v1.31.4\n"), "{text}");
        assert!(text.contains("virtualmachineinstances.kubevirt.io not readable: list forbidden"), "{text}");
        assert!(!text.contains("forbidden by RBAC"), "{text}");
        assert!(evidence_text(&evidence, true).contains("forbidden by RBAC"));
    }
}
