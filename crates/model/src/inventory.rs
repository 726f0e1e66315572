//! The inventory (`kind: Inventory`): the user's description of a planned or
//! running Kube-V HA deployment. The field names are the public contract of
//! `../shared/spec/inventory.md` and do not change; fields may be added.
//!
//! Every fact the user may leave out is an `Option`: `None` is *unknown*,
//! never a default that happens to pass. Where KubeVirt itself has a default
//! (the overcommit ratios, the migration limits) the accessor that applies
//! it says so and cites it.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::kubevirt_version::KubeVirtVersion;
use crate::location::Located;
use crate::quantity::{ByteSize, Count, Interval, LinkSpeed, Ratio};

pub const API_VERSION: &str = "kubev-ha/v1alpha1";
pub const KIND: &str = "Inventory";

/// A Kube-V HA deployment as the user declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "kubev-ha Inventory")]
pub struct Inventory {
    /// Always `kubev-ha/v1alpha1`.
    pub api_version: String,
    /// Always `Inventory`.
    pub kind: String,
    pub metadata: Metadata,
    /// Which thresholds apply: `production` (default) or `minimum` (lab, test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// How clients reach the API servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<Located<ApiEndpoint>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Located<Network>>,
    /// The hosts: at least one.
    // Located as a list too, so a problem about the list itself (an empty
    // one) points where it is written.
    pub nodes: Located<Vec<Located<Node>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Located<Storage>>,
    /// Kubernetes clusters that run inside the VMs (tenant clusters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_clusters: Option<Vec<Located<GuestCluster>>>,
    /// The VMs the platform must carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<Located<Workload>>,
    /// What the scheduler may promise beyond physical capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overcommit: Option<Overcommit>,
    /// What the deployment must survive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha: Option<Located<Ha>>,
    /// The kubelet's configuration (KubeletConfiguration), where the rules need it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet: Option<Kubelet>,
    /// KubeVirt settings that change what the rules expect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubevirt: Option<KubeVirt>,
    /// etcd settings that change what the rules expect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etcd: Option<Etcd>,
    /// Accepted exceptions: a waived finding stays in the report, marked waived, with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<Located<Waiver>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    // Located, so a problem about the name points at it in any YAML style.
    pub name: Located<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Production thresholds (the default).
    #[default]
    Production,
    /// Lab and test thresholds.
    Minimum,
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Production => "production",
            Profile::Minimum => "minimum",
        })
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "production" => Ok(Profile::Production),
            "minimum" => Ok(Profile::Minimum),
            _ => Err(format!("unknown profile `{s}`: expected production or minimum")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiEndpoint {
    /// DNS name or IP address clients use.
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancerKind>,
    /// The virtual IP, for keepalived and kube-vip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vip: Option<IpAddr>,
    /// How the VIP is announced: `arp` (gratuitous ARP, one L2 segment)
    /// or `bgp` (a route to the BGP peers). Only kube-vip has both;
    /// keepalived is always VRRP and ARP. `None` is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<VipMode>,
}

/// How kube-vip announces the API VIP (its `vip_arp` or `bgp_enable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VipMode {
    /// Gratuitous ARP from the leader: the VIP must be on the nodes' own segment.
    Arp,
    /// A host route announced to BGP peers: the VIP may be any routed address.
    Bgp,
}

impl fmt::Display for VipMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VipMode::Arp => "arp",
            VipMode::Bgp => "bgp",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LoadBalancerKind {
    External,
    Keepalived,
    Metallb,
    KubeVip,
    None,
}

