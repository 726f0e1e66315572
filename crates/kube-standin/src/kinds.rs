//! The stand-in's table of kinds: what discovery advertises and what the
//! URL paths name. It holds every kind of `kubev_ha_spec::AUDIT_READS`
//! plus the few kubectl users reach for (Namespace, Deployment, ConfigMap,
//! Pod, Service), with the plural, singular, scope and short names their
//! servers publish.
//!
//! Sources: the built-in kinds from kubernetes/kubernetes
//! `pkg/registry/*/rest` (`ShortNames()`, v1.31) and `kubectl api-resources`;
//! KubeVirt's from virt-operator's CRD generator (`components/crds.go`,
//! `ShortNames: []string{"vmi", "vmis"}` and the like); Multus's
//! NetworkAttachmentDefinition CRD (`net-attach-def`, as
//! k8snetworkplumbingwg's deployment manifests declare it). The medik8s and
//! Kube-OVN CRDs are listed with no short names: kubectl then needs their
//! plural, which is all the audit uses.

/// One resource the stand-in knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// The API group; empty for the core group.
    pub group: &'static str,
    /// The one version served.
    pub version: &'static str,
    /// The plural, as in URLs and RBAC.
    pub plural: &'static str,
    /// The singular, as discovery's `singularName`.
    pub singular: &'static str,
    /// The kind of its objects.
    pub kind: &'static str,
    /// Whether its objects live in namespaces.
    pub namespaced: bool,
    /// kubectl's abbreviations.
    pub short_names: &'static [&'static str],
}

/// The groups compiled into every API server, among those of [`KINDS`].
const BUILT_IN_GROUPS: &[&str] = &["", "apps", "policy", "storage.k8s.io"];

impl KindInfo {
    /// Whether its group is compiled into every API server (always served)
    /// rather than installed as a CRD (served only if recorded or named).
    pub fn built_in(&self) -> bool {
        BUILT_IN_GROUPS.contains(&self.group)
    }

    /// `group/version`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.to_string() } else { format!("{}/{}", self.group, self.version) }
    }

    /// `plural.group`, or the plural alone for the core group, as the API
    /// server names a resource in its messages (`schema.GroupResource.String()`).
    pub fn qualified(&self) -> String {
        if self.group.is_empty() { self.plural.to_string() } else { format!("{}.{}", self.plural, self.group) }
    }

    /// The verbs discovery advertises. A real server lists every verb the
    /// resource's REST storage implements; the stand-in advertises the same,
    /// though it answers only `get` and `list` (405 for the rest), so that
    /// clients see the discovery document a cluster gives.
    pub fn verbs(&self) -> &'static [&'static str] {
        &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }
}

const fn kind(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
) -> KindInfo {
    KindInfo { group, version, plural, singular, kind, namespaced, short_names }
}

/// Every kind the stand-in serves.
pub static KINDS: &[KindInfo] = &[
    kind("", "v1", "namespaces", "namespace", "Namespace", false, &["ns"]),
    kind("", "v1", "nodes", "node", "Node", false, &["no"]),
    kind("", "v1", "pods", "pod", "Pod", true, &["po"]),
    kind("", "v1", "configmaps", "configmap", "ConfigMap", true, &["cm"]),
    kind("", "v1", "services", "service", "Service", true, &["svc"]),
    kind("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, &["pvc"]),
    kind("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, &["pv"]),
    kind("apps", "v1", "deployments", "deployment", "Deployment", true, &["deploy"]),
    kind("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, &["ds"]),
    kind("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, &["pdb"]),
    kind("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, &["sc"]),
    kind("kubevirt.io", "v1", "kubevirts", "kubevirt", "KubeVirt", true, &["kv", "kvs"]),
    kind("kubevirt.io", "v1", "virtualmachines", "virtualmachine", "VirtualMachine", true, &["vm", "vms"]),
    kind(
        "kubevirt.io",
        "v1",
        "virtualmachineinstances",
        "virtualmachineinstance",
        "VirtualMachineInstance",
        true,
        &["vmi", "vmis"],
    ),
    kind("cdi.kubevirt.io", "v1beta1", "storageprofiles", "storageprofile", "StorageProfile", false, &[]),
    kind(
        "k8s.cni.cncf.io",
        "v1",
        "network-attachment-definitions",
        "network-attachment-definition",
        "NetworkAttachmentDefinition",
        true,
        &["net-attach-def"],
    ),
    kind("kubeovn.io", "v1", "subnets", "subnet", "Subnet", false, &[]),
    kind("remediation.medik8s.io", "v1alpha1", "nodehealthchecks", "nodehealthcheck", "NodeHealthCheck", false, &[]),
    kind(
        "self-node-remediation.medik8s.io",
        "v1alpha1",
        "selfnoderemediationtemplates",
        "selfnoderemediationtemplate",
        "SelfNodeRemediationTemplate",
        true,
        &[],
    ),
    kind(
        "fence-agents-remediation.medik8s.io",
        "v1alpha1",
        "fenceagentsremediationtemplates",
        "fenceagentsremediationtemplate",
        "FenceAgentsRemediationTemplate",
        true,
        &[],
    ),
];

/// The kind of objects with this `apiVersion` and `kind`.
pub(crate) fn by_kind(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind && k.api_version() == api_version)
}

/// The resource at `group`/`version`/`plural`.
pub(crate) fn by_resource(group: &str, version: &str, plural: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.group == group && k.version == version && k.plural == plural)
}
