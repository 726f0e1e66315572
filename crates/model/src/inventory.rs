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

use crate::kubevirt_version::KubeVirtVersion;
use crate::location::Located;
use crate::quantity::{ByteSize, Count, Interval, LinkSpeed, Ratio};

/// The `apiVersion` every inventory file states.
pub const API_VERSION: &str = "kubev-ha/v1alpha1";
/// The `kind` of an inventory file (a KubeVCluster manifest is read by its own kind).
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
    /// The inventory's name and labels, as a Kubernetes object's.
    pub metadata: Metadata,
    /// Which thresholds apply: `production` (default) or `minimum` (lab, test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// How clients reach the API servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<Located<ApiEndpoint>>,
    /// The host network, pod and service ranges, overlay, migration network and DNS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Located<Network>>,
    /// The hosts: at least one.
    pub nodes: Located<Vec<Located<Node>>>,
    /// The storage classes VMs' disks land on.
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

/// A name for the deployment and free-form labels and annotations, as in Kubernetes object
/// metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// The deployment's name, shown in reports.
    pub name: Located<String>,
    /// Free-form key/value labels; the rules do not read them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Free-form key/value annotations; the rules do not read them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// Which threshold table the rules judge by.
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

/// A profile name that is neither `production` nor `minimum`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile `{0}`: expected production or minimum")]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;
    fn from_str(s: &str) -> Result<Self, UnknownProfile> {
        match s {
            "production" => Ok(Profile::Production),
            "minimum" => Ok(Profile::Minimum),
            _ => Err(UnknownProfile(s.to_string())),
        }
    }
}

/// How clients reach the Kubernetes API servers of the control planes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiEndpoint {
    /// DNS name or IP address clients use.
    pub host: String,
    /// The port clients connect to on `host`; recorded, not judged (the port matrix always checks the
    /// API servers' own 6443).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// What keeps the endpoint up when a control plane fails; unknown when absent.
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

/// What carries the API endpoint across control-plane failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LoadBalancerKind {
    /// A load balancer outside the cluster.
    External,
    /// keepalived: a VRRP virtual IP announced by ARP.
    Keepalived,
    /// MetalLB in front of the API servers.
    Metallb,
    /// kube-vip on the control planes, announcing the VIP by ARP or BGP.
    KubeVip,
    /// No load balancer: clients talk to one API server, a single point of failure.
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

/// The cluster's address ranges, overlay and DNS.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Network {
    /// The network the nodes' own addresses are in (KubeVCluster: the nodes' subnet).
    #[serde(rename = "nodeCIDR", default, skip_serializing_if = "Option::is_none")]
    pub node_cidr: Option<Cidr>,
    /// The pod network (KubeVCluster: networkCIDR).
    #[serde(rename = "podCIDR", default, skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<Cidr>,
    /// The Kubernetes service network (KubeVCluster: serviceCIDR).
    #[serde(rename = "serviceCIDR", default, skip_serializing_if = "Option::is_none")]
    pub service_cidr: Option<Cidr>,
    /// The pod overlay: geneve (Kube-OVN's default), vxlan or stt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<Overlay>,
    /// A dedicated live-migration network (Multus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_network: Option<MigrationNetwork>,
    /// The DNS servers the nodes use and the node-local DNS cache.
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

/// The Kube-OVN tunnel type that carries pod traffic between nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Overlay {
    /// Geneve, Kube-OVN's default.
    Geneve,
    /// VXLAN.
    Vxlan,
    /// STT.
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

/// A network for live migration apart from the pod network (KubeVirt's migrations.network, a Multus
/// network).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MigrationNetwork {
    /// A dedicated migration network is configured; unknown when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedicated: Option<bool>,
    /// Interface name expected on every worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic: Option<String>,
    /// The address range of the migration network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<Cidr>,
}