impl fmt::Display for LoadBalancerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LoadBalancerKind::External => "external",
            LoadBalancerKind::Keepalived => "keepalived",
            LoadBalancerKind::Metallb => "metallb",
            LoadBalancerKind::KubeVip => "kube-vip",
            LoadBalancerKind::None => "none",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Network {
    #[serde(rename = "nodeCIDR", default, skip_serializing_if = "Option::is_none")]
    pub node_cidr: Option<Cidr>,
    /// The pod network (KubeVCluster: networkCIDR).
    #[serde(rename = "podCIDR", default, skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<Cidr>,
    #[serde(rename = "serviceCIDR", default, skip_serializing_if = "Option::is_none")]
    pub service_cidr: Option<Cidr>,
    /// The pod overlay: geneve (Kube-OVN's default), vxlan or stt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<Overlay>,
    /// A dedicated live-migration network (Multus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_network: Option<MigrationNetwork>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns>,
    /// Kube-OVN interconnection (ovn-ic) with other clusters, its IC
    /// databases (ovn-ic-server) on this cluster's control planes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interconnection: Option<bool>,
    /// A BGP speaker besides kube-vip runs on the nodes (kube-ovn-speaker,
    /// MetalLB in BGP mode) and peers with routers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgp: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Overlay {
    Geneve,
    Vxlan,
    Stt,
}

impl Overlay {
    /// Bytes the tunnel header takes from the underlay MTU. Kube-OVN
    /// subtracts these when it sets the pod MTU (pkg/util/const.go:
    /// GeneveHeaderLength = 100, VxlanHeaderLength = 50, SttHeaderLength = 72).
    pub fn header_bytes(self) -> u32 {
        match self {
            Overlay::Geneve => 100,
            Overlay::Vxlan => 50,
            Overlay::Stt => 72,
        }
    }
}

impl fmt::Display for Overlay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Overlay::Geneve => "geneve",
            Overlay::Vxlan => "vxlan",
            Overlay::Stt => "stt",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MigrationNetwork {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedicated: Option<bool>,
    /// Interface name expected on every worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<Cidr>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dns {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<IpAddr>>,
    #[serde(rename = "nodeLocalDNSCache", default, skip_serializing_if = "Option::is_none")]
    pub node_local_dns_cache: Option<NodeLocalDnsCache>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeLocalDnsCache {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The link-local address it binds. Unknown when absent: the addon's
    /// manifest uses 169.254.20.10, Kubespray 169.254.25.10, and installers
    /// may choose another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
}

impl NodeLocalDnsCache {
    /// The address of the addon's own manifest: "a link local ip
    /// (169.254.20.10/32 by default)", kubernetes cluster/addons/dns/nodelocaldns/README.md.
    pub const ADDON_DEFAULT_IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 20, 10));
    /// Kubespray's `nodelocaldns_ip` (roles/kubespray_defaults/defaults/main/main.yml).
    pub const KUBESPRAY_DEFAULT_IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 25, 10));
    /// The addresses installers use unless told otherwise: what `net check`
    /// looks for when the inventory names none.
    pub const WELL_KNOWN_IPS: [IpAddr; 2] = [Self::ADDON_DEFAULT_IP, Self::KUBESPRAY_DEFAULT_IP];
}

/// One host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Node {
    /// Unique, an RFC 1123 name.
    pub name: String,
    /// Unique; an IP address or DNS name.
    pub address: Address,
    /// control-plane, worker, storage (several allowed).
    pub roles: Vec<Role>,
    /// Failure domain: availability zone or room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// A finer failure domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disks: Option<Vec<Disk>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nics: Option<Vec<Nic>>,
    /// Kubernetes labels (from a KubeVCluster manifest, or declared).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// How `kubev-ha probe` reaches the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<Ssh>,
}

