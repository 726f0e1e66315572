//! The requirement catalog: one list of rules, each a record of what it
//! requires and why, plus one pure function from facts to findings.
//!
//! `kubev-ha rules`, docs/rules.md and every report are rendered from this
//! list, so they cannot disagree. Rule IDs are a public contract (reports,
//! waivers and CI pipelines name them): never rename one.

use std::fmt;

use serde::Serialize;

use crate::finding::Finding;
use crate::judge::Judge;
use crate::rules::{control_plane as cp, ha, host, live, network as net, storage as st, workers as w};
use crate::thresholds::{Thresholds, describe_floors};

/// The part of the deployment a rule is about; reports group by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// The control-plane nodes and the etcd members on them.
    ControlPlane,
    /// The nodes that run the virtual machines.
    Workers,
    /// Storage classes, replication and the disks under them.
    Storage,
    /// Addresses, MTU, DNS, time and the ports between the nodes.
    Network,
    /// What the simulated failures of nodes and domains leave running.
    HighAvailability,
    /// One host's own facts (kernel, modules, swap, clock), probed on it.
    Host,
}

impl Area {
    /// Every area, in the order reports print them.
    pub const ALL: [Area; 6] =
        [Area::ControlPlane, Area::Workers, Area::Storage, Area::Network, Area::HighAvailability, Area::Host];

    /// The heading reports print for the area ("Control plane").
    pub fn title(self) -> &'static str {
        match self {
            Area::ControlPlane => "Control plane",
            Area::Workers => "Workers",
            Area::Storage => "Storage",
            Area::Network => "Network",
            Area::HighAvailability => "High availability",
            Area::Host => "Host facts",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// Where the facts a rule needs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactSource {
    /// The inventory (or KubeVCluster manifest) can say it.
    Declared,
    /// Only a measurement can say it; until one exists the rule reports unknown.
    Measured(&'static str),
    /// Computed by simulating failures of the declared design.
    Simulated,
}

/// Whether a rule can judge one host on its own (`kubev-ha host`), or
/// needs the whole cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// One host's facts are enough: `kubev-ha host` runs it alone.
    Host,
    /// Needs the whole inventory (counts, spread, the simulation).
    Cluster,
}

/// One requirement of the catalog.
pub struct Rule {
    /// Stable public ID, e.g. `CP-SPREAD`.
    pub id: &'static str,
    /// Whether one host's facts suffice, which `kubev-ha host` filters on.
    pub scope: Scope,
    /// The report section the rule's findings go under.
    pub area: Area,
    /// The requirement in one line, as ../shared/spec/rules.md states it.
    pub title: &'static str,
    /// The sentence of the Kube-V page the rule enforces; empty for rules
    /// the page does not state (their `source` says where they come from).
    pub quote: &'static str,
    /// Where the quote comes from.
    pub source: &'static str,
    /// The long explanation for `kubev-ha rules ID`.
    pub explanation: &'static str,
    /// Where the facts it judges come from: declared, measured or simulated.
    pub facts: FactSource,
    /// The severities of a profile, in words, rendered from its thresholds.
    pub policy: fn(&Thresholds) -> String,
    /// Judges the facts. Pure: it never opens a file or a socket.
    pub(crate) evaluate: fn(&Judge) -> Vec<Finding>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish_non_exhaustive()
    }
}

/// The rules `kubev-ha audit` runs on a live cluster: the catalog's rules
/// whose requirement a running cluster shows the same way (from where the
/// etcd pods run, the real PVCs, the real VMs), and the LIVE-* rules.
///
/// Left out are the rules whose facts the Kubernetes API does not give, so
/// that on a live cluster they could only say "unknown": physical cores
/// (W-CPU; nodes report logical CPUs), disks and their media (W-MEDIA,
/// CP-ETCD-*, ST-MEDIA), storage replication and capacity (ST-REPLICATION,
/// ST-CAPACITY), NICs, MTUs, CIDRs and ports (NET-NIC-SPEED, NET-MTU,
/// NET-CIDR, NET-PORTS), the DNS servers (NET-DNS), and the drain time,
/// which needs the NICs' speed and a maintenance window (HA-DRAIN-TIME).
pub const AUDIT_RULES: &[&str] = &[
    "CP-COUNT",
    "CP-SPREAD",
    "CP-API-LB",
    "W-COUNT",
    "W-VIRT",
    "W-MEMORY",
    "ST-LIVE-MIGRATION",
    "ST-VM-DISKS",
    "HA-NODE-FAILURE",
    "HA-ZONE-FAILURE",
    "HA-EVICTION",
    "HA-FENCING",
    "NET-MIGRATION",
    "NET-NODELOCAL-DNS",
];

/// Every rule `kubev-ha audit` judges: [`AUDIT_RULES`], then every LIVE-*
/// rule of the catalog, each once, in the catalog's order.
pub fn audit_rules() -> Vec<&'static str> {
    let mut only: Vec<&'static str> = AUDIT_RULES.to_vec();
    only.extend(CATALOG.iter().map(|r| r.id).filter(|id| id.starts_with("LIVE-") && !AUDIT_RULES.contains(id)));
    only
}

/// The rule with this ID (case-insensitive).
pub fn rule(id: &str) -> Option<&'static Rule> {
    CATALOG.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

pub(crate) fn rule_ids() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|r| r.id)
}

