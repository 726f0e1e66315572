//! Facts read from a host (by `kubev-ha host` on the host itself, or by
//! `kubev-ha probe` over SSH), in the inventory's node shape plus the
//! facts only a host can give: KVM, kernel, modules, swap, clock,
//! identity, listening ports.
//!
//! Declared facts are what people believe; these are what the machine
//! is. `merge_probed` fills them into an inventory, keeping the declared
//! one for HOST-DRIFT.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::inventory::{Cpu, Disk, DiskUsage, Inventory, Media, Nic, Virtualization};
use crate::quantity::{ByteSize, Count, LinkSpeed};

/// Everything one probe of one host found.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostFacts {
    // --- the inventory's node shape
    /// Logical CPUs, physical cores and the virtualisation KVM shows.
    pub cpu: Option<Cpu>,
    /// MemTotal from /proc/meminfo.
    pub memory: Option<ByteSize>,
    /// Block devices from /sys/block (partitions, loop and RAM disks left out).
    #[serde(default)]
    pub disks: Vec<HostDisk>,
    /// Every network link but `lo`.
    #[serde(default)]
    pub nics: Vec<HostNic>,
    // --- host-only facts
    /// The kernel's hostname.
    pub hostname: Option<String>,
    /// The kernel release (/proc/sys/kernel/osrelease).
    pub kernel: Option<String>,
    /// The distribution's PRETTY_NAME from /etc/os-release.
    pub os: Option<String>,
    /// The CPU model name from /proc/cpuinfo.
    pub cpu_model: Option<String>,
    /// KVM and the evidence for it.
    pub kvm: KvmFacts,
    /// Required kernel modules and how each is present.
    #[serde(default)]
    pub modules: BTreeMap<String, ModuleState>,
    /// `ipv6.disable=1` on the kernel command line; `None` when unreadable.
    pub ipv6_disabled: Option<bool>,
    /// Active swap areas; `None` when unreadable.
    pub swap: Option<Vec<String>>,
    /// Whether the clock is synchronised, from adjtimex.
    pub time_sync: TimeSync,
    /// The DMI product UUID; Kubernetes requires it unique per node.
    pub product_uuid: Option<String>,
    /// /etc/machine-id; Kubernetes requires it unique per node.
    pub machine_id: Option<String>,
    /// Sockets listening (TCP) or bound (UDP).
    #[serde(default)]
    pub listening: Vec<Listening>,
    /// The disk holding etcd's data directory (or where it would be).
    pub etcd_disk: Option<String>,
    /// The path that was looked up for etcd.
    pub etcd_path: Option<String>,
    /// Facts that could not be read, and why (permissions, say).
    #[serde(default)]
    pub unreadable: BTreeMap<String, String>,
    /// The link the default IPv4 route leaves by (/proc/net/route).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_route_link: Option<String>,
    /// The first IPv4 address on that link: the address other nodes most
    /// likely reach this one at (what `host --emit-node` declares).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_address: Option<std::net::IpAddr>,
}

/// One block device of a probed host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostDisk {
    /// The kernel's device name (`nvme0n1`, `sda`).
    pub name: String,
    /// The medium, from the device name and the rotational flag.
    #[serde(rename = "type")]
    pub kind: Option<Media>,
    /// The size, from /sys/block/DEV/size.
    pub size: Option<ByteSize>,
    /// The kernel's rotational flag: a spinning disk when true.
    pub rotational: Option<bool>,
    /// The device's model string, when the kernel has one.
    pub model: Option<String>,
    /// Mount points of interest on it (`/`, `/var/lib/etcd`).
    #[serde(default)]
    pub holds: Vec<String>,
}