impl Node {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    pub fn is_control_plane(&self) -> bool {
        self.has_role(Role::ControlPlane)
    }
    pub fn is_worker(&self) -> bool {
        self.has_role(Role::Worker)
    }
    /// The failure domain the node sits in: its zone, else its rack.
    pub fn failure_domain(&self) -> Option<&str> {
        self.zone.as_deref().or(self.rack.as_deref())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    ControlPlane,
    Worker,
    Storage,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::ControlPlane => "control-plane",
            Role::Worker => "worker",
            Role::Storage => "storage",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cpu {
    /// Physical cores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<Count>,
    /// Logical CPUs (vCPUs on a VM node).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<Count>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtualization: Option<Virtualization>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Virtualization {
    VtX,
    AmdV,
    None,
    Unknown,
}

impl fmt::Display for Virtualization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Virtualization::VtX => "vt-x",
            Virtualization::AmdV => "amd-v",
            Virtualization::None => "none",
            Virtualization::Unknown => "unknown",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Disk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Media>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<ByteSize>,
    /// What the disk holds: os, etcd, vm, storage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage: Vec<DiskUsage>,
}

impl Disk {
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| "(unnamed disk)".into())
    }
}

/// The medium behind a disk or a storage class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Media {
    Nvme,
    Ssd,
    Hdd,
}

impl fmt::Display for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Media::Nvme => "nvme",
            Media::Ssd => "ssd",
            Media::Hdd => "hdd",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DiskUsage {
    Os,
    Etcd,
    Vm,
    Storage,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Nic {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<LinkSpeed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<Count>,
}

impl Nic {
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| "(unnamed nic)".into())
    }
}