/// Name resolution on the nodes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dns {
    /// The DNS servers the nodes' resolv.conf names; `net check` asks each one directly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<IpAddr>>,
    /// The node-local DNS cache addon on the host cluster.
    #[serde(rename = "nodeLocalDNSCache", default, skip_serializing_if = "Option::is_none")]
    pub node_local_dns_cache: Option<NodeLocalDnsCache>,
}

/// The node-local DNS cache (kubernetes' nodelocaldns addon).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeLocalDnsCache {
    /// The cache runs on every node; unknown when absent.
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
    /// The node's processors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// Physical memory of the node (MemTotal on a probed host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    /// The node's disks; `None` is unknown, an empty list is a node declared without disks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disks: Option<Vec<Disk>>,
    /// The node's network interfaces; `None` is unknown.
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
    /// A node known by name, address and roles only: every other fact
    /// unknown (`None`), no labels, no SSH settings. Callers that know more
    /// fill it in with struct update syntax (`Node { memory, ..Node::new(..) }`).
    pub fn new(name: impl Into<String>, address: Address, roles: Vec<Role>) -> Node {
        Node {
            name: name.into(),
            address,
            roles,
            zone: None,
            rack: None,
            cpu: None,
            memory: None,
            disks: None,
            nics: None,
            labels: BTreeMap::new(),
            ssh: None,
        }
    }

    /// Whether the node has `role` among its roles.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    /// Whether the node is a control plane (runs etcd and the API server).
    pub fn is_control_plane(&self) -> bool {
        self.has_role(Role::ControlPlane)
    }
    /// Whether the node runs VMs.
    pub fn is_worker(&self) -> bool {
        self.has_role(Role::Worker)
    }
    /// The failure domain the node sits in: its zone, else its rack.
    pub fn failure_domain(&self) -> Option<&str> {
        self.zone.as_deref().or(self.rack.as_deref())
    }
}

/// What a node does in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Runs etcd, the API server, the scheduler and the controller manager.
    ControlPlane,
    /// Runs VMs (virt-handler and the virt-launcher pods).
    Worker,
    /// Serves storage for the cluster (a storage system's nodes).
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

/// A node's processors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cpu {
    /// Physical cores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<Count>,
    /// Logical CPUs (vCPUs on a VM node).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<Count>,
    /// The hardware virtualisation the CPU offers KVM; unknown when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtualization: Option<Virtualization>,
}

/// Hardware virtualisation of a CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Virtualization {
    /// Intel VT-x (the `vmx` CPU flag).
    VtX,
    /// AMD-V (the `svm` CPU flag).
    AmdV,
    /// The CPU offers none, or the firmware has it switched off.
    None,
    /// Not determined.
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

/// One disk of a node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Disk {
    /// The device name (`nvme0n1`, `sda`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The medium (`type` in the file).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Media>,
    /// The disk's size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<ByteSize>,
    /// What the disk holds: os, etcd, vm, storage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage: Vec<DiskUsage>,
}

impl Disk {
    /// The disk's name, or a placeholder for reports when it has none.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| "(unnamed disk)".into())
    }
}

/// The medium behind a disk or a storage class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Media {
    /// An NVMe solid-state drive.
    Nvme,
    /// A SATA or SAS solid-state drive.
    Ssd,
    /// A rotating disk.
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

/// What a disk is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DiskUsage {
    /// The operating system.
    Os,
    /// etcd's data directory (the page asks for a dedicated fast disk).
    Etcd,
    /// VM disk images.
    Vm,
    /// A storage system's data.
    Storage,
}

/// One network interface of a node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Nic {
    /// The interface name (`eth0`, `bond0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The link speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<LinkSpeed>,
    /// The MTU in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<Count>,
}

impl Nic {
    /// The interface's name, or a placeholder for reports when it has none.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| "(unnamed nic)".into())
    }
}

/// How to reach a node over SSH (from a KubeVCluster manifest, or declared).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ssh {
    /// The user to log in as; ssh's own default (from ~/.ssh/config or the local user) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The private key to log in with; ssh's own default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_file: Option<String>,
    /// The SSH port; ssh's own default (22, or ~/.ssh/config) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// The storage classes of the cluster.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Storage {
    /// Every storage class VMs may use.
    #[serde(default)]
    pub classes: Vec<Located<StorageClass>>,
}

