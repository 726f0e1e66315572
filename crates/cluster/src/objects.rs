//! The slim object types: each page (or dumped item) is deserialized
//! straight into these, which name only the fields the audit keeps (serde
//! skips the rest without building it), and converted to the facts of
//! `kubev_ha_model::live`. A value that does not convert (a bad quantity, an
//! unknown run strategy) is an error naming the object.
//!
//! Field names are upstream's:
//! - core and storage objects: k8s.io/api v0.33 `core/v1/types.go`,
//!   `storage/v1/types.go`, `policy/v1/types.go`, `apps/v1/types.go`;
//! - KubeVirt: kubevirt/kubevirt main d923fdb (2026-08)
//!   `staging/src/kubevirt.io/api/core/v1/types.go` and `schema.go`
//!   (`runStrategy`, `running`, `evictionStrategy`,
//!   `LiveMigratable` condition, `interfaces[].masquerade|bridge|sriov|passt|binding`,
//!   `cpu.model|features|dedicatedCpuPlacement`, `MigrationConfiguration`);
//! - CDI v1.61 `staging/src/kubevirt.io/containerized-data-importer-api/pkg/apis/core/v1beta1/types.go`
//!   (`status.claimPropertySets`);
//! - Multus: the `k8s.v1.cni.cncf.io/network-status` annotation, a JSON list
//!   of `{name, interface, mtu, ...}` (network-attachment-definition-client
//!   `pkg/apis/k8s.cni.cncf.io/v1/types.go`, `NetworkStatus`);
//! - Kube-OVN v1.14 `pkg/apis/kubeovn/v1/subnet.go` (`cidrBlock`, `mtu`, `default`);
//! - medik8s node-healthcheck-operator `api/v1alpha1/nodehealthcheck_types.go`
//!   (`remediationTemplate`, `escalatingRemediations`, `minHealthy`,
//!   `maxUnhealthy`, `status.phase|observedNodes|healthyNodes`);
//! - NodeLocal DNSCache: kubernetes/dns `cmd/node-cache` flag `-localip`
//!   (a comma-separated list of addresses to bind).

use std::collections::BTreeMap;
use std::net::IpAddr;

use kubev_ha_model::{
    AccessMode, ClaimPropertySet, Condition, DaemonSetStatus, EvictionStrategy, KubeVirtConfig, KubeadmConfig,
    LabelExpression, LabelSelector, LiveInterface, LiveMigrations, LiveNetworkAttachment, LiveNode,
    LiveNodeHealthCheck, LivePdb, LivePv, LivePvc, LiveStorageClass, LiveStorageProfile, LiveSubnet, LiveVm, LiveVmi,
    NodeLocalDns, NodeResources, PodPlacement, RunStrategy, Taint, VirtHandlerPod, VolumeMode,
};
use serde::Deserialize;

use crate::quantity;

/// A quantity as the API writes it (a string), or as a hand-written dump
/// may (a number).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Quantity {
    Text(String),
    Number(serde_json::Number),
}

impl Quantity {
    fn text(&self) -> String {
        match self {
            Quantity::Text(s) => s.clone(),
            Quantity::Number(n) => n.to_string(),
        }
    }
}

fn units(what: &str, q: &Quantity) -> Result<u64, String> {
    quantity::units(&q.text()).map_err(|e| format!("{what}: {e}"))
}

fn millis(what: &str, q: &Quantity) -> Result<u64, String> {
    quantity::millis(&q.text()).map_err(|e| format!("{what}: {e}"))
}

/// An int-or-string (`minHealthy: 51%` or `2`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum IntOrString {
    Int(i64),
    Text(String),
}

impl IntOrString {
    fn text(&self) -> String {
        match self {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::Text(s) => s.clone(),
        }
    }
}

/// The annotations the audit reads; serde skips every other.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Annotations {
    #[serde(rename = "k8s.v1.cni.cncf.io/network-status")]
    network_status: Option<String>,
    #[serde(rename = "storageclass.kubernetes.io/is-default-class")]
    default_class: Option<String>,
    #[serde(rename = "storageclass.kubevirt.io/is-default-virt-class")]
    default_virt_class: Option<String>,
}

/// `ownerReferences[]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct OwnerRef {
    api_version: String,
    controller: bool,
    kind: String,
    name: String,
}

/// `metadata`, slim.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Meta {
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) labels: BTreeMap<String, String>,
    annotations: Annotations,
    owner_references: Vec<OwnerRef>,
}