/// How to reach a node over SSH (from a KubeVCluster manifest, or declared).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ssh {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Storage {
    #[serde(default)]
    pub classes: Vec<Located<StorageClass>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageClass {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_modes: Option<Vec<AccessMode>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_modes: Option<Vec<VolumeMode>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Count>,
    /// What the replicas are spread over: host, rack or zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_domain: Option<FailureDomain>,
    /// Usable raw capacity before replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

impl StorageClass {
    /// `Some(true)` when the class offers ReadWriteMany, `None` when its
    /// access modes are not declared.
    pub fn offers_rwx(&self) -> Option<bool> {
        self.access_modes.as_ref().map(|m| m.contains(&AccessMode::ReadWriteMany))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum AccessMode {
    ReadWriteOnce,
    ReadWriteMany,
    ReadOnlyMany,
    ReadWriteOncePod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum VolumeMode {
    Block,
    Filesystem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailureDomain {
    Host,
    Rack,
    Zone,
}

impl fmt::Display for FailureDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureDomain::Host => "host",
            FailureDomain::Rack => "rack",
            FailureDomain::Zone => "zone",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GuestCluster {
    pub name: String,
    #[serde(rename = "nodeLocalDNSCache", default, skip_serializing_if = "Option::is_none")]
    pub node_local_dns_cache: Option<NodeLocalDnsCache>,
    /// The dnsPolicy of the guest cluster's VMs; None means an explicit dnsConfig.
    #[serde(rename = "vmDNSPolicy", default, skip_serializing_if = "Option::is_none")]
    pub vm_dns_policy: Option<DnsPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum DnsPolicy {
    ClusterFirst,
    Default,
    None,
}

/// A group of identical VMs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Workload {
    pub name: String,
    /// Number of identical VMs (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Count>,
    /// vCPUs per VM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Count>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disks: Vec<WorkloadDisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_strategy: Option<RunStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eviction_strategy: Option<EvictionStrategy>,
    /// Replicas must land on distinct nodes (anti-affinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<bool>,
    /// KubeVirt's dedicatedCpuPlacement: each vCPU pinned to a whole host CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedicated_cpus: Option<bool>,
}

impl Workload {
    pub fn replica_count(&self) -> u32 {
        self.replicas.map_or(1, Count::get)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadDisk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<ByteSize>,
    /// The class the disk's PVC uses; the default class when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// What backs the disk: a PVC (the default), or a volume local to the
    /// virt-launcher pod that a live migration copies block by block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<DiskSource>,
}

impl WorkloadDisk {
    /// The disk is a PVC on a storage class (also when `source` is unsaid).
    pub fn is_pvc(&self) -> bool {
        self.source.is_none_or(|s| s == DiskSource::Pvc)
    }
}

/// The KubeVirt volume behind a workload disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum DiskSource {
    /// A PersistentVolumeClaim or DataVolume on `storageClass`: shared when
    /// the class offers ReadWriteMany, else the VM cannot live-migrate.
    Pvc,
    /// A containerDisk: its copy-on-write overlay lives in the pod and is
    /// block-migrated; `size` is the data written to it.
    ContainerDisk,
    /// An emptyDisk: a scratch image in the pod, block-migrated; `size` is
    /// its capacity.
    EmptyDisk,
}

impl fmt::Display for DiskSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiskSource::Pvc => "pvc",
            DiskSource::ContainerDisk => "containerDisk",
            DiskSource::EmptyDisk => "emptyDisk",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum RunStrategy {
    Always,
    RerunOnFailure,
    Manual,
    Halted,
    Once,
}

impl RunStrategy {
    /// KubeVirt restarts the VM elsewhere after its node fails only for these.
    pub fn restarts_after_failure(self) -> bool {
        matches!(self, RunStrategy::Always | RunStrategy::RerunOnFailure)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum EvictionStrategy {
    LiveMigrate,
    LiveMigrateIfPossible,
    None,
    External,
}

impl fmt::Display for EvictionStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EvictionStrategy::LiveMigrate => "LiveMigrate",
            EvictionStrategy::LiveMigrateIfPossible => "LiveMigrateIfPossible",
            EvictionStrategy::None => "None",
            EvictionStrategy::External => "External",
        })
    }
}

/// Where a workload's effective eviction strategy comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrategyOrigin {
    /// The workload's own `evictionStrategy`.
    Workload,
    /// `kubevirt.evictionStrategy`, the KubeVirt CR's cluster-wide strategy.
    Cluster,
    /// Neither is declared: KubeVirt's built-in default, None.
    KubeVirtDefault,
}

/// The kubelet's default maxPods.
pub const DEFAULT_MAX_PODS: u32 = 110;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Overcommit {
    /// vCPUs per logical host CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Ratio>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Ratio>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ha {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerate: Option<Tolerate>,
    /// Longest acceptable drain of one worker by live migration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_window: Option<Interval>,
    /// KubeVirt spec.configuration.migrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<Migration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fencing: Option<Fencing>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tolerate {
    /// Simultaneous node failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Count>,
    /// Whole failure domains lost at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Count>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Migration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_migrations_per_cluster: Option<Count>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_outbound_migrations_per_node: Option<Count>,
    /// Per-migration bandwidth cap in bytes per second; 0 is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_per_migration: Option<ByteSize>,
    /// Seconds a migration may run per GiB it moves before KubeVirt aborts
    /// it; 0 never aborts. KubeVirt's default applies when absent
    /// (`kubev_ha_plan::drain::MigrationLimits`).
    #[serde(rename = "completionTimeoutPerGiB", default, skip_serializing_if = "Option::is_none")]
    pub completion_timeout_per_gib: Option<Count>,
    /// Seconds without progress before KubeVirt aborts a migration; 0 never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_timeout: Option<Count>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Fencing {
    None,
    SelfNodeRemediation,
    FenceAgents,
    Other,
}

impl fmt::Display for Fencing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fencing::None => "none",
            Fencing::SelfNodeRemediation => "self-node-remediation",
            Fencing::FenceAgents => "fence-agents",
            Fencing::Other => "other",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubeVirt {
    /// KubeVirt's developerConfiguration.useEmulation: run VMs without KVM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_emulation: Option<bool>,
    /// The KubeVirt release (`v1.6.0`, `1.6`); the newest modelled release when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<KubeVirtVersion>,
    /// The KubeVirt CR's spec.configuration.evictionStrategy, for VMs that state none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eviction_strategy: Option<EvictionStrategy>,
    /// The KubeVirt CR's spec.configuration.additionalGuestMemoryOverheadRatio (≥ 1.0; 1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_guest_memory_overhead_ratio: Option<OverheadRatio>,
}

/// KubeVirt's additionalGuestMemoryOverheadRatio: the factor its computed
/// per-VM overhead is multiplied by. The KubeVirt CR holds it as a string
/// and KubeVirt's admission webhook refuses values below 1.0
/// (pkg/virt-operator/webhooks/kubevirt-update-admitter.go,
/// validateGuestToRequestHeadroom, v1.9.0); the same values are refused here.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct OverheadRatio(pub f64);

impl OverheadRatio {
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for OverheadRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ratio(self.0).fmt(f)
    }
}

impl Serialize for OverheadRatio {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A string, as in the KubeVirt CR.
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OverheadRatio {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ratio = Ratio::deserialize(d)?;
        if ratio.get() < 1.0 {
            return Err(serde::de::Error::custom(format!(
                "`{ratio}` is below 1.0; KubeVirt refuses an additionalGuestMemoryOverheadRatio smaller than 1.0"
            )));
        }
        Ok(OverheadRatio(ratio.get()))
    }
}

impl JsonSchema for OverheadRatio {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OverheadRatio".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [{"type": "number", "minimum": 1.0}, {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}],
            "description": "A ratio ≥ 1.0, as a number or a string as in the KubeVirt CR"
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Etcd {
    /// etcd's --quota-backend-bytes (default 2Gi; etcd advises at most 8Gi).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_backend_bytes: Option<ByteSize>,
}

/// The kubelet settings the rules judge by, named as in the kubelet's
/// KubeletConfiguration (k8s.io/kubelet config/v1beta1 types.go, v0.36.3,
/// Kubernetes 1.36). Every field undeclared means the kubelet's default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Kubelet {
    /// The kubelet refuses to start on a node with swap on; the kubelet's default is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_swap_on: Option<bool>,
    /// How container workloads may use swap (the NodeSwap feature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<MemorySwap>,
    /// The kubelet's maxPods; 110 when absent (the kubelet's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pods: Option<Count>,
    /// Pods every node runs for DaemonSets (CNI, virt-handler, CSI, monitoring...); assumed when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon_set_pods: Option<Count>,
}

impl Kubelet {
    /// `failSwapOn`, or the kubelet's default: true.
    pub fn fail_swap_on_or_default(&self) -> bool {
        self.fail_swap_on.unwrap_or(true)
    }

    /// `memorySwap.swapBehavior`, or the kubelet's default: NoSwap.
    pub fn swap_behavior_or_default(&self) -> SwapBehavior {
        self.memory_swap.as_ref().and_then(|m| m.swap_behavior).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MemorySwap {
    /// `NoSwap` (the default) or `LimitedSwap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap_behavior: Option<SwapBehavior>,
}

/// The kubelet's swap behaviours (MemorySwapConfiguration.swapBehavior).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum SwapBehavior {
    /// Workloads cannot use swap; the node's own processes may. The kubelet's default.
    #[default]
    NoSwap,
    /// Burstable pods may swap, up to a limit proportional to their memory request.
    LimitedSwap,
}

impl fmt::Display for SwapBehavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SwapBehavior::NoSwap => "NoSwap",
            SwapBehavior::LimitedSwap => "LimitedSwap",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Waiver {
    /// A rule ID from `kubev-ha rules`.
    pub rule: String,
    /// The subject to waive (`node/cp-1`, or just `cp-1`); every subject when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Why the exception is accepted; shown in the report.
    pub reason: String,
}

/// A node's address: an IP address or a DNS name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, JsonSchema)]
#[schemars(with = "String")]
pub enum Address {
    Ip(IpAddr),
    Name(String),
}

impl Address {
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Address::Ip(ip) => Some(*ip),
            Address::Name(_) => None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(ip) => ip.fmt(f),
            Address::Name(n) => f.write_str(n),
        }
    }
}