/// One Kubernetes StorageClass and what is known of the storage behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageClass {
    /// The StorageClass name that workload disks refer to.
    pub name: String,
    /// The CSI provisioner (`rbd.csi.ceph.com`, `driver.longhorn.io`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioner: Option<String>,
    /// The access modes volumes of the class support; live migration needs ReadWriteMany.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_modes: Option<Vec<AccessMode>>,
    /// The volume modes volumes of the class support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_modes: Option<Vec<VolumeMode>>,
    /// How many copies of each volume the storage keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Count>,
    /// What the replicas are spread over: host, rack or zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_domain: Option<FailureDomain>,
    /// Usable raw capacity before replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<ByteSize>,
    /// The medium behind the class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
    /// The cluster's default class, for disks that name none.
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

/// A PersistentVolume access mode, as Kubernetes names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum AccessMode {
    /// Read-write by one node.
    ReadWriteOnce,
    /// Read-write by many nodes: what live migration of a PVC-backed VM needs.
    ReadWriteMany,
    /// Read-only by many nodes.
    ReadOnlyMany,
    /// Read-write by one pod.
    ReadWriteOncePod,
}

/// A PersistentVolume volume mode, as Kubernetes names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum VolumeMode {
    /// A raw block device.
    Block,
    /// A filesystem.
    Filesystem,
}

/// What a storage class spreads its replicas over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailureDomain {
    /// Distinct nodes.
    Host,
    /// Distinct racks (a node's `rack`).
    Rack,
    /// Distinct zones (a node's `zone`).
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

/// A Kubernetes cluster that runs inside VMs of this platform (a tenant cluster).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GuestCluster {
    /// The guest cluster's name.
    pub name: String,
    /// The node-local DNS cache inside the guest cluster.
    #[serde(rename = "nodeLocalDNSCache", default, skip_serializing_if = "Option::is_none")]
    pub node_local_dns_cache: Option<NodeLocalDnsCache>,
    /// The dnsPolicy of the guest cluster's VMs; None means an explicit dnsConfig.
    #[serde(rename = "vmDNSPolicy", default, skip_serializing_if = "Option::is_none")]
    pub vm_dns_policy: Option<DnsPolicy>,
}

/// A pod's or VM's dnsPolicy, as Kubernetes names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum DnsPolicy {
    /// The cluster DNS first, then the node's resolvers.
    ClusterFirst,
    /// The resolvers of the node the pod runs on.
    Default,
    /// No DNS settings from Kubernetes: the pod's own dnsConfig only.
    None,
}

/// A group of identical VMs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Workload {
    /// The workload's name; reports and waivers refer to it.
    pub name: String,
    /// Number of identical VMs (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Count>,
    /// vCPUs per VM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Count>,
    /// Memory per VM (the guest's memory; KubeVirt's overhead is added by the planner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    /// The VM's disks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disks: Vec<WorkloadDisk>,
    /// KubeVirt's runStrategy; whether a VM is restarted after its node fails depends on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_strategy: Option<RunStrategy>,
    /// The VM's own evictionStrategy; the KubeVirt CR's when absent.
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
    /// The number of VMs of the group: `replicas`, 1 when absent.
    pub fn replica_count(&self) -> u32 {
        self.replicas.map_or(1, Count::get)
    }
}

/// One disk of a workload's VMs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadDisk {
    /// The disk's size: a PVC's capacity, or the data a pod-local volume holds.
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

/// KubeVirt's VirtualMachine runStrategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum RunStrategy {
    /// Always running: restarted wherever it can run, also after its node fails.
    Always,
    /// Restarted after a failure, not after a clean guest shutdown.
    RerunOnFailure,
    /// Started and stopped by the user only: not restarted after a node failure.
    Manual,
    /// Kept stopped.
    Halted,
    /// Run once, never restarted.
    Once,
}

