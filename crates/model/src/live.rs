//! [`LiveCluster`]: what `kubev-ha audit` read from a running cluster's
//! Kubernetes API (or from a dump of it), kept to the fields the rules
//! judge.
//!
//! These are slim facts, not Kubernetes objects: 100,000 VMIs must not mean
//! 100,000 full objects in memory, so the reader keeps only what a rule,
//! the planner or a report needs and drops the rest page by page. Every
//! resource is a [`Read`]: what was read, or why it could not be
//! ([`Unreadable`]: forbidden, not installed, failed), so a rule that needs
//! it says unknown with the missing permission or component named instead
//! of passing on an empty list.
//!
//! Nothing here talks to the API: `kubev-ha-cluster` fills these types.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::inventory::{AccessMode, EvictionStrategy, RunStrategy, VolumeMode};

/// One resource as read: the facts, or why they could not be read.
pub type Read<T> = Result<T, Unreadable>;

/// A resource the audit could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unreadable {
    /// The resource as RBAC names it: `virtualmachineinstances.kubevirt.io`,
    /// `nodes`, `configmaps/kubeadm-config`.
    pub resource: String,
    /// Why it could not be read.
    pub why: WhyUnreadable,
}

/// Why a resource could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum WhyUnreadable {
    /// 403: the audit's identity may not `verb` it (the permission to add
    /// is named; `kubev-ha render rbac` grants it).
    Forbidden {
        /// The verb refused: `list` or `get`.
        verb: String,
        /// The API server's message.
        message: String,
    },
    /// 404, or absent from discovery: the API group or kind is not served,
    /// so the component is not installed (no KubeVirt, no NodeHealthCheck
    /// CRD).
    NotInstalled {
        /// The component that serves it, in words: "KubeVirt", "medik8s
        /// NodeHealthCheck operator".
        component: String,
    },
    /// Anything else: a timeout, a 5xx, a body that is not the kind asked for.
    Failed {
        /// What went wrong, in one line.
        reason: String,
    },
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.why {
            WhyUnreadable::Forbidden { verb, .. } => write!(f, "{} not readable: {verb} forbidden", self.resource),
            WhyUnreadable::NotInstalled { component } => {
                write!(f, "{} not served: {component} not installed", self.resource)
            }
            WhyUnreadable::Failed { reason } => write!(f, "{} not read: {reason}", self.resource),
        }
    }
}