impl FromStr for Address {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Address::Ip(ip));
        }
        let looks_numeric = s.rsplit('.').next().is_some_and(|last| last.chars().all(|c| c.is_ascii_digit()));
        if looks_numeric || s.contains(':') {
            return Err(format!("`{s}` is not a valid IP address"));
        }
        if crate::validate::is_dns_name(s) {
            Ok(Address::Name(s.to_ascii_lowercase()))
        } else {
            Err(format!("`{s}` is neither an IP address nor a DNS name"))
        }
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An IP network in CIDR notation, with no host bits set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, JsonSchema)]
#[schemars(with = "String")]
pub struct Cidr(pub ipnet::IpNet);

impl Cidr {
    pub fn contains(&self, ip: &IpAddr) -> bool {
        self.0.contains(ip)
    }
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0.network()) || other.0.contains(&self.0.network())
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let net: ipnet::IpNet =
            s.parse().map_err(|_| format!("`{s}` is not a CIDR; expected a network such as 10.244.0.0/16"))?;
        if net.trunc() != net {
            return Err(format!("`{s}` has host bits set; did you mean `{}`?", net.trunc()));
        }
        Ok(Cidr(net))
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Metadata {
    pub fn named(name: &str) -> Metadata {
        Metadata { name: Located::new(name.to_string()), labels: BTreeMap::new(), annotations: BTreeMap::new() }
    }
}