impl RunStrategy {
    /// KubeVirt restarts the VM elsewhere after its node fails only for these.
    pub fn restarts_after_failure(self) -> bool {
        matches!(self, RunStrategy::Always | RunStrategy::RerunOnFailure)
    }
}

/// KubeVirt's evictionStrategy: what a node drain does to a VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum EvictionStrategy {
    /// Live-migrate; the drain waits until the VM has moved, and a VM that cannot migrate blocks
    /// it.
    LiveMigrate,
    /// Live-migrate when the VM can, else shut it down.
    LiveMigrateIfPossible,
    /// Shut the VM down (KubeVirt's default when neither the VM nor the cluster states one).
    None,
    /// Leave the eviction to an external controller.
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

/// What the scheduler may promise beyond physical capacity.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Overcommit {
    /// vCPUs per logical host CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Ratio>,
    /// Guest memory per byte of host memory; 1 (no overcommit, KubeVirt's default) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Ratio>,
}

/// What the deployment must survive and how it recovers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ha {
    /// How many failures the design must survive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerate: Option<Tolerate>,
    /// Longest acceptable drain of one worker by live migration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_window: Option<Interval>,
    /// KubeVirt spec.configuration.migrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<Migration>,
    /// How failed nodes are fenced so that their VMs may restart elsewhere; unknown when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fencing: Option<Fencing>,
}

/// How many simultaneous failures the design must survive.
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

/// KubeVirt's live-migration settings (spec.configuration.migrations).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Migration {
    /// KubeVirt's parallelMigrationsPerCluster; KubeVirt's default applies when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_migrations_per_cluster: Option<Count>,
    /// KubeVirt's parallelOutboundMigrationsPerNode; KubeVirt's default applies when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_outbound_migrations_per_node: Option<Count>,
    /// Per-migration bandwidth cap in bytes per second; 0 is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_per_migration: Option<ByteSize>,
    /// Seconds a migration may run per GiB it moves before KubeVirt aborts
    /// it; 0 never aborts. KubeVirt's default applies when absent
    /// (`kubev_ha_plan::MigrationLimits`).
    #[serde(rename = "completionTimeoutPerGiB", default, skip_serializing_if = "Option::is_none")]
    pub completion_timeout_per_gib: Option<Count>,
    /// Seconds without progress before KubeVirt aborts a migration; 0 never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_timeout: Option<Count>,
}

/// How a failed node is fenced before its VMs restart elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Fencing {
    /// No fencing: VMs of an unreachable node are not restarted automatically.
    None,
    /// medik8s Self Node Remediation.
    SelfNodeRemediation,
    /// medik8s Fence Agents Remediation (power fencing through the BMC).
    FenceAgents,
    /// Another fencing mechanism.
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

/// KubeVirt settings that change what the rules expect.
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
    /// The ratio as a number.
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

/// etcd settings that change what the rules expect.
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

/// The kubelet's memorySwap settings.
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

/// An accepted exception to a rule.
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
    /// An IP address.
    Ip(IpAddr),
    /// A DNS name, lower-cased.
    Name(String),
}

impl Address {
    /// The IP address, when the address is one.
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

/// Text that is no address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Digits and dots, or colons: meant as an IP address, but not one.
    #[error("`{0}` is not a valid IP address")]
    BadIp(String),
    /// Neither an IP address nor a DNS name (RFC 1123).
    #[error("`{0}` is neither an IP address nor a DNS name")]
    Neither(String),
}