/// One network link of a probed host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostNic {
    /// The link's name.
    pub name: String,
    /// `None` when the kernel does not know (virtual links report -1 or EINVAL).
    pub speed: Option<LinkSpeed>,
    /// The link MTU in bytes.
    pub mtu: Option<u32>,
    /// The kernel's operstate (`up`, `down`, `unknown`).
    pub operstate: Option<String>,
    /// The link's MAC address.
    pub mac: Option<String>,
    /// Virtual (bond, VLAN, bridge, veth, tunnel) rather than a physical port.
    #[serde(default)]
    pub virtual_link: bool,
    /// What kind of link it is.
    #[serde(default)]
    pub kind: LinkKind,
    /// The bond or bridge this link is enslaved to (its `master`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    /// A bond's slaves or a bridge's ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// The link a VLAN sits on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<String>,
    /// The VLAN ID of a VLAN link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan_id: Option<u16>,
    /// A bond member's own MAC (`bonding_slave/perm_hwaddr`): `mac` is the
    /// bond's, which the bond gives all its members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanent_mac: Option<String>,
}

/// How /sys/class/net shows a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    /// A port of a real (or paravirtual) network device: not below
    /// /sys/devices/virtual/net.
    #[default]
    Physical,
    /// Bonding driver (`bonding/`), its slaves in `bonding/slaves`.
    Bond,
    /// 802.1Q VLAN (`DEVTYPE=vlan`, /proc/net/vlan/config), on its `lower_*` link.
    Vlan,
    /// Linux bridge (`bridge/`), its ports in `brif/`.
    Bridge,
    /// One end of a veth pair: a container's or a network namespace's link.
    Veth,
    /// An overlay tunnel (Geneve, VXLAN, STT, GRE, ...).
    Tunnel,
    /// Any other virtual link (Open vSwitch internals, dummy, tun).
    Virtual,
}

impl LinkKind {
    /// The kind as reports write it.
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::Physical => "physical",
            LinkKind::Bond => "bond",
            LinkKind::Vlan => "VLAN",
            LinkKind::Bridge => "bridge",
            LinkKind::Veth => "veth",
            LinkKind::Tunnel => "tunnel",
            LinkKind::Virtual => "virtual",
        }
    }
}

impl HostNic {
    /// The MAC that identifies the hardware: a bond member's own, else the
    /// link's.
    pub fn hardware_mac(&self) -> Option<&str> {
        self.permanent_mac.as_deref().or(self.mac.as_deref())
    }

    /// "in bond0", "bond of eno1, eno2", "VLAN 100 on bond0": how the link
    /// relates to the others, empty for a plain link.
    pub fn relations(&self) -> String {
        let mut parts = Vec::new();
        match self.kind {
            LinkKind::Bond | LinkKind::Bridge if !self.members.is_empty() => {
                parts.push(format!("{} of {}", self.kind.name(), self.members.join(", ")))
            }
            LinkKind::Vlan => parts.push(format!(
                "VLAN{} on {}",
                self.vlan_id.map(|id| format!(" {id}")).unwrap_or_default(),
                self.lower.as_deref().unwrap_or("?")
            )),
            LinkKind::Physical => {}
            kind => parts.push(kind.name().to_string()),
        }
        if let Some(master) = &self.master {
            parts.push(format!("in {master}"));
        }
        parts.join(", ")
    }
}

/// How a required kernel module is present on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModuleState {
    /// Listed in /proc/modules.
    Loaded,
    /// Compiled into the kernel (modules.builtin, the kernel configuration, or /sys/module without
    /// an `initstate`).
    BuiltIn,
    /// Not loaded, but the kernel ships it (modprobe will find it).
    Available,
    /// Neither loaded, built in, nor shipped with the kernel.
    Missing,
    /// The module tree could not be read, so absent and not shipped look alike.
    Unknown,
}

/// The one wording of a module's state, for every report and finding.
/// Renderers that emphasise a state (the host report writes MISSING in
/// capitals) change the case of this text, never the words.
impl fmt::Display for ModuleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModuleState::Loaded => "loaded",
            ModuleState::BuiltIn => "built-in",
            ModuleState::Available => "available",
            ModuleState::Missing => "missing",
            ModuleState::Unknown => "unknown",
        })
    }
}