impl Inventory {
    /// An inventory of one node and nothing else (how `kubev-ha host`
    /// judges the machine it runs on).
    pub fn single_node(metadata: Metadata, node: Node) -> Inventory {
        Inventory {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            metadata,
            profile: None,
            api_endpoint: None,
            network: None,
            nodes: Located::new(vec![Located::new(node)]),
            storage: None,
            guest_clusters: None,
            workloads: vec![],
            overcommit: None,
            ha: None,
            kubelet: None,
            kubevirt: None,
            etcd: None,
            waivers: vec![],
        }
    }

    /// The profile the file asks for, production when it says nothing.
    pub fn profile_or_default(&self) -> Profile {
        self.profile.unwrap_or_default()
    }

    pub fn control_planes(&self) -> impl Iterator<Item = &Located<Node>> {
        self.nodes.iter().filter(|n| n.is_control_plane())
    }

    pub fn workers(&self) -> impl Iterator<Item = &Located<Node>> {
        self.nodes.iter().filter(|n| n.is_worker())
    }

    /// The node called `name`. A scan of the node list: a caller that looks
    /// up many nodes builds [`Inventory::nodes_by_name`] once instead, so that
    /// its cost stays linear in the cluster's size.
    pub fn node(&self, name: &str) -> Option<&Located<Node>> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// Every node by its name, for lookups in a loop over nodes (names are
    /// unique: the loader refuses duplicates).
    pub fn nodes_by_name(&self) -> std::collections::BTreeMap<&str, &Located<Node>> {
        self.nodes.iter().map(|n| (n.name.as_str(), n)).collect()
    }

    pub fn storage_classes(&self) -> &[Located<StorageClass>] {
        self.storage.as_ref().map_or(&[], |s| &s.classes)
    }

    pub fn storage_class(&self, name: &str) -> Option<&Located<StorageClass>> {
        self.storage_classes().iter().find(|c| c.name == name)
    }

    /// The class a disk without `storageClass` lands on.
    pub fn default_storage_class(&self) -> Option<&Located<StorageClass>> {
        self.storage_classes().iter().find(|c| c.default == Some(true))
    }

    pub fn network(&self) -> Option<&Network> {
        self.network.as_ref().map(|n| &n.value)
    }

    pub fn migration_network(&self) -> Option<&MigrationNetwork> {
        self.network().and_then(|n| n.migration_network.as_ref())
    }