impl FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, AddressError> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Address::Ip(ip));
        }
        let looks_numeric = s.rsplit('.').next().is_some_and(|last| last.chars().all(|c| c.is_ascii_digit()));
        if looks_numeric || s.contains(':') {
            return Err(AddressError::BadIp(s.to_string()));
        }
        if crate::validate::is_dns_name(s) {
            Ok(Address::Name(s.to_ascii_lowercase()))
        } else {
            Err(AddressError::Neither(s.to_string()))
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
    /// Whether `ip` lies in the network.
    pub fn contains(&self, ip: &IpAddr) -> bool {
        self.0.contains(ip)
    }
    /// Whether the two networks share any address.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0.network()) || other.0.contains(&self.0.network())
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Text that is no network in CIDR notation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// Not written as `ADDRESS/PREFIX`.
    #[error("`{0}` is not a CIDR; expected a network such as 10.244.0.0/16")]
    NotACidr(String),
    /// An address inside the network rather than the network itself.
    #[error("`{text}` has host bits set; did you mean `{network}`?")]
    HostBits {
        /// What was written.
        text: String,
        /// The network it lies in, as it should be written.
        network: ipnet::IpNet,
    },
}

impl FromStr for Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, CidrError> {
        let net: ipnet::IpNet = s.parse().map_err(|_| CidrError::NotACidr(s.to_string()))?;
        if net.trunc() != net {
            return Err(CidrError::HostBits { text: s.to_string(), network: net.trunc() });
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
    /// Metadata with only a name.
    pub fn named(name: &str) -> Metadata {
        Metadata { name: Located::new(name.to_string()), labels: BTreeMap::new(), annotations: BTreeMap::new() }
    }
}

impl Inventory {
    /// An inventory of one node and nothing else (how `kubev-ha host`
    /// judges the machine it runs on).
    pub fn single_node(metadata: Metadata, node: Node) -> Inventory {
        Inventory::of_nodes(metadata, vec![node])
    }

    /// An inventory of these nodes and nothing else declared: every
    /// section that is optional is absent (unknown), none assumed. Callers
    /// that know more set the sections they know.
    pub fn of_nodes(metadata: Metadata, nodes: Vec<Node>) -> Inventory {
        Inventory {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            metadata,
            profile: None,
            api_endpoint: None,
            network: None,
            nodes: nodes.into_iter().map(Located::new).collect(),
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

    /// The control-plane nodes, in file order.
    pub fn control_planes(&self) -> impl Iterator<Item = &Located<Node>> {
        self.nodes.iter().filter(|n| n.is_control_plane())
    }

    /// The worker nodes, in file order.
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

    /// The declared storage classes, none when `storage` is absent.
    pub fn storage_classes(&self) -> &[Located<StorageClass>] {
        self.storage.as_ref().map_or(&[], |s| &s.classes)
    }

    /// The storage class called `name`.
    pub fn storage_class(&self, name: &str) -> Option<&Located<StorageClass>> {
        self.storage_classes().iter().find(|c| c.name == name)
    }

    /// The class a disk without `storageClass` lands on.
    pub fn default_storage_class(&self) -> Option<&Located<StorageClass>> {
        self.storage_classes().iter().find(|c| c.default == Some(true))
    }

    /// The `network` section, without its position.
    pub fn network(&self) -> Option<&Network> {
        self.network.as_ref().map(|n| &n.value)
    }

    /// The dedicated migration network, when declared.
    pub fn migration_network(&self) -> Option<&MigrationNetwork> {
        self.network().and_then(|n| n.migration_network.as_ref())
    }

    /// The `ha` section, without its position.
    pub fn ha(&self) -> Option<&Ha> {
        self.ha.as_ref().map(|h| &h.value)
    }

    /// KubeVirt's migration settings, when declared.
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

#[cfg(test)]
mod node_tests {
    use super::*;

    /// A node made in code states nothing it was not told: every optional
    /// fact unknown, so the rules report it unknown, never pass.
    #[test]
    fn node_new_knows_name_address_and_roles_only() {
        let n = Node::new("w-1", Address::Name("w-1.example".into()), vec![Role::Worker]);
        assert_eq!(
            (n.name.as_str(), n.address.to_string().as_str(), n.roles.as_slice()),
            ("w-1", "w-1.example", &[Role::Worker][..])
        );
        assert!(n.zone.is_none() && n.rack.is_none() && n.cpu.is_none() && n.memory.is_none());
        assert!(n.disks.is_none() && n.nics.is_none() && n.ssh.is_none() && n.labels.is_empty());
    }
}