/// What was learnt about KVM, and from which evidence.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KvmFacts {
    /// `/dev/kvm` exists.
    pub device: Option<bool>,
    /// KVM_GET_API_VERSION's answer (must be 12).
    pub api_version: Option<i32>,
    /// KVM_CREATE_VM succeeded.
    pub create_vm: Option<bool>,
    /// Why the device could not be asked (permissions, not a device).
    pub error: Option<String>,
    /// `vmx`, `svm`, or none in /proc/cpuinfo.
    pub cpu_flag: Option<String>,
    /// `kvm_intel` or `kvm_amd` when loaded.
    pub module: Option<String>,
    /// Whether the KVM module allows nested virtualisation (its `nested` parameter).
    pub nested: Option<bool>,
    /// The CPU vendor, to name VT-x or AMD-V when KVM works without flags.
    pub vendor: Option<String>,
}

impl KvmFacts {
    /// Whether the KVM API answered as a working hypervisor does.
    pub fn works(&self) -> Option<bool> {
        match (self.api_version, self.create_vm) {
            (Some(12), Some(true)) => Some(true),
            (Some(_), Some(_)) => Some(false),
            (Some(v), None) if v != 12 => Some(false),
            _ if self.device == Some(false) => Some(false),
            _ => None,
        }
    }

    /// The virtualization the host offers VMs, from the strongest evidence.
    pub fn virtualization(&self) -> Virtualization {
        let by_vendor = || match self.vendor.as_deref() {
            Some("GenuineIntel") => Virtualization::VtX,
            Some("AuthenticAMD") | Some("HygonGenuine") => Virtualization::AmdV,
            _ => Virtualization::Unknown,
        };
        match (self.works(), self.cpu_flag.as_deref()) {
            (Some(true), Some("vmx")) => Virtualization::VtX,
            (Some(true), Some("svm")) => Virtualization::AmdV,
            (Some(true), _) => by_vendor(),
            (Some(false), None) => Virtualization::None,
            (Some(false), Some(_)) | (None, _) => Virtualization::Unknown,
        }
    }
}

/// Whether the clock is kept in sync, as the kernel sees it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeSync {
    /// The kernel's clock is synchronised (adjtimex without STA_UNSYNC); unknown when it could not
    /// be asked.
    pub synchronised: Option<bool>,
    /// What the kernel said (adjtimex state and status).
    pub detail: Option<String>,
}

/// A port something on the host listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listening {
    /// TCP or UDP.
    pub protocol: ListenProtocol,
    /// The port number.
    pub port: u16,
    /// Every socket on this port is bound to a loopback address
    /// (127.0.0.0/8 or ::1), as kubeadm binds kube-scheduler and
    /// kube-controller-manager: reachable from this host only.
    #[serde(default)]
    pub loopback: bool,
}

/// The transport of a listening socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListenProtocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// `tcp` or `udp`, as the port matrix writes protocols.
impl fmt::Display for ListenProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ListenProtocol::Tcp => "tcp",
            ListenProtocol::Udp => "udp",
        })
    }
}

/// The outcome of probing one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum HostProbe {
    /// The collection ran on the node.
    Probed {
        /// What the node's collectors read.
        facts: Box<HostFacts>,
    },
    /// The node could not be probed: SSH failed, the architecture or C library did not fit, or the
    /// deadline passed.
    Unreachable {
        /// Why, in words.
        reason: String,
    },
}

impl HostFacts {
    /// This machine as an inventory node with `roles`: its hostname made a
    /// valid node name (`this-host` when it has none), the address of its
    /// default route's link (else the name), and the probed hardware.
    pub fn to_node(&self, roles: Vec<crate::Role>) -> crate::Node {
        let name = self.hostname.as_deref().map(node_name).unwrap_or_else(|| THIS_HOST.into());
        let address =
            self.primary_address.map(crate::Address::Ip).unwrap_or_else(|| crate::Address::Name(name.clone()));
        crate::Node {
            cpu: self.cpu.clone(),
            memory: self.memory,
            disks: Some(self.inventory_disks()),
            nics: Some(self.inventory_nics()),
            ..crate::Node::new(name, address, roles)
        }
    }