/// Everything the audit read from one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveCluster {
    /// Where the facts came from, as a report names it: `context prod-ams
    /// (https://10.0.0.10:6443)`, `in-cluster`, or the dump's path. Never a
    /// credential.
    pub source: String,
    /// The API server's `gitVersion` from `/version`, when read.
    pub server_version: Option<String>,
    /// The namespace filter (`--namespace`): VMs, VMIs, PVCs and PDBs were
    /// read from it alone; cluster-wide facts are read whole.
    pub namespace: Option<String>,
    /// Every node.
    pub nodes: Read<Vec<LiveNode>>,
    /// The static etcd pods (`component=etcd` in kube-system), where they run.
    pub etcd_pods: Read<Vec<PodPlacement>>,
    /// kubeadm's ClusterConfiguration from `kube-system/kubeadm-config`;
    /// `Ok(None)` when the ConfigMap does not exist (not a kubeadm cluster).
    pub kubeadm: Read<Option<KubeadmConfig>>,
    /// The KubeVirt CR; `Ok(None)` when the CRD is served but no CR exists.
    pub kubevirt: Read<Option<KubeVirtConfig>>,
    /// VirtualMachines.
    pub vms: Read<Vec<LiveVm>>,
    /// VirtualMachineInstances.
    pub vmis: Read<Vec<LiveVmi>>,
    /// PersistentVolumeClaims.
    pub pvcs: Read<Vec<LivePvc>>,
    /// PersistentVolumes.
    pub pvs: Read<Vec<LivePv>>,
    /// StorageClasses.
    pub storage_classes: Read<Vec<LiveStorageClass>>,
    /// CDI's StorageProfiles, one per StorageClass.
    pub storage_profiles: Read<Vec<LiveStorageProfile>>,
    /// Multus NetworkAttachmentDefinitions.
    pub network_attachments: Read<Vec<LiveNetworkAttachment>>,
    /// The virt-handler pods (`kubevirt.io=virt-handler`).
    pub virt_handlers: Read<Vec<VirtHandlerPod>>,
    /// The virt-handler DaemonSet's rollout, when found.
    pub virt_handler_daemonset: Read<Option<DaemonSetStatus>>,
    /// Kube-OVN Subnets.
    pub subnets: Read<Vec<LiveSubnet>>,
    /// The NodeLocal DNSCache DaemonSet (`k8s-app=node-local-dns`);
    /// `Ok(None)` when there is none.
    pub node_local_dns: Read<Option<NodeLocalDns>>,
    /// medik8s NodeHealthChecks.
    pub node_health_checks: Read<Vec<LiveNodeHealthCheck>>,
    /// Self Node Remediation templates, by `namespace/name`.
    pub self_node_remediation_templates: Read<Vec<String>>,
    /// Fence Agents Remediation templates, by `namespace/name`.
    pub fence_agents_remediation_templates: Read<Vec<String>>,
    /// PodDisruptionBudgets, with the pods those that allow no disruption cover.
    pub pdbs: Read<Vec<LivePdb>>,
    /// The HA infrastructure's pods: virt-api, virt-controller, CoreDNS,
    /// OVN central, by component.
    pub infra: Vec<InfraComponent>,
}

/// One node, with the labels and resources the rules judge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveNode {
    /// `metadata.name`.
    pub name: String,
    /// Every label: roles, zone, KubeVirt's schedulable, CPU model and
    /// feature labels, and whatever a NodeHealthCheck selects on.
    pub labels: BTreeMap<String, String>,
    /// `status.capacity`.
    pub capacity: NodeResources,
    /// `status.allocatable`.
    pub allocatable: NodeResources,
    /// `spec.taints`.
    pub taints: Vec<Taint>,
    /// `spec.unschedulable`: cordoned.
    pub unschedulable: bool,
    /// The Ready condition: `Some(true)` True, `Some(false)` False,
    /// `None` Unknown or absent.
    pub ready: Option<bool>,
    /// `status.nodeInfo.kernelVersion`.
    pub kernel: Option<String>,
    /// `status.nodeInfo.kubeletVersion`.
    pub kubelet: Option<String>,
    /// `status.addresses` of type InternalIP.
    pub internal_ip: Option<IpAddr>,
}

/// The label keys the audit reads off nodes.
pub mod node_labels {
    /// The zone a node is in.
    pub const ZONE: &str = "topology.kubernetes.io/zone";
    /// The region a node is in.
    pub const REGION: &str = "topology.kubernetes.io/region";
    /// Prefix of the role labels (`node-role.kubernetes.io/control-plane`).
    pub const ROLE_PREFIX: &str = "node-role.kubernetes.io/";
    /// KubeVirt's label on nodes where virt-handler runs and VMs may be scheduled.
    pub const KUBEVIRT_SCHEDULABLE: &str = "kubevirt.io/schedulable";
}

impl LiveNode {
    /// The roles from `node-role.kubernetes.io/<role>` labels.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.labels.keys().filter_map(|k| k.strip_prefix(node_labels::ROLE_PREFIX))
    }

    /// Whether a role label names it a control plane (`control-plane`, or
    /// the older `master`).
    pub fn is_control_plane(&self) -> bool {
        self.roles().any(|r| r == "control-plane" || r == "master")
    }

    /// `topology.kubernetes.io/zone`.
    pub fn zone(&self) -> Option<&str> {
        self.labels.get(node_labels::ZONE).map(String::as_str)
    }

    /// Whether it carries a taint with this key.
    pub fn has_taint(&self, key: &str) -> bool {
        self.taints.iter().any(|t| t.key == key)
    }
}

