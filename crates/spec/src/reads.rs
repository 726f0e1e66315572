//! What `kubev-ha audit` reads from the Kubernetes API, as data: one
//! [`ApiRead`] per request family. The cluster reader issues exactly these
//! requests, `kubev-ha render rbac` grants exactly these verbs, and a test
//! holds the two to each other, so the ClusterRole can neither miss a
//! permission nor grant one more than the audit uses.
//!
//! Every verb is `list` or `get`: the audit never writes.

/// The verb of a read. Only these two exist: the audit never writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiVerb {
    /// A collection, in pages (`limit` and `continue`).
    List,
    /// One object by name.
    Get,
}

impl ApiVerb {
    /// The verb as RBAC spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVerb::List => "list",
            ApiVerb::Get => "get",
        }
    }
}

/// One family of requests the audit makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRead {
    /// The API group; empty for the core group.
    pub group: &'static str,
    /// The group's version the audit asks for.
    pub version: &'static str,
    /// The resource's plural name, as in the URL and in RBAC.
    pub resource: &'static str,
    /// The kind its objects have.
    pub kind: &'static str,
    /// Whether the resource lives in namespaces.
    pub namespaced: bool,
    /// `list` or `get`.
    pub verb: ApiVerb,
    /// The one namespace read, for a namespaced resource read only there
    /// (kube-system's etcd pods); `None` reads across all namespaces.
    pub namespace: Option<&'static str>,
    /// The object's name, for a `get`.
    pub name: Option<&'static str>,
    /// The label selector sent with a `list`. `Some("")` marks a list whose
    /// selector is made at run time (a PodDisruptionBudget's own).
    pub label_selector: Option<&'static str>,
    /// Whether `--namespace` narrows it (the VMs and what they use), or it
    /// is read whole whatever the filter (nodes, infrastructure).
    pub follows_namespace_filter: bool,
    /// The component that serves it, named when it is not installed.
    pub component: &'static str,
    /// Why the audit reads it, in one line (for `render rbac` and docs/audit.md).
    pub why: &'static str,
}

impl ApiRead {
    /// The resource as RBAC and error messages name it:
    /// `virtualmachineinstances.kubevirt.io`, or `nodes` for the core group.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() { self.resource.to_string() } else { format!("{}.{}", self.resource, self.group) }
    }

    /// `group/version`, or `v1` for the core group: the `apiVersion` of its objects.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.to_string() } else { format!("{}/{}", self.group, self.version) }
    }

    /// The URL path of the collection (or of the object, for a `get`),
    /// in `namespace` when the read names none of its own.
    pub fn path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        let ns = self.namespace.or(namespace).filter(|_| self.namespaced);
        let mut path = match ns {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.resource),
            None => format!("{base}/{}", self.resource),
        };
        if let Some(name) = self.name {
            path.push('/');
            path.push_str(name);
        }
        path
    }
}

const CORE: &str = "Kubernetes";
const KUBEVIRT: &str = "KubeVirt";