/// Every rule, in the order reports and docs/rules.md list them. A check
/// runs them all unless `CheckOptions::only` or `scope` narrows it.
pub static CATALOG: &[Rule] = &[
    // ---------------------------------------------------------------- control plane
    Rule {
        id: "CP-COUNT",
        scope: Scope::Cluster,
        area: Area::ControlPlane,
        title: "≥ 3 control-plane nodes for etcd quorum; an even count adds no fault tolerance; more than 7 slows etcd",
        quote: "Nodes: Minimum 3 control plane nodes to ensure a quorum for etcd (Kubernetes’ key-value store) and prevent a single point of failure.",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes",
        explanation: "etcd stays writable while a majority (quorum) of its members is up: floor(n/2)+1. \
With 1 or 2 members, losing one stops the cluster. 3 members survive one failure, 5 survive two, 7 survive three. \
An even count adds a member without adding tolerance (4 tolerates one failure, like 3, but has one more machine that can fail and one more vote to wait for). \
etcd's own FAQ advises against more than 7 members: every write waits for a majority, so larger clusters are slower and not more available in practice. \
kubeadm runs one etcd member per control-plane node, so the control-plane count is the member count.",
        facts: FactSource::Declared,
        policy: |t| {
            format!(
                "{} < {}, {} even or > {}",
                t.cp_count_too_few, t.cp_count_min, t.cp_count_even_or_large, t.cp_count_max
            )
        },
        evaluate: cp::count,
    },
    Rule {
        id: "CP-SPREAD",
        scope: Scope::Cluster,
        area: Area::ControlPlane,
        title: "etcd keeps quorum after the loss of any one failure domain (zone, else rack)",
        quote: "These should ideally be distributed across different failure domains (e.g., availability zones, racks).",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes",
        explanation: "A failure domain (a zone, else a rack) is what fails together: a power feed, a top-of-rack switch, a data centre. \
The rule takes the etcd members (the control-plane nodes), groups them by zone (or by rack when no zone is declared), and asks: \
if the largest group is lost, do the remaining members still form a quorum, floor(n/2)+1? \
Three members in three zones: losing any zone leaves 2 of 3, quorum holds. Three members in two zones (2+1): losing the zone with two leaves 1 of 3, quorum lost. \
Five members as 2+2+1: losing a zone with two leaves 3 of 5, quorum holds. \
A node without a zone or rack is counted both ways: the rule passes only if quorum holds even when every such node sits in the largest domain, \
fails if quorum is lost even when each such node sits alone, and is unknown in between. Declare `zone` (or `rack`) on every control-plane node.",
        facts: FactSource::Declared,
        policy: |t| format!("{} if quorum is lost", t.cp_spread),
        evaluate: cp::spread,
    },
    Rule {
        id: "CP-CPU",
        scope: Scope::Host,
        area: Area::ControlPlane,
        title: "≥ 2 vCPUs per control-plane node",
        quote: "CPU: At least 2 vCPUs per control plane node.",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes",
        explanation: "The API server, etcd, the controller manager, the scheduler and the OVN databases share the control-plane nodes; kubeadm's preflight refuses fewer than 2 CPUs. \
The rule reads `cpu.threads` (logical CPUs). When only `cpu.cores` is declared it is a lower bound: at least 2 cores passes, fewer is unknown.",
        facts: FactSource::Declared,
        policy: |t| describe_floors(t.cp_vcpus),
        evaluate: cp::cpu,
    },
    Rule {
        id: "CP-MEMORY",
        scope: Scope::Host,
        area: Area::ControlPlane,
        title: "≥ 4 GiB per control-plane node; 8–16 GiB recommended",
        quote: "RAM: At least 4 GB RAM per control plane node. Recommended: 8-16 GB for robust performance.",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes",
        explanation: "etcd keeps its whole key space in memory and the API server caches every watched object. \
Below 4 GiB a control-plane node runs out of memory as soon as the cluster grows; 8 to 16 GiB leave room for KubeVirt's and Kube-OVN's controllers.",
        facts: FactSource::Declared,
        policy: |t| describe_floors(t.cp_memory),
        evaluate: cp::memory,
    },
    Rule {
        id: "CP-ETCD-MEDIA",
        scope: Scope::Host,
        area: Area::ControlPlane,
        title: "etcd on SSD/NVMe",
        quote: "Storage: Fast, persistent storage for etcd (SSD-backed recommended) with sufficient capacity.",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes",
        explanation: "etcd calls fdatasync on its write-ahead log before it acknowledges a write. On a spinning disk that costs a seek and a rotation (5 to 15 ms), \
which pushes the WAL fsync p99 past etcd's 10 ms guidance and causes leader elections under load. \
The rule judges the disk with `usage: [etcd]`; without one, the `os` disk (etcd's default data dir is /var/lib/etcd on the root file system); \
with a single disk, that disk.",
        facts: FactSource::Declared,
        policy: |t| format!("{} on hdd", t.cp_etcd_on_hdd),
        evaluate: cp::etcd_media,
    },
    Rule {
        id: "CP-ETCD-CAPACITY",
        scope: Scope::Host,
        area: Area::ControlPlane,
        title: "etcd disk ≥ 2 × the etcd space quota (default quota 2 GiB, max advised 8 GiB)",
        quote: "Storage: Fast, persistent storage for etcd (SSD-backed recommended) with sufficient capacity.",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes",
        explanation: "etcd refuses writes (alarm NOSPACE) when its database reaches --quota-backend-bytes: 2 GiB by default \
(DefaultQuotaBytes) and at most 8 GiB by etcd's advice (MaxQuotaBytes, \"a larger quota may lead to degraded performance\"; \
etcd server/storage/quota.go, v3.6). A declared quota above 8 GiB is reported too.\n\n\
The factor of two is kubev-ha's own heuristic; no upstream gives a disk size for etcd. The reasoning: the database may grow to the \
quota; a snapshot (etcdctl snapshot save, or the backup kubeadm takes before an upgrade) is a second copy of it on the same disk, \
and defragmentation writes the compacted file beside the old one before it replaces it, so the worst moment needs about twice the \
quota. Declare `etcd.quotaBackendBytes` when you raised the quota.",
        facts: FactSource::Declared,
        policy: |t| format!("{} < {} × quota", t.cp_etcd_capacity, t.cp_etcd_capacity_factor),
        evaluate: cp::etcd_capacity,
    },
    Rule {
        id: "CP-ETCD-FSYNC",
        scope: Scope::Host,
        area: Area::ControlPlane,
        title: "measured fdatasync p99 < 10 ms (etcd's guidance; fio's etcd test)",
        quote: "Storage: Fast, persistent storage for etcd (SSD-backed recommended) with sufficient capacity.",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes; etcd hardware guidance",
        explanation: "Fast is measured, not declared: etcd's documentation asks for a 99th percentile of WAL fdatasync below 10 ms. \
`kubev-ha disk` measures it the way fio's well-known etcd test does (sequential 2300-byte writes, each followed by fdatasync), \
and `kubev-ha etcd` reads it from a running member's metrics. Until one of them has run, this rule is unknown.",
        facts: FactSource::Measured("kubev-ha disk / kubev-ha etcd"),
        policy: |t| format!("{} ≥ {} ms", t.cp_etcd_fsync, t.cp_etcd_fsync_p99_ms),
        evaluate: cp::etcd_fsync,
    },
    Rule {
        id: "CP-ETCD-HEALTH",
        scope: Scope::Cluster,
        area: Area::ControlPlane,
        title: "every etcd member answers a linearizable read; quorum holds with fault tolerance left; no alarms",
        quote: "Nodes: Minimum 3 control plane nodes to ensure a quorum for etcd (Kubernetes’ key-value store) and prevent a single point of failure.",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes; measured on the running cluster",
        explanation: "`kubev-ha etcd` asks every member, within a deadline, for its status and for a linearizable read (the read etcdctl's \
`endpoint health` makes: it goes through the leader and needs quorum). A running cluster keeps quorum while floor(n/2)+1 of its n voting \
members are healthy (learners do not vote); its fault tolerance is the number of healthy voters above that. Quorum lost fails; a cluster that \
holds quorum with no tolerance left (one more failure stops it) warns. An active alarm (NOSPACE: the database reached its quota and etcd \
refuses writes) fails.",
        facts: FactSource::Measured("kubev-ha etcd"),
        policy: |t| {
            format!(
                "{} when quorum is lost or an alarm is active, {} with no tolerance left",
                t.cp_etcd_health_lost, t.cp_etcd_health_no_tolerance
            )
        },
        evaluate: cp::etcd_health,
    },
    Rule {
        id: "CP-API-LB",
        scope: Scope::Cluster,
        area: Area::ControlPlane,
        title: "the API endpoint is a load balancer or VIP over all control-plane nodes, not one node",
        quote: "Load Balancing: External/internal load balancers for distributing traffic across control planes and worker nodes.",
        source: "Kube-V High-Availability Deployment › Networking",
        explanation: "Three API servers do not help if every kubelet and client talks to the first one. \
The rule fails when `apiEndpoint` has `loadBalancer: none` or names a single node's address or name, and when keepalived or kube-vip has no `vip` \
or uses a node's own address as the VIP. A VIP outside `network.nodeCIDR` fails for keepalived and for kube-vip in ARP mode (`apiEndpoint.mode: arp`): \
VRRP and gratuitous ARP only move an address within one L2 segment. kube-vip in BGP mode (`apiEndpoint.mode: bgp`) announces the VIP as a route to its BGP peers \
(kube-vip pkg/bgp, v1.2.3), so any routed address will do; a kube-vip VIP outside the node CIDR with no declared mode is unknown. \
MetalLB announces Service IPs from inside the cluster, so it cannot front the API server of that same cluster during bootstrap or recovery.",
        facts: FactSource::Declared,
        policy: |t| format!("{} on a single-node endpoint", t.cp_api_lb),
        evaluate: cp::api_lb,
    },
    // ---------------------------------------------------------------- workers
    Rule {
        id: "W-COUNT",
        scope: Scope::Cluster,
        area: Area::Workers,
        title: "≥ 2 VM-capable workers (live migration, rescheduling)",
        quote: "Minimum 2 worker nodes (for KubeVirt VMs): For HA, you need more than one node to run VMs. This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes",
        explanation: "A VM can only move (live migration) or restart (after a node failure) if there is another node to go to. \
The rule counts nodes with the worker role, leaving out those declared `cpu.virtualization: none`; whether the rest really run KVM is W-VIRT's question.",
        facts: FactSource::Declared,
        policy: |t| format!("{} < {}", t.w_count, t.w_count_min),
        evaluate: w::count,
    },
    Rule {
        id: "W-VIRT",
        scope: Scope::Host,
        area: Area::Workers,
        title: "Intel VT-x or AMD-V enabled (KVM); software emulation is not HA-grade",
        quote: "Each worker node must have Intel VT-x or AMD-V hardware virtualization extensions enabled in the BIOS/UEFI. This is a fundamental requirement for KubeVirt to leverage KVM (Kernel-based Virtual Machine) for efficient VM execution. Without this, KubeVirt can fall back to software emulation, but it’s significantly slower and not suitable for production HA.",
        source: "Kube-V High-Availability Deployment › Worker Nodes",
        explanation: "KubeVirt runs VMs with KVM, which needs the CPU's virtualization extensions enabled in firmware. Without them KubeVirt only runs VMs when \
`useEmulation` is set, in software, many times slower. The minimum profile accepts that with a warning when `kubevirt.useEmulation: true` is declared; \
production never does. A declared `vt-x`/`amd-v` is a claim: `kubev-ha host` and `kubev-ha probe` prove it by opening /dev/kvm (HOST-KVM).",
        facts: FactSource::Declared,
        policy: |t| {
            if t.w_virt_missing == t.w_virt_missing_emulation_allowed {
                format!("{} without", t.w_virt_missing)
            } else {
                format!(
                    "{} without ({} when emulation is explicitly allowed)",
                    t.w_virt_missing, t.w_virt_missing_emulation_allowed
                )
            }
        },
        evaluate: w::virt,
    },
    Rule {
        id: "W-CPU",
        scope: Scope::Host,
        area: Area::Workers,
        title: "≥ 8 cores (test); ≥ 16 recommended for production",
        quote: "CPU: A minimum of 8 CPU cores per node is suggested for testing environments. For production deployments, 16 CPU cores or more per node are recommended to accommodate multiple VMs and their workloads effectively.",
        source: "Kube-V High-Availability Deployment › Worker Nodes",
        explanation: "Judged on physical cores (`cpu.cores`). When only `cpu.threads` is declared it is an upper bound on cores: \
fewer threads than the floor fails, otherwise the rule is unknown.",
        facts: FactSource::Declared,
        policy: |t| describe_floors(t.w_cores),
        evaluate: w::cpu,
    },
    Rule {
        id: "W-MEMORY",
        scope: Scope::Host,
        area: Area::Workers,
        title: "≥ 8 GiB; 16–32 GiB recommended",
        quote: "RAM: At least 8 GB RAM per node. Recommended: 16-32 GB, depending on the number and memory requirements of your VMs.",
        source: "Kube-V High-Availability Deployment › Worker Nodes",
        explanation: "The floor for any worker; whether the memory is enough for the declared VMs, also after a failure, is HA-NODE-FAILURE's question.",
        facts: FactSource::Declared,
        policy: |t| describe_floors(t.w_memory),
        evaluate: w::memory,
    },
    Rule {
        id: "W-MEDIA",
        scope: Scope::Host,
        area: Area::Workers,
        title: "SSD/NVMe for VM disks",
        quote: "Storage: SSDs or NVMe drives are highly recommended for good VM performance in addition to sufficient storage capacity based on the disk images of your VMs and any data they store.",
        source: "Kube-V High-Availability Deployment › Worker Nodes",
        explanation: "Judges the worker's disks with `usage` vm or storage; without such a usage, every disk that is not only the OS disk.",
        facts: FactSource::Declared,
        policy: |t| format!("{} on hdd", t.w_media_hdd),
        evaluate: w::media,
    },
    // ---------------------------------------------------------------- storage
    Rule {
        id: "ST-LIVE-MIGRATION",
        scope: Scope::Cluster,
        area: Area::Storage,
        title: "at least one class gives ReadWriteMany (Block or Filesystem); Block without RWX does not live-migrate",
        quote: "CSI Driver Capabilities (Crucial for HA/Live Migration): This is perhaps the most critical component for KubeVirt HA and live migration. You need a shared storage backend that supports ReadWriteMany (RWX) access mode or Block-mode (volumeMode: Block) volumes.",
        source: "Kube-V High-Availability Deployment › Storage",
        explanation: "The page says \"RWX or Block\". KubeVirt is stricter: a VMI is live-migratable only when every PVC it uses is shared, that is ReadWriteMany \
(pkg/virt-controller/watch/vmi.go: \"cannot migrate VMI: PVC ... is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)\"). \
volumeMode Block is what makes RWX possible on block storage such as Ceph RBD, but Block with only ReadWriteOnce does not migrate. \
The rule passes when at least one class offers ReadWriteMany, and names Block-only classes that do not.",
        facts: FactSource::Declared,
        policy: |t| format!("{} without any RWX class", t.st_live_migration),
        evaluate: st::live_migration,
    },
    Rule {
        id: "ST-VM-DISKS",
        scope: Scope::Cluster,
        area: Area::Storage,
        title: "every workload with evictionStrategy LiveMigrate keeps its disks on RWX classes",
        quote: "You need a shared storage backend that supports ReadWriteMany (RWX) access mode or Block-mode (volumeMode: Block) volumes.",
        source: "Kube-V High-Availability Deployment › Storage",
        explanation: "A VM that is meant to live-migrate on drain (evictionStrategy LiveMigrate, its own or, when it states none, the cluster's \
`kubevirt.evictionStrategy`) but keeps a disk on a ReadWriteOnce class is not migratable: the drain blocks on it. Disks without `storageClass` use the default class. Disks with `source: containerDisk` or `emptyDisk` live in the \
virt-launcher pod and are block-migrated (copied with the VM), so they do not block a migration; HA-DRAIN-TIME counts them in the data moved.",
        facts: FactSource::Declared,
        policy: |t| format!("{} per workload", t.st_vm_disks),
        evaluate: st::vm_disks,
    },
    Rule {
        id: "ST-REPLICATION",
        scope: Scope::Cluster,
        area: Area::Storage,
        title: "replicas ≥ 2, spread over a failure domain at least as wide as `ha.tolerate`",
        quote: "Replication and Redundancy: To achieve HA, data must be replicated across multiple nodes or availability zones. If a node fails, the data should still be accessible from another.",
        source: "Kube-V High-Availability Deployment › Storage",
        explanation: "Each class needs at least 2 replicas, and more replicas than the failures it must survive: `ha.tolerate.nodes` + 1 when replicas are spread over hosts, \
`ha.tolerate.zones` + 1 over zones. When the design must survive a zone (`ha.tolerate.zones` ≥ 1), replicas spread only over hosts or racks may all sit in the lost zone.\n\n\
After the tolerated failure, replication and capacity (ST-CAPACITY) read one model of where replicas sit: each piece of data on \
`replicas` distinct units of the class's failureDomain (storage hosts, racks within a zone, or zones) among the storage nodes, so never \
more copies than units. The worst tolerated failure takes whole the most units it can (the zones holding the most units, or the \
smallest units a node loss can empty); the data may be lost when that is every copy, and runs degraded when fewer units than \
replicas are left.",
        facts: FactSource::Declared,
        policy: |t| format!("{} below", t.st_replication),
        evaluate: st::replication,
    },
    Rule {
        id: "ST-CAPACITY",
        scope: Scope::Cluster,
        area: Area::Storage,
        title: "Σ VM disk × replicas ≤ 85 % of capacity",
        quote: "Capacity: Sufficient storage capacity based on the disk images of your VMs and any data they store.",
        source: "Kube-V High-Availability Deployment › Storage",
        explanation: "For each class: the declared VM disks on it (size × VM replicas) times the class's replica count, against its raw capacity. \
Above 100 % the data does not fit: fail.\n\n\
The 85 % warning is kubev-ha's own threshold, applied to every class. It borrows Ceph's default nearfull ratio \
(mon osd nearfull ratio, .85, ceph doc/rados/configuration/mon-config-ref.rst), past which Ceph warns, and the reasoning behind it \
holds for any replicated store: when a disk or node fails its replicas are rebuilt on the disks that are left, which needs free room, \
and a store that runs full stops writes. Other backends publish no figure of their own.\n\n\
After the tolerated failure (the zones, or storage nodes, with the most capacity lost) the data needs one copy on each of as many \
units of the failure domain as are left, up to `replicas` (with failureDomain zone, the one zone left holds one copy, never three); \
a unit holds at most one copy of each piece, and the figure is the fill of the fullest unit in the best spread. Nothing left is \
unbounded. This is the same placement model ST-REPLICATION reads.",
        facts: FactSource::Declared,
        policy: |t| {
            format!(
                "fail > {:.0} %, warn > {:.0} %",
                t.st_capacity_fail_ratio * 100.0,
                t.st_capacity_warn_ratio * 100.0
            )
        },
        evaluate: st::capacity,
    },
    Rule {
        id: "ST-MEDIA",
        scope: Scope::Cluster,
        area: Area::Storage,
        title: "SSD/NVMe backing",
        quote: "Performance: SSDs or NVMe drives are highly recommended for good VM performance where high-throughput services, low-latency, high-IOPS storage (often block storage) is critical.",
        source: "Kube-V High-Availability Deployment › Storage",
        explanation: "Judges each class's declared `media`.",
        facts: FactSource::Declared,
        policy: |t| format!("{} on hdd", t.st_media_hdd),
        evaluate: st::media,
    },
    // ---------------------------------------------------------------- network
    Rule {
        id: "NET-NIC-SPEED",
        scope: Scope::Host,
        area: Area::Network,
        title: "≥ 1 Gbps; 10 Gbps recommended",
        quote: "High-bandwidth, low-latency connections: 1 Gbps NICs are a minimum; 10 Gbps or higher is recommended for performance-sensitive workloads and efficient live migration.",
        source: "Kube-V High-Availability Deployment › Networking",
        explanation: "Judges each node's fastest declared NIC (a slow management or BMC port beside fast data ports is fine). \
A NIC whose speed is not declared does not count; a node with no known speed is unknown.",
        facts: FactSource::Declared,
        policy: |t| describe_floors(t.net_nic_speed),
        evaluate: net::nic_speed,
    },
    Rule {
        id: "NET-MIGRATION",
        scope: Scope::Cluster,
        area: Area::Network,
        title: "a dedicated migration network is recommended; when declared, every worker has its NIC",
        quote: "Dedicated network for live migration (recommended): While not strictly minimal, a dedicated Multus network for live migration can significantly reduce network saturation on tenant workloads during migrations.",
        source: "Kube-V High-Availability Deployment › Networking",
        explanation: "KubeVirt's `migrations.network` names a Multus NetworkAttachmentDefinition; every worker must have the interface it is bound to, \
or migrations to and from that worker fail. The rule checks that every worker declares a NIC named `network.migrationNetwork.nic`.",
        facts: FactSource::Declared,
        policy: |t| {
            format!("{} if absent, {} if a worker lacks it", t.net_migration_absent, t.net_migration_nic_missing)
        },
        evaluate: net::migration,
    },
    Rule {
        id: "NET-MTU",
        scope: Scope::Cluster,
        area: Area::Network,
        title: "NIC MTUs agree across nodes; the overlay fits (Kube-OVN reserves 100 bytes for Geneve)",
        quote: "A well-planned and correctly configured network infrastructure is fundamental to the stability and performance of Kubermatic Virtualization.",
        source: "Kube-V High-Availability Deployment › Networking; implied",
        explanation: "Nodes whose MTUs differ drop large packets silently between them: TCP handshakes work, bulk transfers stall. \
The rule compares each node's primary NIC (the first declared one that is not the migration NIC) across all nodes, and the migration NICs across workers. \
It also reports what the overlay leaves for pods: Kube-OVN subtracts the tunnel header (Geneve 100, VXLAN 50, STT 72 bytes), so a 1500-byte underlay gives pods 1400.",
        facts: FactSource::Declared,
        policy: |t| format!("{} on mismatch, {} on shrink", t.net_mtu_mismatch, t.net_mtu_shrink),
        evaluate: net::mtu,
    },
    Rule {
        id: "NET-CIDR",
        scope: Scope::Cluster,
        area: Area::Network,
        title: "pod, service, node and migration CIDRs do not overlap",
        quote: "This includes considerations for IP addressing, DNS, load balancing, and inter-component communication.",
        source: "Kube-V High-Availability Deployment › Networking",
        explanation: "Overlapping ranges make routes ambiguous: a pod IP that is also a node IP is unreachable from one side. \
The rule checks every pair of declared CIDRs, and that node addresses lie outside the pod and service ranges.",
        facts: FactSource::Declared,
        policy: |t| format!("{} on overlap", t.net_cidr_overlap),
        evaluate: net::cidr,
    },
    Rule {
        id: "NET-DNS",
        scope: Scope::Cluster,
        area: Area::Network,
        title: "DNS servers are configured and resolve every node",
        quote: "DNS: DNS resolution is crucial for the Kube-V environment, enabling all nodes to find each other and external services.",
        source: "Kube-V High-Availability Deployment › Networking",
        explanation: "Declared: `network.dns.servers` is not empty. Measured by `kubev-ha net check` (and `net matrix`) on every node, two ways. \
The system resolver (getaddrinfo) must resolve every node name to its declared address: that is what kubelet and etcd get; each answer says \
whether it came from the node's /etc/hosts. And every declared server is asked itself, with a real DNS query (A, or AAAA for an IPv6 address) \
to port 53 over UDP, again over TCP when the answer is truncated (RFC 1035 §4.2, RFC 7766 §5), with the node's resolv.conf search domains \
and ndots applied as resolv.conf(5) describes; each server must answer every node name with its declared address. An answer from /etc/hosts \
is never counted for a server: a node with a dead DNS server still resolves every name listed there. A server that refuses (nothing listens) \
or stays silent fails; a name it does not know fails even when /etc/hosts knows it. Without declared servers none is asked, and the rule \
passes only when every lookup matched and none came from /etc/hosts; until measured, the rule is unknown.",
        facts: FactSource::Measured("kubev-ha net check"),
        policy: |t| format!("{} without servers, answering servers or resolution", t.net_dns),
        evaluate: net::dns,
    },
    Rule {
        id: "NET-NODELOCAL-DNS",
        scope: Scope::Cluster,
        area: Area::Network,
        title: "infra and guest clusters using NodeLocal DNSCache on the same IP without VM dnsPolicy None / dnsConfig → DNS loop in guest VMs",
        quote: "A potential conflict can arise if both the KubeVirt infrastructure and guest user clusters use NodeLocal DNSCache with the same default IP address, leading to DNS resolution issues for guest VMs. This can be mitigated by adjusting the dnsConfig and dnsPolicy of the guest VMs.",
        source: "Kube-V High-Availability Deployment › Networking",
        explanation: "NodeLocal DNSCache binds a link-local address on every node. When a guest cluster inside the VMs uses the same address, \
the guest's queries are answered by the guest's own cache, which forwards to itself. Give the guest VMs `dnsPolicy: None` with an explicit `dnsConfig`, \
or use another address in one of the two clusters.\n\n\
The rule compares the addresses the two clusters are configured with, never assumed ones: the addon's own manifest uses 169.254.20.10 \
(kubernetes cluster/addons/dns/nodelocaldns/README.md), Kubespray 169.254.25.10 (nodelocaldns_ip, \
roles/kubespray_defaults/defaults/main/main.yml), and an installer may choose another. The page speaks of \"the same default IP\"; \
there is no one default. The infrastructure's address is the declared `network.dns.nodeLocalDNSCache.ip`, else the one \
`kubev-ha net check` found its nodes binding (it looks for the declared address, else for both well-known ones); the guest's is \
`guestClusters[].nodeLocalDNSCache.ip`. An address neither declared nor measured leaves the rule unknown, unless the VMs use \
dnsPolicy None, which avoids the loop whatever the addresses.",
        facts: FactSource::Declared,
        policy: |t| format!("{} on conflict", t.net_nodelocal_dns),
        evaluate: net::nodelocal_dns,
    },
    Rule {
        id: "NET-PORTS",
        scope: Scope::Host,
        area: Area::Network,
        title: "every port of the matrix is reachable from where it must be, and free before install",
        quote: "Connectivity: Full and unrestricted network connectivity is paramount between all host nodes. Firewalls and security groups must be configured to permit all necessary Kubernetes control plane traffic, KubeVirt communication, and KubeV-specific inter-cluster communication.",
        source: "Kube-V High-Availability Deployment › Networking, port table",
        explanation: "Reachability can only be measured: `kubev-ha net check` and `kubev-ha net matrix` probe every (node, port, protocol) of the port matrix \
(`kubev-ha rules --ports`) from where it must be reached. Until then this rule is unknown.\n\n\
Each row of the matrix says which network the port lives on, and only `node` rows are probed node to node. kube-scheduler (10259) and \
controller-manager (10257) are `local-only`: kubeadm binds them to 127.0.0.1 (cmd/kubeadm/app/phases/controlplane/manifests.go), so another \
node finds them closed on a healthy cluster; a probed host's listening sockets show them free before install and on loopback after. \
virt-api's 8443 and the live-migration ports live in pods (`pod`, `migration`): virt-api is a pod-network Deployment and the receiving \
virt-handler's migration proxy listens on a random port in its pod (KubeVirt v1.9.0, pkg/virt-handler/migration-proxy), so a probe of a node \
address proves nothing about them; they are left to the live-cluster audit. kube-ovn-controller's metrics (10660) are required on the \
control planes only (Kube-OVN's masters). Rows a feature adds join when the inventory turns it on: Self Node Remediation's 30001 \
(`ha.fencing`), BGP 179 (`apiEndpoint.mode: bgp` with kube-vip, or `network.bgp`), ovn-ic 6645–6648 (`network.interconnection`), \
VXLAN 4789/udp or STT 7471/tcp instead of Geneve (`network.overlay`), and keepalived's VRRP (IP protocol 112, not probeable).",
        facts: FactSource::Measured("kubev-ha net check / net matrix"),
        policy: |t| format!("{} on any unreachable or taken port", t.net_ports),
        evaluate: net::ports,
    },
    // ---------------------------------------------------------------- HA
    Rule {
        id: "HA-NODE-FAILURE",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "after losing any `ha.tolerate.nodes` workers, every VM with runStrategy Always/RerunOnFailure fits on the survivors",
        quote: "For HA, you need more than one node to run VMs. This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes; implied: rescheduling needs room",
        explanation: "Rescheduling needs free capacity. `kubev-ha plan` places the declared VMs as the default scheduler would \
(NodeResourcesFit, LeastAllocated: each VM on the feasible worker with the most free CPU and memory, largest VMs first), then removes each \
worker, or each set of `ha.tolerate.nodes` workers (all sets while there are at most 10,000, else a sample with a stated seed plus the busiest set), \
and re-places the displaced VMs that KubeVirt restarts (runStrategy Always or RerunOnFailure; an undeclared runStrategy counts as Always) \
on the survivors, best-fit decreasing, while the survivors' own VMs stay where they are.\n\n\
A VM needs its vCPUs divided by the CPU overcommit (KubeVirt's cpuAllocationRatio, default 10) of a worker's logical CPUs (a whole CPU \
per vCPU with `dedicatedCpus: true`), and its memory request (the memory divided by the memory overcommit) plus KubeVirt's virt-launcher \
overhead of the worker's memory less the kubelet's 100Mi eviction threshold. The overhead is KubeVirt's own computation for the release in \
`kubevirt.version` (GetMemoryOverhead in pkg/virt-controller/services/renderresources.go up to v1.7, pkg/hypervisor/kvm/hypervisorbackend.go \
from v1.8.0; kubev-ha models v1.2.0 to v1.9.0 and assumes v1.9.0 when no version is declared, saying so in the plan): page tables (1/512 of \
the memory request), the launcher's processes (220Mi since v1.5.0; 210Mi in v1.2.0 to v1.4.0, 215Mi in v1.4.1), 8Mi per vCPU, 8Mi for the \
IOThread, video RAM (32Mi since v1.6.0, 16Mi before), +100Mi with dedicated CPUs, all multiplied by `kubevirt.additionalGuestMemoryOverheadRatio` \
(the 100Mi too since v1.5.3). Each VM is also one virt-launcher pod: a worker takes at most the kubelet's maxPods (default 110, \
kubernetes pkg/kubelet/apis/config/v1beta1/defaults.go) less its DaemonSet pods (`kubelet.daemonSetPods`, else an assumed 10), and \
kube-scheduler refuses a node at that limit (\"Too many pods\", NodeResourcesFit), so a survivor at its pod limit takes no more VMs. \
`spread: true` keeps replicas on distinct workers; control-plane-only and storage-only nodes take no VMs.\n\n\
A dead worker's VMs restart only after node remediation: KubeVirt marks them failed once their virt-launcher pods are gone \
(pkg/virt-controller/watch/node/node.go, v1.9.0), and Kubernetes does not delete the pods of a node it cannot reach. With \
`ha.fencing: none` the verdict is fail, and with `ha.fencing` undeclared a design that would survive is unknown; both say what the \
verdict is with fencing (HA-FENCING).\n\n\
The verdict is one of: fits (a home was found for every VM); cannot fit, proven by a lower bound that holds for any re-placement (the \
survivors' total CPU or memory against everything that must run, a VM against the largest survivor, a VM against the largest free space \
on any survivor, which only shrinks since the survivors' VMs stay put, a spread workload's replicas against the number of survivors): \
fail; or not found by the heuristic while no bound proves it impossible: warn, with the numbers. When the sets were sampled and every \
sampled set fits, the sets not drawn were never simulated: info, naming the sample (N sampled of M sets, seed S), never pass; \
`kubev-ha plan --enumerate-up-to` can simulate them all. \
When the design does not survive, the plan searches the smallest number of extra workers of the most common shape that makes every scenario fit.",
        facts: FactSource::Simulated,
        policy: |t| format!("{} when a VM finds no home", t.ha_node_failure),
        evaluate: ha::node_failure,
    },
    Rule {
        id: "HA-ZONE-FAILURE",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "after losing any `ha.tolerate.zones` failure domains, etcd keeps quorum and the VMs fit",
        quote: "These should ideally be distributed across different failure domains (e.g., availability zones, racks).",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes; implied",
        explanation: "Removes each failure domain (zone, else rack), or each set of `ha.tolerate.zones` domains, and checks that the \
surviving etcd members keep quorum (floor(n/2)+1 of the control-plane nodes) and that the restartable VMs of the lost domains fit on the \
surviving workers, with the same placement, bounds and verdicts as HA-NODE-FAILURE. Quorum is judged by arithmetic on the worst set, \
the k domains holding the most members, so it holds for every set even when the sets were sampled: losing any k domains keeps quorum \
when those k hold at most n − quorum(n) members, which needs at least 2k+1 domains (5 members, one per zone, over 5 zones for k = 2). \
When `ha.tolerate.zones` is 0 the result is reported \
as information. A worker without a zone is assumed to survive; then a pass becomes unknown. When quorum is lost the fix is the members \
there are spread anew, or else the smallest layout that survives and how many domains it needs (CP-SPREAD); when VMs do not fit, the \
plan names how many workers to add to which zones; when both fail, both are reported, with both fixes.",
        facts: FactSource::Simulated,
        policy: |t| format!("{} when quorum is lost or a VM finds no home", t.ha_zone_failure),
        evaluate: ha::zone_failure,
    },
    Rule {
        id: "HA-DRAIN-TIME",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "draining the busiest worker by live migration fits `ha.maintenanceWindow`, given NIC speed, migration network and parallelism",
        quote: "Dedicated network for live migration (recommended): While not strictly minimal, a dedicated Multus network for live migration can significantly reduce network saturation on tenant workloads during migrations.",
        source: "Kube-V High-Availability Deployment › Networking; implied: maintenance drains by live migration",
        explanation: "The model, computed by `kubev-ha plan` for every worker and every failure domain:\n\n\
1. What moves: each VM on the worker that a drain live-migrates, by the answer HA-EVICTION gives (its eviction strategy, else the \
cluster's, else None, and whether its PVCs are shared), moves its guest memory and its \
block-migrated disks, the ones that live in the virt-launcher pod (`source: containerDisk` or `emptyDisk` on a workload disk), which \
libvirt copies because they are not shared (KubeVirt v1.8.0, pkg/virt-handler/vm.go checkVolumesForMigration and \
pkg/virt-launcher/virtwrap/live-migration-source.go classifyVolumesForMigration); ReadWriteMany PVCs stay where they are. Other VMs are \
shut down by the drain, not migrated. Everything is sent once (one pre-copy pass of an idle guest): busy guests re-send dirtied pages, \
so the real drain takes longer and the figure is a lower bound.\n\n\
2. The path KubeVirt takes: with a dedicated migration network (network.migrationNetwork.nic, KubeVirt's `migration0` interface) that \
NIC; without one, virt-handler migrates from its pod IP (pkg/virt-handler/migration.go FindMigrationIP, v1.8.0), so the data crosses \
the pod overlay, where Kube-OVN gives pods the NIC's MTU less the tunnel's reservation (pkg/daemon/config.go, pkg/util/const.go, \
Kube-OVN v1.16.2: Geneve 100, VXLAN 50, STT 72 bytes; Geneve when network.overlay is not declared). Which NIC carries the overlay \
(Kube-OVN's --iface, the default-route interface) the inventory does not say: a node's only NIC, else its fastest, named as an \
assumption. Goodput is payload over wire bytes per packet: the path MTU less 40 bytes of IP and TCP headers, over the packet plus 38 \
bytes of Ethernet framing and, in the overlay, at least 50 bytes of encapsulation (outer IPv4, UDP, an 8-byte Geneve or VXLAN header, \
the inner Ethernet header: RFC 8926, RFC 7348); KubeVirt's TLS (unless migrations.disableTLS) adds 22 bytes per 16 KiB record (TLS 1.3, \
RFC 8446 §5.2). At MTU 1500 that is 94.8 % of line rate on a dedicated NIC and 91.3 % through Geneve. Measured bandwidth \
(`kubev-ha net bandwidth`) replaces the declared speed once taken, with the overlay's and TLS's share taken off.\n\n\
3. Parallelism: at most parallelOutboundMigrationsPerNode migrations leave a node at once and parallelMigrationsPerCluster run in \
the whole cluster (KubeVirt's defaults: 2 and 5); migrations leaving one node share its link equally, and each is capped at \
bandwidthPerMigration (default 0, no cap). The largest VMs go first; receivers are assumed not to be the bottleneck.\n\n\
4. The time is an event-driven simulation of those rules; the busiest worker's time is judged against ha.maintenanceWindow. \
A drain also needs room on the other workers: when losing the busiest worker leaves VMs without a home (HA-NODE-FAILURE), \
the drain cannot finish and the rule says so.\n\n\
5. KubeVirt's abort: the migration monitor cancels a migration that runs longer than completionTimeoutPerGiB × its data \
(pkg/virt-launcher/virtwrap/live-migration-source.go, newMigrationMonitor and shouldTriggerTimeout, v1.8.0). The data is what \
getVMIMigrationDataSize counts (pkg/virt-launcher/virtwrap/manager.go): the guest memory plus, in a block migration, the files of the \
pod's ephemeral-disk directory (containerDisk overlays; emptyDisks live elsewhere and are copied but not counted), rounded up to whole \
GB of 10^9 bytes despite the name. The default is 150 s (pkg/virt-config/virt-config.go MigrationCompletionTimeoutPerGiB: 800 s in \
v1.0 to v1.3, 150 s since v1.4.0), so a 4 GiB VM (4.3 GB, counted as 5) has 750 s. Each VM whose lower-bound time within its worker's \
drain exceeds that budget is named with the arithmetic: its migration is aborted however idle the guest, and the drain does not finish. \
The other abort, progressTimeout (default 150 s, MigrationProgressTimeout), fires after that long without progress; the model's \
migrations always progress, so it is only reported. With allowPostCopy (or allowWorkloadDisruption) KubeVirt switches to post-copy or \
pauses the guest at the timeout instead of aborting; the inventory does not declare those, so the abort is assumed.",
        facts: FactSource::Simulated,
        policy: |t| {
            format!(
                "{} when over the window; {} per workload whose migration outlasts KubeVirt's completion timeout",
                t.ha_drain_time, t.ha_drain_abort
            )
        },
        evaluate: ha::drain_time,
    },
    Rule {
        id: "HA-FENCING",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "node remediation (fencing) is configured; without it KubeVirt leaves a dead node's VMs stuck",
        quote: "This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes; implied: rescheduling after failure needs fencing",
        explanation: "When a node stops responding, Kubernetes cannot tell a dead node from a partitioned one, so it never deletes the pods of a \
stateful workload on its own: the virt-launcher pods stay Terminating and KubeVirt does not start the VMs elsewhere, because two copies of a VM writing to the same RWX disk \
would corrupt it. A remediation operator (self-node-remediation, fence-agents-remediation) makes sure the node is down (reboot or power-off) and then releases its pods. \
Declare `ha.fencing`.",
        facts: FactSource::Declared,
        policy: |t| format!("{} without", t.ha_fencing),
        evaluate: ha::fencing,
    },
    Rule {
        id: "HA-EVICTION",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "VMs that must stay up use evictionStrategy LiveMigrate",
        quote: "This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes; implied: maintenance without downtime",
        explanation: "A node drain evicts the VMs on it. The strategy in force is the workload's `evictionStrategy`, else the cluster's \
(`kubevirt.evictionStrategy`, the KubeVirt CR's spec.configuration.evictionStrategy), else KubeVirt's built-in default None \
(pkg/util/migrations/migrations.go VMIEvictionStrategy; pkg/virt-config/configuration.go, v1.9.0). KubeVirt's eviction webhook \
(pkg/virt-api/webhooks/validating-webhook/admitters/pod-eviction-admitter.go, v1.9.0) then: migrates a LiveMigrate VM, or refuses the \
eviction when it is not migratable, so the drain blocks; migrates a LiveMigrateIfPossible VM when it is migratable and otherwise lets it \
be evicted, shut down; shuts a None VM down; and leaves an External VM to a controller outside KubeVirt (info: not modelled). \
Migratable, as far as the inventory says: every PVC disk on a ReadWriteMany class (pkg/virt-handler/vm.go, checkVolumesForMigration); \
unknown when a disk's class or its access modes are not declared. Workloads that restart after failure (runStrategy Always or \
RerunOnFailure) are the ones that must stay up. The plan's drain model reads the same answer, so the VMs it migrates are the ones this \
rule passes.",
        facts: FactSource::Declared,
        policy: |t| format!("{} otherwise", t.ha_eviction),
        evaluate: ha::eviction,
    },
    // ---------------------------------------------------------------- host facts
    Rule {
        id: "HOST-KVM",
        scope: Scope::Host,
        area: Area::Host,
        title: "/dev/kvm opens and answers the KVM API (API version 12, a VM can be created); cpuinfo flags alone are not proof",
        quote: "Each worker node must have Intel VT-x or AMD-V hardware virtualization extensions enabled in the BIOS/UEFI.",
        source: "Kube-V High-Availability Deployment › Worker Nodes",
        explanation: "The cpuinfo flags vmx and svm are hints: a nested guest can have a working /dev/kvm without them, and a host can show them with the module not loaded. \
The probe opens /dev/kvm and asks KVM_GET_API_VERSION (must be 12) and KVM_CREATE_VM.",
        facts: FactSource::Measured("kubev-ha host / kubev-ha probe"),
        policy: |t| format!("{} on workers without KVM", t.host_kvm),
        evaluate: host::kvm,
    },
    Rule {
        id: "HOST-KERNEL",
        scope: Scope::Host,
        area: Area::Host,
        title: "kernel accepted by kubeadm's system validators (5.4, 5.10, 5.15 or ≥ 6; other versions warn; 4.19 is end of life)",
        quote: "",
        source: "kubeadm preflight SystemVerification: k8s.io/system-validators v1.12.1, validators/types_unix.go",
        explanation: "kubeadm init and join run the system validators of k8s.io/system-validators (v1.12.1 since kubeadm 1.35; the newest \
release). Their kernel check accepts a release that matches one of `^5\\.4.*$`, `^5\\.10.*$`, `^5\\.15.*$` (the 5.x long-term series) \
or `^([6-9]|[1-9][0-9]+)\\.([0-9]+)\\.([0-9]+).*$` (any 6.x or later, written major.minor.patch) (validators/types_unix.go), \
and reports any other release as a warning, not an error (validators/kernel_validator.go): kubeadm goes on. The rule does the same: \
a warning in both profiles. 4.19 was accepted until system-validators v1.10.0 dropped it at its end of life; distribution kernels \
that carry backports under an old number (RHEL 8's 4.18, RHEL 9's 5.14) draw the warning too, and can be waived where the \
distribution supports Kubernetes on them.",
        facts: FactSource::Measured("kubev-ha host / kubev-ha probe"),
        policy: |t| format!("{} when not accepted", t.host_kernel),
        evaluate: host::kernel,
    },
    Rule {
        id: "HOST-MODULES",
        scope: Scope::Host,
        area: Area::Host,
        title: "geneve, openvswitch, ip_tables, iptable_nat, vhost_net, tun available",
        quote: "Geneve Tunnel 6081 UDP Node-to-Node Default overlay network for pod communication (OVN)",
        source: "Kube-V High-Availability Deployment › port table; implied: Kube-OVN and KubeVirt kernel needs",
        explanation: "Kube-OVN needs openvswitch and geneve; kube-proxy needs ip_tables and iptable_nat; KubeVirt's virtio networking uses tun and vhost_net.",
        facts: FactSource::Measured("kubev-ha host / kubev-ha probe"),
        policy: |t| format!("{} when missing", t.host_modules),
        evaluate: host::modules,
    },
    Rule {
        id: "HOST-IPV6",
        scope: Scope::Host,
        area: Area::Host,
        title: "IPv6 not disabled on the kernel command line (breaks Geneve)",
        quote: "Geneve Tunnel 6081 UDP Node-to-Node Default overlay network for pod communication (OVN)",
        source: "Kube-V High-Availability Deployment › port table; implied",
        explanation: "`ipv6.disable=1` on the kernel command line removes the IPv6 stack, and the geneve module then fails to create its tunnel port, which takes Kube-OVN's overlay down.",
        facts: FactSource::Measured("kubev-ha host / kubev-ha probe"),
        policy: |t| format!("{} when disabled", t.host_ipv6),
        evaluate: host::ipv6,
    },
    Rule {
        id: "HOST-SWAP",
        scope: Scope::Host,
        area: Area::Host,
        title: "swap off, unless the kubelet is configured for it (`failSwapOn: false` with a swap behaviour)",
        quote: "",
        source: "kubelet configuration: failSwapOn and memorySwap.swapBehavior in k8s.io/kubelet config/v1beta1/types.go, Kubernetes 1.36",
        explanation: "The kubelet fails to start on a node with swap on while failSwapOn is true, its default (KubeletConfiguration, \
k8s.io/kubelet config/v1beta1/types.go, v0.36.3). With `failSwapOn: false` it runs, and memorySwap.swapBehavior decides what \
swaps: NoSwap (the default) keeps every pod off swap and lets only the node's own processes use it; LimitedSwap lets Burstable pods \
swap up to a share proportional to their memory request. Declare the kubelet's settings under `kubelet:`.\n\n\
Swap on with failSwapOn true, or undeclared: the kubelet will not start, which fails. Swap on with failSwapOn false and NoSwap: \
passes. With LimitedSwap: reported, since virt-launcher pods are Burstable unless a VM asks for Guaranteed QoS, so guest memory \
may be swapped, which slows the guest and every live migration of it.",
        facts: FactSource::Measured("kubev-ha host / kubev-ha probe"),
        policy: |t| format!("{} when the kubelet refuses swap, {} with LimitedSwap", t.host_swap, t.host_swap_limited),
        evaluate: host::swap,
    },
    Rule {
        id: "HOST-TIME",
        scope: Scope::Host,
        area: Area::Host,
        title: "clock synchronised",
        quote: "",
        source: "implied by etcd and TLS",
        explanation: "etcd leases and TLS certificate validity depend on agreeing clocks; the probe reads the kernel's synchronisation status (adjtimex).",
        facts: FactSource::Measured("kubev-ha host / kubev-ha probe"),
        policy: |t| format!("{} when unsynchronised", t.host_time),
        evaluate: host::time,
    },
    Rule {
        id: "HOST-IDENTITY",
        scope: Scope::Cluster,
        area: Area::Host,
        title: "hostnames, product_uuid and MACs unique across nodes",
        quote: "",
        source: "implied by kubeadm's install requirements",
        explanation: "Cloned VMs share product_uuid, machine-id and MACs; kubeadm requires them unique, and duplicate MACs break the network in ways that look random. \
MACs are those of physical ports, a bond member's own (bonding_slave/perm_hwaddr) rather than the bond's, which every member carries; \
the MACs of bonds, VLANs, bridges and veths are copied or random and prove nothing. A fact no probed node gave is unknown, never \
a pass: a node in a network namespace, with veths only, has no MAC to compare.",
        facts: FactSource::Measured("kubev-ha probe"),
        policy: |t| format!("{} on duplicates", t.host_identity),
        evaluate: host::identity,
    },
    Rule {
        id: "HOST-DRIFT",
        scope: Scope::Cluster,
        area: Area::Host,
        title: "probed facts differ from the declared inventory",
        quote: "",
        source: "kubev-ha: declared facts are beliefs, probed facts are the machines",
        explanation: "After `kubev-ha probe`, every declared fact that the probe read differently is reported, so the inventory can be corrected. \
Declared NICs are matched against every link the probe saw: physical ports, bonds and their members, VLANs, bridges and veths \
(`kubev-ha host` lists them with their relations). Memory may be up to 10 % below or 2 % above the declaration (MemTotal is the RAM \
less what firmware and the kernel reserve) and disks 5 % either way (sizes are declared in rounded units): kubev-ha's own tolerances. \
A declared fact the probe could not read is unknown, not a match.",
        facts: FactSource::Measured("kubev-ha probe"),
        policy: |t| format!("{} per difference", t.host_drift),
        evaluate: host::drift,
    },
    // ---------------------------------------------------------------- live cluster (kubev-ha audit)
    Rule {
        id: "LIVE-MIGRATABLE",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "every VMI whose effective eviction strategy moves it on a drain is LiveMigratable (its condition is authoritative); each one that is not is named with the reason and the fix",
        quote: "This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes; judged on the running cluster",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster (check, plan, probe) it says nothing. \
It takes every VMI whose effective eviction strategy (its own spec.evictionStrategy, else the KubeVirt CR's, else KubeVirt's default None) \
is LiveMigrate or LiveMigrateIfPossible and reads its LiveMigratable condition, which virt-handler computes and which is authoritative \
(pkg/virt-handler/vm.go calculateLiveMigrationCondition, KubeVirt v1.9.0): True passes; absent is unknown (it appears once the VMI runs); \
False names the VMI with KubeVirt's reason and message, and the fix for that reason, explained from the spec: \
DisksNotLiveMigratable (a PVC that is not ReadWriteMany, named with its access modes), InterfaceNotLiveMigratable (the pod network joined \
with bridge instead of masquerade, passt or a migratable binding plugin; pkg/network/vmispec/interface.go VerifyVMIMigratable), \
HostDeviceNotLiveMigratable (PCI host devices or GPUs), CPUModeLiveMigratable (KubeVirt's string for a host-model VMI on a node whose \
host CPU model the node labeller could not name), and HotplugNotLiveMigratable, VirtIOFSNotLiveMigratable, SEV/SecureExecution/TDX, \
NoTSCFrequency, HypervPassthrough and PersistentReservation (the reasons of staging/src/kubevirt.io/api/core/v1/types.go, v1.9.0). \
A LiveMigrate VMI that cannot migrate blocks the drain: KubeVirt's eviction webhook refuses to evict it \
(pkg/virt-api/webhooks/validating-webhook/admitters/pod-eviction-admitter.go); a LiveMigrateIfPossible one is shut down instead, \
which the thresholds judge milder. A resource the rule needs that the audit could not read (VMIs; the KubeVirt CR for VMIs that \
state no strategy) makes it unknown with the missing permission or component named.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| {
            format!(
                "{} per LiveMigrate VMI that is not migratable, {} per LiveMigrateIfPossible one",
                t.live_not_migratable, t.live_not_migratable_if_possible
            )
        },
        evaluate: live::migratable,
    },
    Rule {
        id: "LIVE-RESTART",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "VMs restart after a node failure: runStrategy Always or RerunOnFailure; standalone VMIs, Manual and Halted are named",
        quote: "This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes; judged on the running cluster",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster it says nothing. \
After its node fails (and is fenced), KubeVirt starts a VM again elsewhere only when its runStrategy asks for it: Always, or RerunOnFailure \
(pkg/virt-controller/watch/vm/vm.go, KubeVirt v1.9.0; `spec.running: true` means Always). Manual and Once leave it down; Halted is stopped on \
purpose and is reported for information. A VirtualMachineInstance that no VirtualMachine owns (a standalone VMI) is never restarted by \
anything. Unreadable VMs or VMIs make the rule unknown, naming the permission to grant.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| format!("{} per VM or standalone VMI that does not restart", t.live_restart),
        evaluate: live::restart,
    },
    Rule {
        id: "LIVE-STORAGE-PROFILE",
        scope: Scope::Cluster,
        area: Area::Storage,
        title: "the classes VM disks use offer RWX per their CDI StorageProfile; empty claimPropertySets mean an unknown provisioner; PVs pinned to one node are named",
        quote: "You need a shared storage backend that supports ReadWriteMany (RWX) access mode or Block-mode (volumeMode: Block) volumes.",
        source: "Kube-V High-Availability Deployment › Storage; judged on the running cluster",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster it says nothing. \
The classes judged are those the running VMs use: each VMI's volumes name PVCs (a DataVolume names its PVC), each PVC names its class. \
CDI keeps one StorageProfile per StorageClass; its status.claimPropertySets are the access and volume modes CDI knows the provisioner \
supports, and they are empty when CDI has no defaults for the provisioner (containerized-data-importer doc/storageprofile.md): then \
DataVolumes that state no access mode cannot be provisioned, and whether the class offers ReadWriteMany is unknown to CDI. A profile \
whose sets include ReadWriteMany passes; one without fails, since KubeVirt live-migrates a VM only when all its PVCs are ReadWriteMany. \
A PersistentVolume whose required nodeAffinity pins it to one node (local volumes, TopoLVM) and that a VM uses is named: when that node \
fails the VM can neither migrate nor restart elsewhere. Unreadable VMIs, PVCs, StorageProfiles (CDI not installed) or PVs are unknown.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| {
            format!(
                "{} per class without RWX, {} on empty claimPropertySets, {} per pinned PV",
                t.live_storage_no_rwx, t.live_storage_profile_empty, t.live_storage_pinned
            )
        },
        evaluate: live::storage_profile,
    },
    Rule {
        id: "LIVE-MIGRATION-NETWORK",
        scope: Scope::Cluster,
        area: Area::Network,
        title: "`migrations.network` names an existing NetworkAttachmentDefinition (resolved in the KubeVirt CR's namespace), every virt-handler has `migration0`, the MTU matches",
        quote: "Dedicated network for live migration (recommended): While not strictly minimal, a dedicated Multus network for live migration can significantly reduce network saturation on tenant workloads during migrations.",
        source: "Kube-V High-Availability Deployment › Networking; judged on the running cluster",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster it says nothing. \
With spec.configuration.migrations.network unset, \"migrations go through the pod network\" (MigrationConfiguration.Network, \
staging/src/kubevirt.io/api/core/v1/types.go, KubeVirt v1.9.0), beside the VMs' own traffic: reported per the thresholds, as the page \
recommends a dedicated network. When it is set, virt-operator adds `<network>@migration0` to the virt-handler pods' Multus annotation \
(pkg/virt-operator/resource/generate/components/daemonsets.go, v1.9.0); Multus resolves a name without a namespace in the pod's own \
(pkg/k8sclient/k8sclient.go GetPodNetwork, multus-cni v4.3.0), which is the namespace KubeVirt is installed in, the KubeVirt CR's. The rule checks that this NetworkAttachmentDefinition exists, that \
every virt-handler pod's network-status lists migration0, and that the MTU the NAD sets is the one migration0 reports.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| {
            format!(
                "{} without a migration network, {} when the NAD or migration0 is missing, {} on an MTU mismatch",
                t.live_migration_network_absent, t.live_migration_network_broken, t.live_migration_mtu_mismatch
            )
        },
        evaluate: live::migration_network,
    },
    Rule {
        id: "LIVE-NODES",
        scope: Scope::Cluster,
        area: Area::Workers,
        title: "no VM node NotReady, cordoned, without `kubevirt.io/schedulable` or KVM devices; virt-handler ready on every VM node",
        quote: "Minimum 2 worker nodes (for KubeVirt VMs): For HA, you need more than one node to run VMs. This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes; judged on the running cluster",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster it says nothing. \
VM nodes are those that run a VMI now or carry KubeVirt's `kubevirt.io/schedulable` label (NodeSchedulable, \
staging/src/kubevirt.io/api/core/v1/types.go, v1.9.0), which virt-handler sets to \"true\" on nodes where VMs may be scheduled and to \
\"false\" when it cannot serve them. Each is judged: Ready, the label \"true\", a non-zero allocatable `devices.kubevirt.io/kvm` \
(virt-handler's device plugin offers /dev/kvm through it; not needed with developerConfiguration.useEmulation), and a ready \
virt-handler pod on it. A problem means VMs cannot run or land there; a cordoned node that is otherwise healthy is reported milder, \
since maintenance cordons nodes.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| format!("{} per unusable VM node, {} when cordoned", t.live_node_unusable, t.live_node_cordoned),
        evaluate: live::nodes,
    },
    Rule {
        id: "LIVE-CPU-MODEL",
        scope: Scope::Cluster,
        area: Area::Workers,
        title: "each VM's CPU model and required features exist on enough other nodes to move to",
        quote: "This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes; judged on the running cluster",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster it says nothing. \
KubeVirt's node labeller (pkg/virt-handler/node-labeller/node_labeller.go prepareLabels, v1.9.0) labels every node with the CPU models \
it can run (`cpu-model.node.kubevirt.io/<M>`), its features (`cpu-feature.node.kubevirt.io/<F>`), its own host model \
(`host-model-cpu.node.kubevirt.io/<M>` with `host-model-required-features.node.kubevirt.io/<F>`) and the host models it can receive \
(`cpu-model-migration.node.kubevirt.io/<M>`). A VMI with a named model needs `cpu-model…/<M>` on its target; a host-model VMI (the \
default) needs `cpu-model-migration…/<its node's host model>` and its node's required features as `cpu-feature…` labels, the selector \
virt-controller builds (pkg/virt-controller/watch/migration/migration.go getHostCpuModelFromMap, v1.9.0); the VMI's required features \
are added. The rule fails each running VMI that no other schedulable (labelled schedulable, Ready, not cordoned) node can take: it cannot \
migrate, nor restart elsewhere after its node fails. host-passthrough VMIs move only to an identical CPU, which no label states: they \
are reported for information.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| format!("{} per VMI no other node can take", t.live_cpu_model),
        evaluate: live::cpu_model,
    },
    Rule {
        id: "LIVE-DRAIN-BLOCKERS",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "no PodDisruptionBudget with zero disruptions allowed stops a drain",
        quote: "This allows for live migration and VM rescheduling in case of a node failure.",
        source: "Kube-V High-Availability Deployment › Worker Nodes; implied: maintenance drains nodes",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster it says nothing. \
`kubectl drain` evicts pods through the Eviction API, which refuses while a PodDisruptionBudget covering the pod has \
status.disruptionsAllowed 0, so the drain waits forever. Each such budget is named under every node where a pod it covers runs. \
KubeVirt's own migration budgets (owned by a VirtualMachineInstance) block the eviction on purpose, so that virt-controller migrates \
the VM instead; they are left out.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| format!("{} per node a budget blocks", t.live_drain_blocker),
        evaluate: live::drain_blockers,
    },
    Rule {
        id: "LIVE-INFRA",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "virt-api, virt-controller, CoreDNS and the OVN central database run on more than one node and zone",
        quote: "These should ideally be distributed across different failure domains (e.g., availability zones, racks).",
        source: "Kube-V High-Availability Deployment › Control Plane Nodes; judged on the running cluster",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster it says nothing. \
Without virt-api no VM can be created or migrated; without virt-controller no failed VM is restarted and no migration starts; without \
CoreDNS names stop resolving; without the OVN central database (ovn-central) no pod network changes. Each must have ready pods on more \
than one node, so that losing one node leaves it running, and, when the cluster's nodes span several zones \
(topology.kubernetes.io/zone), in more than one zone.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| format!("{} on one node, {} in one zone", t.live_infra_one_node, t.live_infra_one_zone),
        evaluate: live::infra,
    },
    Rule {
        id: "LIVE-WORKLOAD-UPDATE",
        scope: Scope::Cluster,
        area: Area::HighAvailability,
        title: "`workloadUpdateStrategy` moves VMs on upgrades",
        quote: "",
        source: "KubeVirt workloadUpdateStrategy: staging/src/kubevirt.io/api/core/v1/types.go, v1.9.0",
        explanation: "Only `kubev-ha audit` gives this rule facts: without a live cluster it says nothing. \
After a KubeVirt upgrade, running VMs keep their old virt-launcher until something replaces it. \
spec.workloadUpdateStrategy.workloadUpdateMethods decides what: LiveMigrate moves each migratable VM to a new launcher without downtime; \
Evict shuts it down (and a VM with runStrategy Always starts again); \"an empty list defaults to no automated workload updating\" \
(WorkloadUpdateMethods, types.go, KubeVirt v1.9.0), so outdated launchers stay. LiveMigrate passes (with Evict beside it for what cannot \
migrate); Evict alone or an empty list is reported.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| format!("{} without LiveMigrate", t.live_workload_update),
        evaluate: live::workload_update,
    },
    Rule {
        id: "LIVE-DRIFT",
        scope: Scope::Cluster,
        area: Area::Host,
        title: "the live cluster matches the declared inventory (nodes, zones, roles, sizes, classes)",
        quote: "",
        source: "kubev-ha: the declared design against the running cluster, `kubev-ha audit --inventory`",
        explanation: "Only `kubev-ha audit --inventory FILE` gives this rule facts: without a live cluster, or without a declared inventory \
beside it, it says nothing. Nodes declared but absent and present but undeclared are named; for the others the declared zone is compared \
with topology.kubernetes.io/zone, the control-plane role with the node-role labels (the worker role only where the cluster labels \
workers), cpu.threads with status.capacity.cpu (logical CPUs; with only cpu.cores declared, fewer CPUs than cores), and memory with \
status.capacity.memory, allowed to be up to 10 % below or 2 % above the declaration (HOST-DRIFT's tolerances: kubev-ha's own, since the \
kernel reserves part of the RAM). Declared storage classes absent from the cluster are named.",
        facts: FactSource::Measured("kubev-ha audit"),
        policy: |t| format!("{} per difference", t.live_drift),
        evaluate: live::drift,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for rule in CATALOG {
            assert!(seen.insert(rule.id), "duplicate rule {}", rule.id);
            assert!(rule.id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'), "{}", rule.id);
            assert!(!rule.explanation.is_empty() && !rule.source.is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(rule("cp-spread").map(|r| r.id), Some("CP-SPREAD"));
        assert!(rule("CP-NOPE").is_none());
    }

    /// Thresholds with no upstream source are labelled as kubev-ha's own,
    /// with the reasoning, in the explanation people read.
    #[test]
    fn heuristics_without_an_upstream_source_say_so() {
        for id in ["CP-ETCD-CAPACITY", "ST-CAPACITY"] {
            let explanation = rule(id).map(|r| r.explanation).unwrap_or_default();
            assert!(explanation.contains("kubev-ha's own"), "{id} does not say its threshold is kubev-ha's own");
        }
        let capacity = rule("CP-ETCD-CAPACITY").map(|r| r.explanation).unwrap_or_default();
        assert!(capacity.contains("server/storage/quota.go"), "the quota figures are etcd's and cited");
    }

    /// Regression: reports print a rule's source in parentheses after its
    /// quote, and CP-ETCD-HEALTH's "(… › Control Plane Nodes (measured on
    /// the running cluster))" nested them. A source says its asides with
    /// `;` or `:` instead.
    #[test]
    fn sources_hold_no_parentheses_since_reports_wrap_them_in_some() {
        for rule in CATALOG {
            assert!(!rule.source.contains(['(', ')']), "{}: source {:?} nests parentheses", rule.id, rule.source);
        }
    }

    const PAGE: &str = "Kube-V High-Availability Deployment";

    #[test]
    fn every_quote_is_on_the_page_or_marked_as_implied() {
        let page = include_str!("../../../docs/source/ha-deployment.txt");
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let page = flat(page);
        for rule in CATALOG {
            if rule.source.starts_with(PAGE) && !rule.source.contains("implied") && !rule.quote.is_empty() {
                assert!(page.contains(&flat(rule.quote)), "{}: quote not found on the page", rule.id);
            }
        }
    }
}

#[cfg(test)]
mod audit_rules_tests {
    use super::{AUDIT_RULES, CATALOG, audit_rules};

    #[test]
    fn the_audit_judges_the_audit_rules_and_every_live_rule_once() {
        let only = audit_rules();
        for id in AUDIT_RULES {
            assert!(only.contains(id), "{id}");
        }
        let live = CATALOG.iter().filter(|r| r.id.starts_with("LIVE-"));
        for rule in live {
            assert!(only.contains(&rule.id), "{}", rule.id);
        }
        let mut unique = only.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), only.len());
    }
}