/// Resources of a node, as `status.capacity` or `status.allocatable` lists
/// them; `None` where the node does not report the resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeResources {
    /// `cpu`, in millicores.
    pub cpu_millis: Option<u64>,
    /// `memory`, in bytes.
    pub memory: Option<u64>,
    /// `pods`.
    pub pods: Option<u64>,
    /// `devices.kubevirt.io/kvm`: how many VMs can use /dev/kvm at once.
    pub kvm_devices: Option<u64>,
    /// `hugepages-2Mi`, in bytes.
    pub hugepages_2mi: Option<u64>,
    /// `hugepages-1Gi`, in bytes.
    pub hugepages_1gi: Option<u64>,
}

/// A node taint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    /// `key`.
    pub key: String,
    /// `value`, when set.
    pub value: Option<String>,
    /// `effect`: NoSchedule, PreferNoSchedule or NoExecute.
    pub effect: String,
}

/// Where one pod runs and whether it is ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodPlacement {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.nodeName`; `None` while unscheduled.
    pub node: Option<String>,
    /// The Ready condition is True.
    pub ready: bool,
}

/// kubeadm's ClusterConfiguration, the two fields the audit judges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeadmConfig {
    /// `controlPlaneEndpoint`: the load-balanced API address, when set.
    pub control_plane_endpoint: Option<String>,
    /// `etcd.external` is set: etcd runs outside the cluster, so no etcd
    /// pods tell where its members are.
    pub external_etcd: bool,
}

/// The KubeVirt CR: the cluster-wide settings the rules judge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeVirtConfig {
    /// `metadata.namespace`: where an unqualified `migrations.network` resolves.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `status.observedKubeVirtVersion` (or `operatorVersion`), e.g. `v1.5.0`.
    pub version: Option<String>,
    /// `status.phase`: Deployed when healthy.
    pub phase: Option<String>,
    /// `spec.configuration.evictionStrategy`.
    pub eviction_strategy: Option<EvictionStrategy>,
    /// `spec.configuration.migrations`.
    pub migrations: LiveMigrations,
    /// `spec.configuration.developerConfiguration.useEmulation`.
    pub use_emulation: Option<bool>,
    /// `spec.configuration.developerConfiguration.cpuAllocationRatio`.
    pub cpu_allocation_ratio: Option<u32>,
    /// `spec.configuration.developerConfiguration.memoryOvercommit`, in percent.
    pub memory_overcommit_percent: Option<u32>,
    /// `spec.workloadUpdateStrategy.workloadUpdateMethods` (LiveMigrate,
    /// Evict); empty when unset.
    pub workload_update_methods: Vec<String>,
    /// `spec.infra.replicas`: virt-api and virt-controller replicas, when set.
    pub infra_replicas: Option<u32>,
}

/// `spec.configuration.migrations` of the KubeVirt CR; `None` where unset
/// (KubeVirt's defaults then apply: `kubev_ha_plan` cites them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveMigrations {
    /// `network`: the NetworkAttachmentDefinition migrations use.
    pub network: Option<String>,
    /// `bandwidthPerMigration`, in bytes per second.
    pub bandwidth_per_migration: Option<u64>,
    /// `completionTimeoutPerGiB`, in seconds.
    pub completion_timeout_per_gib: Option<u64>,
    /// `progressTimeout`, in seconds.
    pub progress_timeout: Option<u64>,
    /// `parallelMigrationsPerCluster`.
    pub parallel_migrations_per_cluster: Option<u32>,
    /// `parallelOutboundMigrationsPerNode`.
    pub parallel_outbound_migrations_per_node: Option<u32>,
    /// `allowPostCopy`.
    pub allow_post_copy: Option<bool>,
    /// `allowAutoConverge`.
    pub allow_auto_converge: Option<bool>,
}