    pub fn ha(&self) -> Option<&Ha> {
        self.ha.as_ref().map(|h| &h.value)
    }

    pub fn migration(&self) -> Option<&Migration> {
        self.ha().and_then(|h| h.migration.as_ref())
    }

    /// How many simultaneous node failures the design must survive; one
    /// when unsaid, because surviving one is what "HA" means on the page.
    pub fn tolerated_node_failures(&self) -> u32 {
        self.ha().and_then(|h| h.tolerate.as_ref()).and_then(|t| t.nodes).map_or(1, Count::get)
    }

    /// How many whole failure domains the design must survive; none when
    /// unsaid (the page asks for spreading, not for zone tolerance).
    pub fn tolerated_zone_failures(&self) -> u32 {
        self.ha().and_then(|h| h.tolerate.as_ref()).and_then(|t| t.zones).map_or(0, Count::get)
    }

    /// vCPUs per logical host CPU the scheduler may promise. KubeVirt's own
    /// default cpuAllocationRatio is 10 (pkg/virt-config: DefaultCPUAllocationRatio).
    pub fn cpu_overcommit(&self) -> f64 {
        self.overcommit.as_ref().and_then(|o| o.cpu).map_or(10.0, Ratio::get)
    }

    /// Memory overcommit; KubeVirt does not overcommit memory by default.
    pub fn memory_overcommit(&self) -> f64 {
        self.overcommit.as_ref().and_then(|o| o.memory).map_or(1.0, Ratio::get)
    }

    /// The KubeVirt release the plan models: the declared one, else the
    /// newest modelled release (stated in the plan's assumptions).
    pub fn kubevirt_version(&self) -> KubeVirtVersion {
        self.kubevirt.as_ref().and_then(|k| k.version).unwrap_or(KubeVirtVersion::NEWEST_MODELLED)
    }

    /// KubeVirt's additionalGuestMemoryOverheadRatio; 1 (no change) when
    /// not declared, as in KubeVirt (staging/src/kubevirt.io/api/core/v1/types.go,
    /// KubeVirtConfiguration: "If not set, the default is 1").
    pub fn overhead_ratio(&self) -> Option<OverheadRatio> {
        self.kubevirt.as_ref().and_then(|k| k.additional_guest_memory_overhead_ratio)
    }

    /// The eviction strategy KubeVirt applies to `workload`'s VMs, and where
    /// it comes from. KubeVirt takes the VMI's own strategy, else the
    /// cluster-wide one of the KubeVirt CR (pkg/util/migrations/migrations.go,
    /// VMIEvictionStrategy, v1.9.0), whose built-in default is None
    /// (pkg/virt-config/configuration.go: defaultEvictionStrategy =
    /// EvictionStrategyNone, the same since v1.2.0).
    pub fn eviction_strategy_of(&self, workload: &Workload) -> (EvictionStrategy, StrategyOrigin) {
        if let Some(s) = workload.eviction_strategy {
            return (s, StrategyOrigin::Workload);
        }
        match self.kubevirt.as_ref().and_then(|k| k.eviction_strategy) {
            Some(s) => (s, StrategyOrigin::Cluster),
            None => (EvictionStrategy::None, StrategyOrigin::KubeVirtDefault),
        }
    }

    /// The kubelet's maxPods: declared, else the kubelet's default of 110
    /// (kubernetes/kubernetes pkg/kubelet/apis/config/v1beta1/defaults.go,
    /// SetDefaults_KubeletConfiguration: `obj.MaxPods = 110`).
    pub fn max_pods(&self) -> u32 {
        self.kubelet.as_ref().and_then(|k| k.max_pods).map_or(DEFAULT_MAX_PODS, Count::get)
    }

    /// Pods per node taken by DaemonSets, when declared.
    pub fn daemon_set_pods(&self) -> Option<u32> {
        self.kubelet.as_ref().and_then(|k| k.daemon_set_pods).map(Count::get)
    }
}