    /// The disks in the inventory's shape, with usages from what they hold.
    pub fn inventory_disks(&self) -> Vec<Disk> {
        self.disks
            .iter()
            .map(|d| {
                let mut usage = Vec::new();
                if d.holds.iter().any(|h| h == "/") {
                    usage.push(DiskUsage::Os);
                }
                if self.etcd_disk.as_deref() == Some(d.name.as_str()) {
                    usage.push(DiskUsage::Etcd);
                }
                Disk { name: Some(d.name.clone()), kind: d.kind, size: d.size, usage }
            })
            .collect()
    }

    /// The links that carry the node's traffic, in the inventory's shape:
    /// physical ports, bonds, VLANs and bridges, in that order (NET-MTU
    /// takes the first as the node's primary NIC). Veths stand in for NICs
    /// only where the node has no physical port (a container or a network
    /// namespace) or where the default route leaves by one; elsewhere they
    /// are pods' and containers' ends. Tunnels and other virtual links are
    /// the overlay's and Open vSwitch's, not the node's.
    pub fn inventory_nics(&self) -> Vec<Nic> {
        let has_port = self.nics.iter().any(|n| n.kind == LinkKind::Physical);
        let mut links: Vec<&HostNic> = self
            .nics
            .iter()
            .filter(|n| match n.kind {
                LinkKind::Physical | LinkKind::Bond | LinkKind::Vlan | LinkKind::Bridge => true,
                LinkKind::Veth => {
                    (!has_port && n.master.is_none()) || self.default_route_link.as_deref() == Some(n.name.as_str())
                }
                LinkKind::Tunnel | LinkKind::Virtual => false,
            })
            .collect();
        links.sort_by_key(|n| n.kind);
        links.into_iter().map(|n| Nic { name: Some(n.name.clone()), speed: n.speed, mtu: n.mtu.map(Count) }).collect()
    }
}

/// `inventory` with the probed facts in place of the declared ones. Disk
/// usages the declaration gave a disk of the same name are kept (a probe
/// cannot know that a disk is meant for VMs).
pub fn merge_probed(inventory: &Inventory, hosts: &BTreeMap<String, HostProbe>) -> Inventory {
    let mut merged = inventory.clone();
    for node in &mut merged.nodes {
        let Some(HostProbe::Probed { facts }) = hosts.get(&node.name) else { continue };
        if let Some(cpu) = &facts.cpu {
            node.cpu = Some(cpu.clone());
        }
        if facts.memory.is_some() {
            node.memory = facts.memory;
        }
        if !facts.disks.is_empty() {
            let declared = node.disks.clone().unwrap_or_default();
            let mut disks = facts.inventory_disks();
            for disk in &mut disks {
                if let Some(d) = declared.iter().find(|d| d.name == disk.name) {
                    for usage in &d.usage {
                        if !disk.usage.contains(usage) {
                            disk.usage.push(*usage);
                        }
                    }
                }
            }
            node.disks = Some(disks);
        }
        if !facts.nics.is_empty() {
            node.nics = Some(facts.inventory_nics());
        }
    }
    merged
}

/// The node name of a machine that tells none, and of the one a
/// measurement without an inventory ran on (`kubev-ha disk`).
pub const THIS_HOST: &str = "this-host";

/// A hostname as an RFC 1123 node name: lower case, other characters as `-`.
fn node_name(hostname: &str) -> String {
    let mapped: String = hostname
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' })
        .collect();
    let trimmed = mapped.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() { THIS_HOST.into() } else { trimmed.chars().take(253).collect() }
}

#[cfg(test)]
mod node_name_tests {
    use super::*;

    #[test]
    fn a_hostname_becomes_a_valid_node_name() {
        assert_eq!(node_name("Web_01.Example."), "web-01.example");
        assert_eq!(node_name("__"), THIS_HOST);
        let facts = HostFacts { hostname: Some("CP 1".into()), ..HostFacts::default() };
        let node = facts.to_node(vec![crate::Role::ControlPlane]);
        assert_eq!((node.name.as_str(), node.address.to_string().as_str()), ("cp-1", "cp-1"));
        assert!(crate::validate::is_dns_label_or_subdomain(&node.name));
    }
}