/// A VirtualMachine: whether KubeVirt restarts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveVm {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.runStrategy`, or `spec.running` (true: Always, false: Halted).
    pub run_strategy: Option<RunStrategy>,
    /// `status.printableStatus` (Running, Stopped, ...).
    pub status: Option<String>,
}

/// A VirtualMachineInstance: where it runs, what it needs, whether it can move.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveVmi {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// The owning VirtualMachine's name (`ownerReferences` of kind
    /// VirtualMachine); `None` for a standalone VMI, which nothing restarts.
    pub owner_vm: Option<String>,
    /// `status.nodeName`.
    pub node: Option<String>,
    /// `status.phase` (Running, Scheduling, ...).
    pub phase: Option<String>,
    /// `spec.evictionStrategy`, the VMI's own; the effective strategy falls
    /// back to the KubeVirt CR's, then None.
    pub eviction_strategy: Option<EvictionStrategy>,
    /// `status.conditions[type=LiveMigratable]`; `None` when absent.
    pub live_migratable: Option<Condition>,
    /// CPU requested, in millicores (`spec.domain.resources.requests.cpu`,
    /// else the vCPUs).
    pub cpu_millis: Option<u64>,
    /// vCPUs: sockets × cores × threads of `spec.domain.cpu` (1 by default).
    pub vcpus: u32,
    /// Memory requested, in bytes (`spec.domain.resources.requests.memory`,
    /// else `spec.domain.memory.guest`).
    pub memory: Option<u64>,
    /// The PVCs it mounts (`volumes[].persistentVolumeClaim.claimName` or
    /// `dataVolume.name`, which names its PVC).
    pub claims: Vec<String>,
    /// Its interfaces and how each is bound.
    pub interfaces: Vec<LiveInterface>,
    /// `spec.domain.devices.hostDevices` and `gpus`, by name.
    pub host_devices: Vec<String>,
    /// `spec.domain.cpu.dedicatedCpuPlacement`.
    pub dedicated_cpus: bool,
    /// `spec.domain.cpu.model` (`host-model` when unset, KubeVirt's default).
    pub cpu_model: Option<String>,
    /// `spec.domain.cpu.features` with policy `require` (or no policy).
    pub required_cpu_features: Vec<String>,
    /// `spec.nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// `spec.affinity.nodeAffinity` is set (required terms).
    pub node_affinity: bool,
    /// `spec.dnsPolicy`.
    pub dns_policy: Option<String>,
    /// `spec.dnsConfig.nameservers`.
    pub dns_nameservers: Vec<String>,
}

impl LiveVmi {
    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// A status condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `status` is True.
    pub status: bool,
    /// `reason`, e.g. DisksNotLiveMigratable.
    pub reason: Option<String>,
    /// `message`.
    pub message: Option<String>,
}

/// One VMI interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveInterface {
    /// `name`.
    pub name: String,
    /// The binding: `masquerade`, `bridge`, `sriov`, `passt`, or a
    /// `binding.name` plugin.
    pub binding: String,
    /// Whether the network it joins is the pod network (else Multus).
    pub pod_network: bool,
}

/// A PersistentVolumeClaim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LivePvc {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.storageClassName`.
    pub storage_class: Option<String>,
    /// `spec.accessModes` (`status.accessModes` once bound).
    pub access_modes: Vec<AccessMode>,
    /// `spec.volumeMode` (Filesystem when unset, as Kubernetes defaults it).
    pub volume_mode: Option<VolumeMode>,
    /// `spec.volumeName`: the bound PV.
    pub volume: Option<String>,
    /// `status.capacity.storage` (else the request), in bytes.
    pub size: Option<u64>,
}

/// A PersistentVolume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LivePv {
    /// `metadata.name`.
    pub name: String,
    /// `spec.storageClassName`.
    pub storage_class: Option<String>,
    /// The one node a required `spec.nodeAffinity` pins it to (local
    /// volumes, TopoLVM); `None` when it may be used from several.
    pub pinned_to: Option<String>,
}