impl Meta {
    /// `namespace/name`, or the name of a cluster-scoped object.
    pub(crate) fn key(&self) -> String {
        if self.namespace.is_empty() { self.name.clone() } else { format!("{}/{}", self.namespace, self.name) }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct StatusCondition {
    #[serde(rename = "type")]
    kind: String,
    status: String,
    reason: Option<String>,
    message: Option<String>,
}

fn condition<'a>(conditions: &'a [StatusCondition], kind: &str) -> Option<&'a StatusCondition> {
    conditions.iter().find(|c| c.kind == kind)
}

// ---------------------------------------------------------------- nodes

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Node {
    metadata: Meta,
    spec: NodeSpec,
    status: NodeStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeSpec {
    taints: Vec<NodeTaint>,
    unschedulable: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeTaint {
    key: String,
    value: Option<String>,
    effect: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeStatus {
    capacity: BTreeMap<String, Quantity>,
    allocatable: BTreeMap<String, Quantity>,
    conditions: Vec<StatusCondition>,
    node_info: NodeInfo,
    addresses: Vec<NodeAddress>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeInfo {
    kernel_version: Option<String>,
    kubelet_version: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeAddress {
    #[serde(rename = "type")]
    kind: String,
    address: String,
}

fn resources(node: &str, field: &str, map: &BTreeMap<String, Quantity>) -> Result<NodeResources, String> {
    let get = |key: &str, cpu: bool| -> Result<Option<u64>, String> {
        map.get(key)
            .map(|q| {
                let what = format!("node {node}: status.{field}.{key}");
                if cpu { millis(&what, q) } else { units(&what, q) }
            })
            .transpose()
    };
    Ok(NodeResources {
        cpu_millis: get("cpu", true)?,
        memory: get("memory", false)?,
        pods: get("pods", false)?,
        // KubeVirt's device plugin resource for /dev/kvm (kubevirt/kubevirt
        // main d923fdb, pkg/virtctl/guestfs/guestfs.go KvmDevice and the
        // kubevirt_nodes_with_kvm recording rule: "devices.kubevirt.io/kvm").
        kvm_devices: get("devices.kubevirt.io/kvm", false)?,
        hugepages_2mi: get("hugepages-2Mi", false)?,
        hugepages_1gi: get("hugepages-1Gi", false)?,
    })
}

impl Node {
    pub(crate) fn convert(self) -> Result<LiveNode, String> {
        let name = self.metadata.name;
        let internal_ip = match self.status.addresses.iter().find(|a| a.kind == "InternalIP") {
            Some(a) => Some(
                a.address
                    .parse::<IpAddr>()
                    .map_err(|_| format!("node {name}: InternalIP {:?} is not an IP address", a.address))?,
            ),
            None => None,
        };
        Ok(LiveNode {
            capacity: resources(&name, "capacity", &self.status.capacity)?,
            allocatable: resources(&name, "allocatable", &self.status.allocatable)?,
            labels: self.metadata.labels,
            taints: self
                .spec
                .taints
                .into_iter()
                .map(|t| Taint { key: t.key, value: t.value.filter(|v| !v.is_empty()), effect: t.effect })
                .collect(),
            unschedulable: self.spec.unschedulable,
            ready: condition(&self.status.conditions, "Ready").and_then(|c| match c.status.as_str() {
                "True" => Some(true),
                "False" => Some(false),
                _ => None,
            }),
            kernel: self.status.node_info.kernel_version.filter(|v| !v.is_empty()),
            kubelet: self.status.node_info.kubelet_version.filter(|v| !v.is_empty()),
            internal_ip,
            name,
        })
    }
}

// ---------------------------------------------------------------- pods

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Pod {
    pub(crate) metadata: Meta,
    spec: PodSpec,
    status: PodStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PodSpec {
    node_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PodStatus {
    conditions: Vec<StatusCondition>,
}

/// One entry of the `k8s.v1.cni.cncf.io/network-status` annotation.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NetworkStatus {
    interface: Option<String>,
    mtu: Option<u32>,
}

/// The interface KubeVirt gives virt-handler on the migration network
/// (kubevirt/kubevirt main d923fdb, staging/src/kubevirt.io/api/core/v1/types.go:
/// `MigrationInterfaceName = "migration0"`; virt-operator matches it against
/// the network-status `interface`, pkg/virt-operator/resource/apply/core.go).
const MIGRATION_INTERFACE: &str = "migration0";

impl Pod {
    pub(crate) fn placement(&self) -> PodPlacement {
        PodPlacement {
            namespace: self.metadata.namespace.clone(),
            name: self.metadata.name.clone(),
            node: self.spec.node_name.clone().filter(|n| !n.is_empty()),
            ready: condition(&self.status.conditions, "Ready").is_some_and(|c| c.status == "True"),
        }
    }

    pub(crate) fn virt_handler(self) -> Result<VirtHandlerPod, String> {
        let statuses: Vec<NetworkStatus> = match &self.metadata.annotations.network_status {
            Some(text) => serde_json::from_str(text).map_err(|e| {
                format!("pod {}: annotation k8s.v1.cni.cncf.io/network-status is not JSON: {e}", self.metadata.key())
            })?,
            None => vec![],
        };
        let migration = statuses.iter().find(|s| s.interface.as_deref() == Some(MIGRATION_INTERFACE));
        Ok(VirtHandlerPod {
            pod: self.placement(),
            has_migration0: migration.is_some(),
            migration0_mtu: migration.and_then(|s| s.mtu),
        })
    }
}

/// A pod with its labels, kept to match PodDisruptionBudget selectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabeledPod {
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) pod: PodPlacement,
}

impl Pod {
    pub(crate) fn labeled(self) -> LabeledPod {
        let pod = self.placement();
        LabeledPod { labels: self.metadata.labels, pod }
    }
}

// ---------------------------------------------------------------- kubeadm

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ConfigMap {
    metadata: Meta,
    data: BTreeMap<String, String>,
}

/// kubeadm's ClusterConfiguration (kubernetes/kubernetes v1.33
/// cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go: `controlPlaneEndpoint`,
/// `etcd.external`), kept in the ConfigMap under `ClusterConfiguration`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ClusterConfiguration {
    control_plane_endpoint: Option<String>,
    etcd: EtcdConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EtcdConfig {
    external: Option<serde::de::IgnoredAny>,
}

impl ConfigMap {
    pub(crate) fn kubeadm(self) -> Result<KubeadmConfig, String> {
        let key = self.metadata.key();
        let text =
            self.data.get("ClusterConfiguration").ok_or_else(|| format!("{key} has no data.ClusterConfiguration"))?;
        let cc: ClusterConfiguration = serde_saphyr::from_str(text)
            .map_err(|e| format!("{key}: data.ClusterConfiguration is not kubeadm's YAML: {e}"))?;
        Ok(KubeadmConfig {
            control_plane_endpoint: cc.control_plane_endpoint.filter(|e| !e.is_empty()),
            external_etcd: cc.etcd.external.is_some(),
        })
    }
}

// ---------------------------------------------------------------- KubeVirt

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct KubeVirt {
    metadata: Meta,
    spec: KubeVirtSpec,
    status: KubeVirtStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct KubeVirtSpec {
    configuration: KubeVirtConfiguration,
    workload_update_strategy: WorkloadUpdateStrategy,
    infra: ComponentConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct KubeVirtConfiguration {
    eviction_strategy: Option<String>,
    migrations: Migrations,
    developer_configuration: DeveloperConfiguration,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Migrations {
    network: Option<String>,
    bandwidth_per_migration: Option<Quantity>,
    #[serde(rename = "completionTimeoutPerGiB")]
    completion_timeout_per_gib: Option<u64>,
    progress_timeout: Option<u64>,
    parallel_migrations_per_cluster: Option<u32>,
    parallel_outbound_migrations_per_node: Option<u32>,
    allow_post_copy: Option<bool>,
    allow_auto_converge: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DeveloperConfiguration {
    use_emulation: Option<bool>,
    cpu_allocation_ratio: Option<u32>,
    memory_overcommit: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WorkloadUpdateStrategy {
    workload_update_methods: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ComponentConfig {
    replicas: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct KubeVirtStatus {
    observed_kube_virt_version: Option<String>,
    operator_version: Option<String>,
    phase: Option<String>,
}

fn eviction(what: &str, s: Option<String>) -> Result<Option<EvictionStrategy>, String> {
    s.filter(|s| !s.is_empty())
        .map(|s| match s.as_str() {
            "LiveMigrate" => Ok(EvictionStrategy::LiveMigrate),
            "LiveMigrateIfPossible" => Ok(EvictionStrategy::LiveMigrateIfPossible),
            "None" => Ok(EvictionStrategy::None),
            "External" => Ok(EvictionStrategy::External),
            other => Err(format!("{what}: evictionStrategy {other:?} is not one KubeVirt knows")),
        })
        .transpose()
}

impl KubeVirt {
    pub(crate) fn convert(self) -> Result<KubeVirtConfig, String> {
        let what = format!("KubeVirt {}", self.metadata.key());
        let c = self.spec.configuration;
        let m = c.migrations;
        Ok(KubeVirtConfig {
            eviction_strategy: eviction(&what, c.eviction_strategy)?,
            migrations: LiveMigrations {
                network: m.network.filter(|n| !n.is_empty()),
                bandwidth_per_migration: m
                    .bandwidth_per_migration
                    .as_ref()
                    .map(|q| units(&format!("{what}: migrations.bandwidthPerMigration"), q))
                    .transpose()?,
                completion_timeout_per_gib: m.completion_timeout_per_gib,
                progress_timeout: m.progress_timeout,
                parallel_migrations_per_cluster: m.parallel_migrations_per_cluster,
                parallel_outbound_migrations_per_node: m.parallel_outbound_migrations_per_node,
                allow_post_copy: m.allow_post_copy,
                allow_auto_converge: m.allow_auto_converge,
            },
            use_emulation: c.developer_configuration.use_emulation,
            cpu_allocation_ratio: c.developer_configuration.cpu_allocation_ratio,
            memory_overcommit_percent: c.developer_configuration.memory_overcommit,
            workload_update_methods: self.spec.workload_update_strategy.workload_update_methods,
            infra_replicas: self.spec.infra.replicas,
            version: self.status.observed_kube_virt_version.or(self.status.operator_version).filter(|v| !v.is_empty()),
            phase: self.status.phase.filter(|p| !p.is_empty()),
            namespace: self.metadata.namespace,
            name: self.metadata.name,
        })
    }
}

// ---------------------------------------------------------------- VMs

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Vm {
    metadata: Meta,
    spec: VmSpec,
    status: VmStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VmSpec {
    run_strategy: Option<String>,
    running: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VmStatus {
    printable_status: Option<String>,
}

impl Vm {
    pub(crate) fn convert(self) -> Result<LiveVm, String> {
        let run_strategy = match self.spec.run_strategy.as_deref().filter(|s| !s.is_empty()) {
            Some("Always") => Some(RunStrategy::Always),
            Some("RerunOnFailure") => Some(RunStrategy::RerunOnFailure),
            Some("Manual") => Some(RunStrategy::Manual),
            Some("Halted") => Some(RunStrategy::Halted),
            Some("Once") => Some(RunStrategy::Once),
            Some(other) => {
                return Err(format!(
                    "VirtualMachine {}: runStrategy {other:?} is not one KubeVirt knows",
                    self.metadata.key()
                ));
            }
            // The deprecated `running`: true is Always, false Halted; neither
            // set is Halted too, as KubeVirt reads it (kubevirt/kubevirt main
            // d923fdb staging/src/kubevirt.io/api/core/v1/types.go,
            // VirtualMachine.RunStrategy).
            None => Some(match self.spec.running {
                Some(true) => RunStrategy::Always,
                _ => RunStrategy::Halted,
            }),
        };
        Ok(LiveVm {
            namespace: self.metadata.namespace,
            name: self.metadata.name,
            run_strategy,
            status: self.status.printable_status.filter(|s| !s.is_empty()),
        })
    }
}

// ---------------------------------------------------------------- VMIs

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Vmi {
    metadata: Meta,
    spec: VmiSpec,
    status: VmiStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VmiSpec {
    domain: Domain,
    eviction_strategy: Option<String>,
    networks: Vec<Network>,
    volumes: Vec<Volume>,
    node_selector: BTreeMap<String, String>,
    affinity: Affinity,
    dns_policy: Option<String>,
    dns_config: DnsConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Domain {
    cpu: Option<Cpu>,
    memory: DomainMemory,
    resources: Resources,
    devices: Devices,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Cpu {
    cores: Option<u32>,
    sockets: Option<u32>,
    threads: Option<u32>,
    model: Option<String>,
    features: Vec<CpuFeature>,
    dedicated_cpu_placement: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CpuFeature {
    name: String,
    policy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DomainMemory {
    guest: Option<Quantity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Resources {
    requests: BTreeMap<String, Quantity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Devices {
    interfaces: Vec<Interface>,
    host_devices: Vec<NamedDevice>,
    gpus: Vec<NamedDevice>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NamedDevice {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Interface {
    name: String,
    masquerade: Option<serde::de::IgnoredAny>,
    bridge: Option<serde::de::IgnoredAny>,
    sriov: Option<serde::de::IgnoredAny>,
    passt: Option<serde::de::IgnoredAny>,
    slirp: Option<serde::de::IgnoredAny>,
    macvtap: Option<serde::de::IgnoredAny>,
    binding: Option<PluginBinding>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PluginBinding {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Network {
    name: String,
    pod: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Volume {
    persistent_volume_claim: Option<ClaimRef>,
    data_volume: Option<NamedDevice>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ClaimRef {
    claim_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Affinity {
    node_affinity: Option<NodeAffinity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeAffinity {
    required_during_scheduling_ignored_during_execution: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DnsConfig {
    nameservers: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VmiStatus {
    node_name: Option<String>,
    phase: Option<String>,
    conditions: Vec<StatusCondition>,
}

impl Interface {
    /// The binding, as KubeVirt names the interface's method (its one set
    /// field), or the network binding plugin's name.
    fn binding(&self) -> String {
        let methods = [
            ("masquerade", self.masquerade.is_some()),
            ("bridge", self.bridge.is_some()),
            ("sriov", self.sriov.is_some()),
            ("passt", self.passt.is_some()),
            ("slirp", self.slirp.is_some()),
            ("macvtap", self.macvtap.is_some()),
        ];
        if let Some(b) = &self.binding {
            return b.name.clone();
        }
        methods.iter().find(|(_, set)| *set).map(|(m, _)| (*m).to_string()).unwrap_or_else(|| {
            // No method: KubeVirt gives the pod network's interface the
            // cluster's default binding, bridge unless configured
            // (kubevirt/kubevirt main d923fdb pkg/network/vmispec/defaults.go
            // SetDefaultNetworkInterface; pkg/virt-config/virt-config.go
            // DefaultNetworkInterface = "bridge").
            "bridge".to_string()
        })
    }
}

impl Vmi {
    pub(crate) fn convert(self) -> Result<LiveVmi, String> {
        let key = self.metadata.key();
        let spec = self.spec;
        let cpu = spec.domain.cpu.unwrap_or_default();
        let vcpus = cpu.sockets.unwrap_or(1).max(1) * cpu.cores.unwrap_or(1).max(1) * cpu.threads.unwrap_or(1).max(1);
        let requests = &spec.domain.resources.requests;
        let cpu_millis = match requests.get("cpu") {
            Some(q) => Some(millis(&format!("VirtualMachineInstance {key}: resources.requests.cpu"), q)?),
            None => Some(u64::from(vcpus) * 1000),
        };
        let memory = match requests.get("memory").or(spec.domain.memory.guest.as_ref()) {
            Some(q) => Some(units(&format!("VirtualMachineInstance {key}: memory"), q)?),
            None => None,
        };
        let pod_networks: Vec<&str> =
            spec.networks.iter().filter(|n| n.pod.is_some()).map(|n| n.name.as_str()).collect();
        let interfaces = spec
            .domain
            .devices
            .interfaces
            .iter()
            .map(|i| LiveInterface {
                binding: i.binding(),
                pod_network: pod_networks.contains(&i.name.as_str()),
                name: i.name.clone(),
            })
            .collect();
        let claims = spec
            .volumes
            .into_iter()
            .filter_map(|v| v.persistent_volume_claim.map(|c| c.claim_name).or(v.data_volume.map(|d| d.name)))
            .collect();
        let live_migratable = condition(&self.status.conditions, "LiveMigratable").map(|c| Condition {
            status: c.status == "True",
            reason: c.reason.clone().filter(|r| !r.is_empty()),
            message: c.message.clone().filter(|m| !m.is_empty()),
        });
        Ok(LiveVmi {
            owner_vm: self
                .metadata
                .owner_references
                .iter()
                .find(|o| o.kind == "VirtualMachine" && o.api_version.starts_with("kubevirt.io/"))
                .map(|o| o.name.clone()),
            node: self.status.node_name.filter(|n| !n.is_empty()),
            phase: self.status.phase.filter(|p| !p.is_empty()),
            eviction_strategy: eviction(&format!("VirtualMachineInstance {key}"), spec.eviction_strategy)?,
            live_migratable,
            cpu_millis,
            vcpus,
            memory,
            claims,
            interfaces,
            host_devices: spec
                .domain
                .devices
                .host_devices
                .into_iter()
                .chain(spec.domain.devices.gpus)
                .map(|d| d.name)
                .collect(),
            dedicated_cpus: cpu.dedicated_cpu_placement,
            // KubeVirt's default CPU model is host-model (kubevirt/kubevirt
            // main d923fdb staging/src/kubevirt.io/api/core/v1/schema.go:
            // DefaultCPUModel = CPUModeHostModel).
            cpu_model: Some(cpu.model.filter(|m| !m.is_empty()).unwrap_or_else(|| "host-model".to_string())),
            required_cpu_features: cpu
                .features
                .into_iter()
                .filter(|f| f.policy.as_deref().is_none_or(|p| p.is_empty() || p == "require"))
                .map(|f| f.name)
                .collect(),
            node_selector: spec.node_selector,
            node_affinity: spec
                .affinity
                .node_affinity
                .is_some_and(|a| a.required_during_scheduling_ignored_during_execution.is_some()),
            dns_policy: spec.dns_policy.filter(|p| !p.is_empty()),
            dns_nameservers: spec.dns_config.nameservers,
            namespace: self.metadata.namespace,
            name: self.metadata.name,
        })
    }
}

// ---------------------------------------------------------------- storage

fn access_mode(what: &str, s: &str) -> Result<AccessMode, String> {
    match s {
        "ReadWriteOnce" => Ok(AccessMode::ReadWriteOnce),
        "ReadWriteMany" => Ok(AccessMode::ReadWriteMany),
        "ReadOnlyMany" => Ok(AccessMode::ReadOnlyMany),
        "ReadWriteOncePod" => Ok(AccessMode::ReadWriteOncePod),
        other => Err(format!("{what}: access mode {other:?} is not one Kubernetes knows")),
    }
}

fn volume_mode(what: &str, s: Option<&str>) -> Result<Option<VolumeMode>, String> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("Block") => Ok(Some(VolumeMode::Block)),
        Some("Filesystem") => Ok(Some(VolumeMode::Filesystem)),
        Some(other) => Err(format!("{what}: volume mode {other:?} is not one Kubernetes knows")),
    }
}

fn access_modes(what: &str, modes: &[String]) -> Result<Vec<AccessMode>, String> {
    modes.iter().map(|m| access_mode(what, m)).collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Pvc {
    metadata: Meta,
    spec: PvcSpec,
    status: PvcStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PvcSpec {
    storage_class_name: Option<String>,
    access_modes: Vec<String>,
    volume_mode: Option<String>,
    volume_name: Option<String>,
    resources: Resources,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PvcStatus {
    access_modes: Vec<String>,
    capacity: BTreeMap<String, Quantity>,
}

impl Pvc {
    pub(crate) fn convert(self) -> Result<LivePvc, String> {
        let what = format!("PersistentVolumeClaim {}", self.metadata.key());
        let modes =
            if self.status.access_modes.is_empty() { &self.spec.access_modes } else { &self.status.access_modes };
        let size = self.status.capacity.get("storage").or(self.spec.resources.requests.get("storage"));
        Ok(LivePvc {
            storage_class: self.spec.storage_class_name.filter(|c| !c.is_empty()),
            access_modes: access_modes(&what, modes)?,
            // Kubernetes defaults an unset volumeMode to Filesystem (k8s.io/api
            // v0.33 core/v1/types.go, PersistentVolumeClaimSpec.VolumeMode).
            volume_mode: Some(volume_mode(&what, self.spec.volume_mode.as_deref())?.unwrap_or(VolumeMode::Filesystem)),
            volume: self.spec.volume_name.filter(|v| !v.is_empty()),
            size: size.map(|q| units(&format!("{what}: storage"), q)).transpose()?,
            namespace: self.metadata.namespace,
            name: self.metadata.name,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Pv {
    metadata: Meta,
    spec: PvSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PvSpec {
    storage_class_name: Option<String>,
    node_affinity: Option<VolumeNodeAffinity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VolumeNodeAffinity {
    required: Option<NodeSelector>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeSelector {
    node_selector_terms: Vec<NodeSelectorTerm>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeSelectorTerm {
    match_expressions: Vec<Expression>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Expression {
    key: String,
    operator: String,
    values: Vec<String>,
}

impl Pv {
    pub(crate) fn convert(self) -> Result<LivePv, String> {
        // Pinned: one term, holding an `In` on a per-node key with one value
        // (local volumes use kubernetes.io/hostname, TopoLVM
        // topology.topolvm.io/node); a zone term does not pin to a node.
        let pinned_to = self.spec.node_affinity.and_then(|a| a.required).and_then(|r| {
            let [term] = r.node_selector_terms.as_slice() else { return None };
            term.match_expressions
                .iter()
                .find(|e| {
                    e.operator == "In"
                        && e.values.len() == 1
                        && !e.key.starts_with("topology.kubernetes.io/")
                        && !e.key.starts_with("failure-domain.")
                })
                .map(|e| e.values[0].clone())
        });
        Ok(LivePv {
            name: self.metadata.name,
            storage_class: self.spec.storage_class_name.filter(|c| !c.is_empty()),
            pinned_to,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct StorageClass {
    metadata: Meta,
    provisioner: String,
    volume_binding_mode: Option<String>,
}

impl StorageClass {
    pub(crate) fn convert(self) -> Result<LiveStorageClass, String> {
        let a = &self.metadata.annotations;
        Ok(LiveStorageClass {
            default: a.default_class.as_deref() == Some("true"),
            default_virt: a.default_virt_class.as_deref() == Some("true"),
            name: self.metadata.name,
            provisioner: self.provisioner,
            binding_mode: self.volume_binding_mode.filter(|m| !m.is_empty()),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct StorageProfile {
    metadata: Meta,
    status: StorageProfileStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct StorageProfileStatus {
    provisioner: Option<String>,
    claim_property_sets: Vec<PropertySet>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PropertySet {
    access_modes: Vec<String>,
    volume_mode: Option<String>,
}

impl StorageProfile {
    pub(crate) fn convert(self) -> Result<LiveStorageProfile, String> {
        let what = format!("StorageProfile {}", self.metadata.name);
        Ok(LiveStorageProfile {
            claim_property_sets: self
                .status
                .claim_property_sets
                .iter()
                .map(|s| {
                    Ok(ClaimPropertySet {
                        access_modes: access_modes(&what, &s.access_modes)?,
                        volume_mode: volume_mode(&what, s.volume_mode.as_deref())?,
                    })
                })
                .collect::<Result<_, String>>()?,
            name: self.metadata.name,
            provisioner: self.status.provisioner.filter(|p| !p.is_empty()),
        })
    }
}

// ---------------------------------------------------------------- networks

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NetworkAttachment {
    metadata: Meta,
    spec: NadSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NadSpec {
    config: Option<String>,
}

/// The parts of a CNI config the audit reads: a single plugin's `type` and
/// `mtu`, or a conflist's `plugins` (containernetworking/cni SPEC.md v1.1).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CniConfig {
    #[serde(rename = "type")]
    kind: Option<String>,
    mtu: Option<u32>,
    plugins: Vec<CniConfig>,
}

impl NetworkAttachment {
    pub(crate) fn convert(self) -> Result<LiveNetworkAttachment, String> {
        // A config that does not parse leaves type and MTU unknown (the doc
        // of LiveNetworkAttachment: "when it parses"); Multus reports it.
        let cni: CniConfig = self.spec.config.as_deref().and_then(|c| serde_json::from_str(c).ok()).unwrap_or_default();
        let first = cni.plugins.first();
        Ok(LiveNetworkAttachment {
            namespace: self.metadata.namespace,
            name: self.metadata.name,
            cni_type: cni.kind.clone().or_else(|| first.and_then(|p| p.kind.clone())),
            mtu: cni.mtu.or_else(|| cni.plugins.iter().find_map(|p| p.mtu)),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Subnet {
    metadata: Meta,
    spec: SubnetSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SubnetSpec {
    cidr_block: Option<String>,
    mtu: Option<u32>,
    default: bool,
}

impl Subnet {
    pub(crate) fn convert(self) -> Result<LiveSubnet, String> {
        Ok(LiveSubnet {
            name: self.metadata.name,
            cidr: self.spec.cidr_block.filter(|c| !c.is_empty()),
            mtu: self.spec.mtu.filter(|m| *m != 0),
            default: self.spec.default,
        })
    }
}

// ---------------------------------------------------------------- daemonsets

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DaemonSet {
    metadata: Meta,
    spec: DaemonSetSpec,
    status: DsStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DaemonSetSpec {
    template: PodTemplate,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PodTemplate {
    spec: TemplateSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplateSpec {
    containers: Vec<Container>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Container {
    args: Vec<String>,
    command: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DsStatus {
    desired_number_scheduled: u32,
    number_ready: u32,
}

impl DaemonSet {
    pub(crate) fn status(&self) -> DaemonSetStatus {
        DaemonSetStatus { desired: self.status.desired_number_scheduled, ready: self.status.number_ready }
    }

    pub(crate) fn node_local_dns(self) -> Result<NodeLocalDns, String> {
        let key = self.metadata.key();
        // `-localip 169.254.20.10,10.96.0.10` (two args) or `-localip=...`;
        // the first address is the one pods are pointed at.
        let mut value = None;
        for c in &self.spec.template.spec.containers {
            let words: Vec<&String> = c.command.iter().chain(&c.args).collect();
            for (i, w) in words.iter().enumerate() {
                let w = w.trim_start_matches('-');
                if let Some(v) = w.strip_prefix("localip=") {
                    value = Some(v.to_string());
                } else if w == "localip" {
                    value = words.get(i + 1).map(|v| v.to_string());
                }
            }
        }
        let address = match value {
            Some(v) => {
                let first = v.split(',').next().unwrap_or_default().trim();
                Some(
                    first
                        .parse::<IpAddr>()
                        .map_err(|_| format!("DaemonSet {key}: -localip {v:?} is not an IP address"))?,
                )
            }
            None => None,
        };
        Ok(NodeLocalDns { status: self.status(), name: key, address })
    }
}

// ---------------------------------------------------------------- medik8s

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NodeHealthCheck {
    metadata: Meta,
    spec: NhcSpec,
    status: NhcStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NhcSpec {
    selector: Option<Selector>,
    remediation_template: Option<TemplateRef>,
    escalating_remediations: Vec<EscalatingRemediation>,
    min_healthy: Option<IntOrString>,
    max_unhealthy: Option<IntOrString>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EscalatingRemediation {
    remediation_template: TemplateRef,
    order: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplateRef {
    kind: String,
    namespace: String,
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NhcStatus {
    phase: Option<String>,
    observed_nodes: Option<u32>,
    healthy_nodes: Option<u32>,
}

/// `spec.selector` of a NodeHealthCheck or a PodDisruptionBudget.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Selector {
    match_labels: BTreeMap<String, String>,
    match_expressions: Vec<Expression>,
}

impl Selector {
    fn into_model(self) -> LabelSelector {
        LabelSelector {
            match_labels: self.match_labels,
            match_expressions: self
                .match_expressions
                .into_iter()
                .map(|e| LabelExpression { key: e.key, operator: e.operator, values: e.values })
                .collect(),
        }
    }
}

impl NodeHealthCheck {
    pub(crate) fn convert(self) -> Result<LiveNodeHealthCheck, String> {
        let spec = self.spec;
        // The remediation: the plain template, else the escalation's first step.
        let template = spec.remediation_template.or_else(|| {
            let mut steps = spec.escalating_remediations;
            steps.sort_by_key(|s| s.order);
            steps.into_iter().next().map(|s| s.remediation_template)
        });
        Ok(LiveNodeHealthCheck {
            name: self.metadata.name,
            selector: spec.selector.map(Selector::into_model).unwrap_or_default(),
            template_kind: template.as_ref().map(|t| t.kind.clone()).filter(|k| !k.is_empty()),
            template: template.as_ref().filter(|t| !t.name.is_empty()).map(|t| format!("{}/{}", t.namespace, t.name)),
            min_healthy: spec.min_healthy.map(|v| v.text()),
            max_unhealthy: spec.max_unhealthy.map(|v| v.text()),
            phase: self.status.phase.filter(|p| !p.is_empty()),
            observed_nodes: self.status.observed_nodes,
            healthy_nodes: self.status.healthy_nodes,
        })
    }
}

/// Any object: its `namespace/name` (the remediation templates).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Named {
    metadata: Meta,
}

impl Named {
    pub(crate) fn convert(self) -> Result<String, String> {
        Ok(self.metadata.key())
    }
}

// ---------------------------------------------------------------- PDBs

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Pdb {
    metadata: Meta,
    spec: PdbSpec,
    status: PdbStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PdbSpec {
    selector: Option<Selector>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PdbStatus {
    disruptions_allowed: i64,
}

/// A converted budget, and whether its selector is null (a null selector
/// selects no pods in policy/v1, k8s.io/api v0.33 policy/v1/types.go).
pub(crate) struct ConvertedPdb {
    pub(crate) pdb: LivePdb,
    pub(crate) selects_nothing: bool,
}

impl Pdb {
    pub(crate) fn convert(self) -> Result<ConvertedPdb, String> {
        // KubeVirt's own budgets are controlled by their VMI: older releases
        // created one per VMI with a controller OwnerReference to the
        // VirtualMachineInstance (GenerateName kubevirt-disruption-budget-,
        // selector kubevirt.io/created-by: <vmi uid>), and KubeVirt tells
        // them apart by that controller reference's kind alone
        // (kubevirt/kubevirt main d923fdb, 2026-08,
        // pkg/virt-controller/watch/drain/disruptionbudget/disruptionbudget.go
        // pdbsForVMI: GetControllerOf(pdb).Kind == VirtualMachineInstance).
        let kubevirt_owned =
            self.metadata.owner_references.iter().any(|o| {
                o.controller && o.kind == "VirtualMachineInstance" && o.api_version.starts_with("kubevirt.io/")
            });
        let selects_nothing = self.spec.selector.is_none();
        Ok(ConvertedPdb {
            pdb: LivePdb {
                namespace: self.metadata.namespace,
                name: self.metadata.name,
                disruptions_allowed: self.status.disruptions_allowed,
                selector: self.spec.selector.map(Selector::into_model).unwrap_or_default(),
                kubevirt_owned,
                pods: vec![],
            },
            selects_nothing,
        })
    }
}

#[cfg(test)]
mod tests;