/// Every request family of `kubev-ha audit`, in the order it reads them.
pub const AUDIT_READS: &[ApiRead] = &[
    ApiRead {
        group: "",
        version: "v1",
        resource: "nodes",
        kind: "Node",
        namespaced: false,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: CORE,
        why: "roles, zones, capacity, taints, readiness, KubeVirt's schedulable and CPU labels",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "pods",
        kind: "Pod",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: Some("kube-system"),
        name: None,
        label_selector: Some("component=etcd"),
        follows_namespace_filter: false,
        component: CORE,
        why: "the static etcd pods: how many members, on which nodes and zones",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "configmaps",
        kind: "ConfigMap",
        namespaced: true,
        verb: ApiVerb::Get,
        namespace: Some("kube-system"),
        name: Some("kubeadm-config"),
        label_selector: None,
        follows_namespace_filter: false,
        component: "kubeadm",
        why: "ClusterConfiguration: controlPlaneEndpoint and whether etcd is external",
    },
    ApiRead {
        group: "kubevirt.io",
        version: "v1",
        resource: "kubevirts",
        kind: "KubeVirt",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: KUBEVIRT,
        why: "eviction strategy, migration settings, overcommit, workload updates, infra replicas",
    },
    ApiRead {
        group: "kubevirt.io",
        version: "v1",
        resource: "virtualmachines",
        kind: "VirtualMachine",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: true,
        component: KUBEVIRT,
        why: "run strategies: which VMs KubeVirt restarts after a node failure",
    },
    ApiRead {
        group: "kubevirt.io",
        version: "v1",
        resource: "virtualmachineinstances",
        kind: "VirtualMachineInstance",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: true,
        component: KUBEVIRT,
        why: "where each VM runs, what it requests, whether it is live-migratable and why not",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "persistentvolumeclaims",
        kind: "PersistentVolumeClaim",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: true,
        component: CORE,
        why: "the VMs' disks: access modes, volume modes, classes",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "persistentvolumes",
        kind: "PersistentVolume",
        namespaced: false,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: CORE,
        why: "volumes pinned to one node by their nodeAffinity",
    },
    ApiRead {
        group: "storage.k8s.io",
        version: "v1",
        resource: "storageclasses",
        kind: "StorageClass",
        namespaced: false,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: CORE,
        why: "provisioners, binding modes, the default and default-virt classes",
    },
    ApiRead {
        group: "cdi.kubevirt.io",
        version: "v1beta1",
        resource: "storageprofiles",
        kind: "StorageProfile",
        namespaced: false,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: "KubeVirt CDI",
        why: "the access and volume modes CDI knows each class offers",
    },
    ApiRead {
        group: "k8s.cni.cncf.io",
        version: "v1",
        resource: "network-attachment-definitions",
        kind: "NetworkAttachmentDefinition",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: "Multus",
        why: "the migration network KubeVirt names, and its MTU",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "pods",
        kind: "Pod",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: Some("kubevirt.io=virt-handler"),
        follows_namespace_filter: false,
        component: KUBEVIRT,
        why: "virt-handler on every VM node: ready, and attached to the migration network",
    },
    ApiRead {
        group: "apps",
        version: "v1",
        resource: "daemonsets",
        kind: "DaemonSet",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: Some("kubevirt.io=virt-handler"),
        follows_namespace_filter: false,
        component: KUBEVIRT,
        why: "the virt-handler DaemonSet's rollout",
    },
    ApiRead {
        group: "kubeovn.io",
        version: "v1",
        resource: "subnets",
        kind: "Subnet",
        namespaced: false,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: "Kube-OVN",
        why: "the overlay's MTU, against the migration network's",
    },
    ApiRead {
        group: "apps",
        version: "v1",
        resource: "daemonsets",
        kind: "DaemonSet",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: Some("k8s-app=node-local-dns"),
        follows_namespace_filter: false,
        component: "NodeLocal DNSCache",
        why: "NodeLocal DNSCache and the address it binds",
    },
    ApiRead {
        group: "remediation.medik8s.io",
        version: "v1alpha1",
        resource: "nodehealthchecks",
        kind: "NodeHealthCheck",
        namespaced: false,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: "medik8s Node Healthcheck operator",
        why: "fencing: which nodes are watched and how they are remediated",
    },
    ApiRead {
        group: "self-node-remediation.medik8s.io",
        version: "v1alpha1",
        resource: "selfnoderemediationtemplates",
        kind: "SelfNodeRemediationTemplate",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: "medik8s Self Node Remediation",
        why: "the remediation templates a NodeHealthCheck names",
    },
    ApiRead {
        group: "fence-agents-remediation.medik8s.io",
        version: "v1alpha1",
        resource: "fenceagentsremediationtemplates",
        kind: "FenceAgentsRemediationTemplate",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: false,
        component: "medik8s Fence Agents Remediation",
        why: "the remediation templates a NodeHealthCheck names",
    },
    ApiRead {
        group: "policy",
        version: "v1",
        resource: "poddisruptionbudgets",
        kind: "PodDisruptionBudget",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: None,
        follows_namespace_filter: true,
        component: CORE,
        why: "budgets that allow no disruption and would stop a drain",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "pods",
        kind: "Pod",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: Some(""),
        follows_namespace_filter: true,
        component: CORE,
        why: "the pods a blocking PodDisruptionBudget covers, by its own selector: on which nodes",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "pods",
        kind: "Pod",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: None,
        name: None,
        label_selector: Some("kubevirt.io in (virt-api,virt-controller)"),
        follows_namespace_filter: false,
        component: KUBEVIRT,
        why: "virt-api and virt-controller: how many, on which nodes and zones",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "pods",
        kind: "Pod",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: Some("kube-system"),
        name: None,
        label_selector: Some("k8s-app=kube-dns"),
        follows_namespace_filter: false,
        component: "CoreDNS",
        why: "CoreDNS: how many, on which nodes and zones",
    },
    ApiRead {
        group: "",
        version: "v1",
        resource: "pods",
        kind: "Pod",
        namespaced: true,
        verb: ApiVerb::List,
        namespace: Some("kube-system"),
        name: None,
        label_selector: Some("app=ovn-central"),
        follows_namespace_filter: false,
        component: "Kube-OVN",
        why: "the OVN central databases: how many, on which nodes and zones",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_is_list_or_get_and_a_get_names_its_object() {
        for read in AUDIT_READS {
            assert_eq!(read.verb == ApiVerb::Get, read.name.is_some(), "{}", read.qualified());
            assert!(!read.why.is_empty(), "{}", read.qualified());
        }
    }

    #[test]
    fn paths_are_the_api_servers() {
        let vmi = AUDIT_READS.iter().find(|r| r.resource == "virtualmachineinstances").unwrap();
        assert_eq!(vmi.path(None), "/apis/kubevirt.io/v1/virtualmachineinstances");
        assert_eq!(vmi.path(Some("prod")), "/apis/kubevirt.io/v1/namespaces/prod/virtualmachineinstances");
        let cm = AUDIT_READS.iter().find(|r| r.resource == "configmaps").unwrap();
        assert_eq!(cm.path(Some("prod")), "/api/v1/namespaces/kube-system/configmaps/kubeadm-config");
        let nodes = &AUDIT_READS[0];
        assert_eq!(nodes.path(Some("prod")), "/api/v1/nodes");
        assert_eq!(nodes.qualified(), "nodes");
        assert_eq!(vmi.qualified(), "virtualmachineinstances.kubevirt.io");
    }
}