/// A StorageClass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveStorageClass {
    /// `metadata.name`.
    pub name: String,
    /// `provisioner`.
    pub provisioner: String,
    /// `volumeBindingMode` (Immediate when unset).
    pub binding_mode: Option<String>,
    /// `storageclass.kubernetes.io/is-default-class` is "true".
    pub default: bool,
    /// `storageclass.kubevirt.io/is-default-virt-class` is "true".
    pub default_virt: bool,
}

/// A CDI StorageProfile: what CDI knows its class can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveStorageProfile {
    /// `metadata.name`, which is its StorageClass's.
    pub name: String,
    /// `status.provisioner`.
    pub provisioner: Option<String>,
    /// `status.claimPropertySets`; empty when CDI does not know the
    /// provisioner.
    pub claim_property_sets: Vec<ClaimPropertySet>,
}

/// One entry of a StorageProfile's `claimPropertySets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimPropertySet {
    /// `accessModes`.
    pub access_modes: Vec<AccessMode>,
    /// `volumeMode`.
    pub volume_mode: Option<VolumeMode>,
}

/// A Multus NetworkAttachmentDefinition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveNetworkAttachment {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// The CNI config's `type` (macvlan, bridge, ...), when it parses.
    pub cni_type: Option<String>,
    /// The CNI config's `mtu`, when set.
    pub mtu: Option<u32>,
}

/// A virt-handler pod: ready, and on the migration network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtHandlerPod {
    /// Where it runs and whether it is ready.
    pub pod: PodPlacement,
    /// The `k8s.v1.cni.cncf.io/network-status` annotation lists an
    /// interface `migration0`.
    pub has_migration0: bool,
    /// That interface's MTU, when the annotation states it.
    pub migration0_mtu: Option<u32>,
}

/// A DaemonSet's rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetStatus {
    /// `status.desiredNumberScheduled`.
    pub desired: u32,
    /// `status.numberReady`.
    pub ready: u32,
}

/// A Kube-OVN Subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveSubnet {
    /// `metadata.name`.
    pub name: String,
    /// `spec.cidrBlock`.
    pub cidr: Option<String>,
    /// `spec.mtu`, when set (else Kube-OVN's default for the tunnel).
    pub mtu: Option<u32>,
    /// `spec.default`: the pod network's subnet.
    pub default: bool,
}

/// The NodeLocal DNSCache DaemonSet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeLocalDns {
    /// `metadata.namespace/name`.
    pub name: String,
    /// The address it binds (`-localip` in its container args).
    pub address: Option<IpAddr>,
    /// Its rollout.
    pub status: DaemonSetStatus,
}

/// A label selector, as Kubernetes writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// `matchLabels`.
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`.
    pub match_expressions: Vec<LabelExpression>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelExpression {
    /// `key`.
    pub key: String,
    /// `operator`: In, NotIn, Exists, DoesNotExist.
    pub operator: String,
    /// `values`.
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether `labels` satisfy the selector, as the API server matches it
    /// (an empty selector matches everything; an unknown operator matches
    /// nothing).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|e| {
                let value = labels.get(&e.key);
                match e.operator.as_str() {
                    "In" => value.is_some_and(|v| e.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !e.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// A medik8s NodeHealthCheck.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveNodeHealthCheck {
    /// `metadata.name` (cluster-scoped).
    pub name: String,
    /// `spec.selector`: the nodes it watches.
    pub selector: LabelSelector,
    /// `spec.remediationTemplate.kind` (SelfNodeRemediationTemplate, ...),
    /// or the first `escalatingRemediations` entry's.
    pub template_kind: Option<String>,
    /// `namespace/name` of that template.
    pub template: Option<String>,
    /// `spec.minHealthy` (a count or a percentage), when set.
    pub min_healthy: Option<String>,
    /// `spec.maxUnhealthy`, when set.
    pub max_unhealthy: Option<String>,
    /// `status.phase` (Enabled, Disabled, Paused, Remediating).
    pub phase: Option<String>,
    /// `status.observedNodes`.
    pub observed_nodes: Option<u32>,
    /// `status.healthyNodes`.
    pub healthy_nodes: Option<u32>,
}

/// A PodDisruptionBudget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LivePdb {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `status.disruptionsAllowed`.
    pub disruptions_allowed: i64,
    /// `spec.selector`.
    pub selector: LabelSelector,
    /// KubeVirt made it for a VMI's migration (owned by a
    /// VirtualMachineInstance): it stops the eviction on purpose, so that
    /// virt-controller migrates the VM instead.
    pub kubevirt_owned: bool,
    /// The pods it covers, where they run: read (by its selector) only for
    /// budgets that allow no disruption and that KubeVirt did not make.
    pub pods: Vec<PodPlacement>,
}

/// One piece of the HA infrastructure and where its pods run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InfraComponent {
    /// Its name in reports: `virt-api`, `virt-controller`, `CoreDNS`, `OVN central`.
    pub name: String,
    /// Its pods.
    pub pods: Read<Vec<PodPlacement>>,
}

impl LiveCluster {
    /// An empty cluster read from `source`: every resource read and empty.
    /// Readers fill it; tests build cases from it.
    pub fn empty(source: impl Into<String>) -> Self {
        LiveCluster {
            source: source.into(),
            server_version: None,
            namespace: None,
            nodes: Ok(vec![]),
            etcd_pods: Ok(vec![]),
            kubeadm: Ok(None),
            kubevirt: Ok(None),
            vms: Ok(vec![]),
            vmis: Ok(vec![]),
            pvcs: Ok(vec![]),
            pvs: Ok(vec![]),
            storage_classes: Ok(vec![]),
            storage_profiles: Ok(vec![]),
            network_attachments: Ok(vec![]),
            virt_handlers: Ok(vec![]),
            virt_handler_daemonset: Ok(None),
            subnets: Ok(vec![]),
            node_local_dns: Ok(None),
            node_health_checks: Ok(vec![]),
            self_node_remediation_templates: Ok(vec![]),
            fence_agents_remediation_templates: Ok(vec![]),
            pdbs: Ok(vec![]),
            infra: vec![],
        }
    }

    /// Every resource that could not be read.
    pub fn unreadable(&self) -> Vec<&Unreadable> {
        let mut out: Vec<&Unreadable> = [
            self.nodes.as_ref().err(),
            self.etcd_pods.as_ref().err(),
            self.kubeadm.as_ref().err(),
            self.kubevirt.as_ref().err(),
            self.vms.as_ref().err(),
            self.vmis.as_ref().err(),
            self.pvcs.as_ref().err(),
            self.pvs.as_ref().err(),
            self.storage_classes.as_ref().err(),
            self.storage_profiles.as_ref().err(),
            self.network_attachments.as_ref().err(),
            self.virt_handlers.as_ref().err(),
            self.virt_handler_daemonset.as_ref().err(),
            self.subnets.as_ref().err(),
            self.node_local_dns.as_ref().err(),
            self.node_health_checks.as_ref().err(),
            self.self_node_remediation_templates.as_ref().err(),
            self.fence_agents_remediation_templates.as_ref().err(),
            self.pdbs.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.extend(self.infra.iter().filter_map(|c| c.pods.as_ref().err()));
        out
    }

    /// The effective eviction strategy of `vmi`: its own, else the KubeVirt
    /// CR's, else KubeVirt's default (None). `None` when the CR could not
    /// be read and the VMI states none: then it is unknown.
    pub fn effective_eviction(&self, vmi: &LiveVmi) -> Option<EvictionStrategy> {
        vmi.eviction_strategy.or_else(|| match &self.kubevirt {
            Ok(Some(kv)) => Some(kv.eviction_strategy.unwrap_or(EvictionStrategy::None)),
            Ok(None) => Some(EvictionStrategy::None),
            Err(_) => None,
        })
    }
}
