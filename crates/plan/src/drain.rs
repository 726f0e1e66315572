//! How long maintenance takes: draining a worker (or a zone) by live
//! migration, and whether KubeVirt lets each migration run that long.
//!
//! The model, stated in every plan:
//! - A migration moves the VM's guest memory once (a pre-copy pass of an
//!   idle guest), plus its block-migrated volumes: the disks that live in
//!   the virt-launcher pod (containerDisk overlays, emptyDisks), which
//!   libvirt copies because they are not shared. Busy guests re-send dirtied
//!   pages, so real drains take longer: this is a lower bound on the time.
//! - The path is the one KubeVirt takes. With a dedicated migration network
//!   (Multus, `migration0` in virt-handler's pod) it is that NIC; without
//!   one, virt-handler migrates from its pod IP (pkg/virt-handler/migration.go,
//!   FindMigrationIP, KubeVirt v1.8.0), so the data crosses the pod overlay:
//!   Kube-OVN gives pods the NIC's MTU less the tunnel's header reservation
//!   (pkg/daemon/config.go and pkg/util/const.go, Kube-OVN v1.16.2: Geneve
//!   100, VXLAN 50, STT 72 bytes). Which NIC carries the overlay (Kube-OVN's
//!   `--iface`, by default the default-route interface) is not in the
//!   inventory: a node's only NIC, else its fastest, which keeps the time a
//!   lower bound and is said so. Either path is TLS unless
//!   `migrations.disableTLS` (pkg/virt-handler/migration-proxy, v1.8.0).
//! - TCP goodput: payload over wire bytes per packet. Payload is the path
//!   MTU less 40 bytes of IP and TCP headers; the wire adds 38 bytes of
//!   Ethernet framing (header, FCS, preamble, inter-frame gap) and, in the
//!   overlay, the tunnel's encapsulation counted at its smallest, 50 bytes
//!   (outer IPv4 20 and UDP 8, an 8-byte Geneve or VXLAN header, the inner
//!   Ethernet header 14: RFC 8926 §3, RFC 7348 §5), so the goodput stays an
//!   upper bound. TLS 1.3 adds 22 bytes per record of at most 16,384
//!   (RFC 8446 §5.2: 5 header, 1 content type, 16 AEAD tag). Measured
//!   bandwidth replaces this when `kubev-ha net bandwidth` has run (scaled
//!   by the overlay's and TLS's share when the measurement took the node
//!   network and migrations take the pod network).
//! - At most `parallelOutboundMigrationsPerNode` migrations leave one node
//!   at once and `parallelMigrationsPerCluster` run in the whole cluster;
//!   migrations leaving a node share its link equally, each capped by
//!   `bandwidthPerMigration` (0 = no cap). KubeVirt's defaults are 2, 5 and
//!   0 (pkg/virt-config/virt-config.go: ParallelOutboundMigrationsPerNodeDefault,
//!   ParallelMigrationsPerClusterDefault, BandwidthPerMigrationDefault).
//! - Receivers are many and are not the bottleneck; VMs go largest first.
//! - KubeVirt aborts a migration that runs longer than
//!   `completionTimeoutPerGiB` × its data (pkg/virt-launcher/virtwrap/
//!   live-migration-source.go, newMigrationMonitor and shouldTriggerTimeout,
//!   v1.8.0). The data is counted by getVMIMigrationDataSize
//!   (pkg/virt-launcher/virtwrap/manager.go): the guest memory plus, for a
//!   block migration, the files of the pod's ephemeral-disk directory (where
//!   containerDisk overlays live; emptyDisks live in /var/run/libvirt/empty-disks
//!   and are copied but not counted), rounded *up* to whole GB of 10^9 bytes
//!   (resource.Quantity.ScaledValue(Giga)), despite the name. The default is
//!   150 s since v1.4.0 (800 s before), `MigrationCompletionTimeoutPerGiB`
//!   in pkg/virt-config/virt-config.go. A migration whose lower-bound time
//!   exceeds that budget is aborted however idle the guest. The other
//!   abort, `progressTimeout` (default 150 s, `MigrationProgressTimeout`),
//!   fires after that long without the remaining data shrinking; the model's
//!   migrations always progress, so it never fires here, and it is reported
//!   with the limits.

use kubev_ha_model::{DiskSource, Inventory, LinkSpeed, Node, Overlay, Workload};
use serde::Serialize;

use crate::cluster::{Cluster, HostId};
use crate::placement::Placement;

/// KubeVirt's default `parallelMigrationsPerCluster` (pkg/virt-config/virt-config.go,
/// ParallelMigrationsPerClusterDefault).
pub const DEFAULT_PARALLEL_PER_CLUSTER: u32 = 5;
/// KubeVirt's default `parallelOutboundMigrationsPerNode` (pkg/virt-config/virt-config.go,
/// ParallelOutboundMigrationsPerNodeDefault).
pub const DEFAULT_PARALLEL_OUTBOUND_PER_NODE: u32 = 2;
/// KubeVirt's `MigrationCompletionTimeoutPerGiB` since v1.4.0 (800 in v1.0–v1.3).
pub const DEFAULT_COMPLETION_TIMEOUT_PER_GIB: u32 = 150;
/// KubeVirt's `MigrationProgressTimeout` (150 s in every v1 release).
pub const DEFAULT_PROGRESS_TIMEOUT: u32 = 150;

/// Bytes the IP and TCP headers take from each packet.
const TCP_IP_HEADERS: f64 = 40.0;
/// Ethernet header, FCS, preamble and inter-frame gap per frame.
const ETHERNET_FRAMING: f64 = 38.0;
/// The smallest Geneve or VXLAN encapsulation on the wire (RFC 8926, RFC 7348).
const MIN_TUNNEL_ENCAPSULATION: f64 = 50.0;
/// TLS 1.3: plaintext per record and the bytes each record adds (RFC 8446 §5.2).
const TLS_RECORD_PLAINTEXT: f64 = 16384.0;
const TLS_RECORD_OVERHEAD: f64 = 22.0;
/// KubeVirt rounds the migration data up to whole units of 10^9 bytes.
const BUDGET_UNIT: u64 = 1_000_000_000;

/// TCP goodput in bytes per second over a link of `speed` with `mtu`.
pub fn goodput(speed: LinkSpeed, mtu: u32) -> f64 {
    let mtu = f64::from(mtu.max(100));
    speed.bytes_per_second() * (mtu - TCP_IP_HEADERS) / (mtu + ETHERNET_FRAMING)
}

/// TCP goodput of a migration in bytes per second: over the bare NIC, or
/// inside an overlay that reserves `tunnel_header` bytes of the NIC's MTU,
/// and under TLS when `tls`.
pub(crate) fn migration_goodput(speed: LinkSpeed, mtu: u32, tunnel_header: Option<u32>, tls: bool) -> f64 {
    let mtu = f64::from(mtu.max(200));
    let (payload, wire) = match tunnel_header {
        None => (mtu - TCP_IP_HEADERS, mtu + ETHERNET_FRAMING),
        Some(header) => {
            let inner = mtu - f64::from(header);
            (inner - TCP_IP_HEADERS, inner + MIN_TUNNEL_ENCAPSULATION + ETHERNET_FRAMING)
        }
    };
    let tls_share = if tls { TLS_RECORD_PLAINTEXT / (TLS_RECORD_PLAINTEXT + TLS_RECORD_OVERHEAD) } else { 1.0 };
    speed.bytes_per_second() * payload.max(0.0) / wire * tls_share
}

/// The migration settings in force, with KubeVirt's defaults filled in.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationLimits {
    /// Migrations running at once in the whole cluster.
    pub parallel_per_cluster: u32,
    /// Migrations leaving one node at once.
    pub parallel_outbound_per_node: u32,
    /// Bytes per second per migration; `None` = unlimited.
    pub bandwidth_per_migration: Option<f64>,
    /// Seconds per GB of migration data before KubeVirt aborts; 0 = never.
    #[serde(rename = "completionTimeoutPerGiB")]
    pub completion_timeout_per_gib: u32,
    /// Seconds without progress before KubeVirt aborts; 0 = never.
    pub progress_timeout: u32,
}

impl MigrationLimits {
    /// The limits the inventory declares, KubeVirt's defaults where it declares none.
    pub fn of(inventory: &Inventory) -> MigrationLimits {
        let m = inventory.migration();
        MigrationLimits {
            parallel_per_cluster: m
                .and_then(|m| m.parallel_migrations_per_cluster)
                .map_or(DEFAULT_PARALLEL_PER_CLUSTER, |c| c.get())
                .max(1),
            parallel_outbound_per_node: m
                .and_then(|m| m.parallel_outbound_migrations_per_node)
                .map_or(DEFAULT_PARALLEL_OUTBOUND_PER_NODE, |c| c.get())
                .max(1),
            bandwidth_per_migration: m
                .and_then(|m| m.bandwidth_per_migration)
                .filter(|b| b.as_u64() > 0)
                .map(|b| b.as_u64() as f64),
            completion_timeout_per_gib: m
                .and_then(|m| m.completion_timeout_per_gib)
                .map_or(DEFAULT_COMPLETION_TIMEOUT_PER_GIB, |c| c.get()),
            progress_timeout: m.and_then(|m| m.progress_timeout).map_or(DEFAULT_PROGRESS_TIMEOUT, |c| c.get()),
        }
    }

    /// Seconds KubeVirt lets a migration run whose data (as its monitor
    /// counts it) is `counted` bytes; `None` when it never aborts.
    pub fn completion_budget(&self, counted: u64) -> Option<u64> {
        (self.completion_timeout_per_gib > 0)
            .then(|| u64::from(self.completion_timeout_per_gib) * counted.div_ceil(BUDGET_UNIT))
    }
}

/// The path a node's migrations leave by.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationPath {
    /// The interface the migrations leave by.
    pub nic: String,
    /// Its link speed.
    pub speed: LinkSpeed,
    /// The NIC's MTU.
    pub mtu: u32,
    /// A dedicated migration network carries the migrations, rather than the pod network.
    pub dedicated: bool,
    /// Without a dedicated network: the pod overlay the data crosses.
    pub overlay: Option<Overlay>,
    /// Bytes per second.
    pub goodput: f64,
    /// The goodput was measured, not derived from the declared speed.
    #[serde(default)]
    pub measured: bool,
    /// What was assumed to pick the NIC, when the inventory does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumed: Option<String>,
}

impl MigrationPath {
    /// The path in words: `ens2f1 (10Gbps, dedicated)` or
    /// `eth0 (10Gbps) inside the geneve overlay, MTU 1400`.
    pub fn describe(&self) -> String {
        match self.overlay {
            None => format!("{} ({}, dedicated migration network)", self.nic, self.speed),
            Some(overlay) => format!(
                "the pod network: {} ({}) inside the {overlay} overlay at pod MTU {}",
                self.nic,
                self.speed,
                self.mtu.saturating_sub(overlay.header_bytes())
            ),
        }
    }
}

/// The fact a migration path cannot be worked out without.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UnknownPath {
    /// The node declares no NIC with a speed.
    #[error("node {node} declares no NIC speed")]
    NoNicSpeed {
        /// The node.
        node: String,
    },
    /// The NIC the path takes has no declared speed.
    #[error("the speed of {nic} on {node} is not declared")]
    NicSpeed {
        /// The interface.
        nic: String,
        /// The node it is on.
        node: String,
    },
}

/// The migration path of `node`, or why it is unknown.
pub(crate) fn migration_path(inventory: &Inventory, node: &Node) -> Result<MigrationPath, UnknownPath> {
    let nics = node.nics.as_deref().unwrap_or(&[]);
    let dedicated = inventory.migration_network().filter(|m| m.dedicated != Some(false)).and_then(|m| m.nic.as_deref());
    let with_speed: Vec<_> = nics.iter().filter(|n| n.speed.is_some()).collect();
    let (nic, overlay, assumed) = match dedicated.and_then(|name| nics.iter().find(|n| n.name.as_deref() == Some(name)))
    {
        Some(nic) => (nic, None, None),
        None => {
            // No migration0 in virt-handler's pod: KubeVirt migrates from the
            // pod IP, through the overlay Kube-OVN builds on its tunnel NIC.
            let overlay = inventory.network().and_then(|n| n.overlay).unwrap_or(Overlay::Geneve);
            let Some(fastest) = with_speed.iter().rev().max_by_key(|n| n.speed).copied() else {
                return Err(UnknownPath::NoNicSpeed { node: node.name.to_string() });
            };
            let mut assumed = Vec::new();
            if with_speed.len() > 1 {
                assumed.push(format!(
                    "which of {}'s {} NICs carries the pod overlay (Kube-OVN's tunnel interface) is not declared: the fastest, {}, is assumed",
                    node.name,
                    with_speed.len(),
                    fastest.label()
                ));
            }
            if dedicated.is_some() {
                assumed.push(format!(
                    "{} has no {}, so its migrations take the pod network",
                    node.name,
                    dedicated.unwrap_or_default()
                ));
            }
            if inventory.network().and_then(|n| n.overlay).is_none() {
                assumed.push("network.overlay not declared: Kube-OVN's default, geneve".into());
            }
            (fastest, Some(overlay), (!assumed.is_empty()).then(|| assumed.join("; ")))
        }
    };
    let Some(speed) = nic.speed else {
        return Err(UnknownPath::NicSpeed { nic: nic.label(), node: node.name.to_string() });
    };
    let mtu = nic.mtu.map_or(1500, |m| m.get());
    Ok(MigrationPath {
        nic: nic.label(),
        speed,
        mtu,
        dedicated: overlay.is_none(),
        overlay,
        goodput: migration_goodput(speed, mtu, overlay.map(Overlay::header_bytes), true),
        measured: false,
        assumed,
    })
}

/// One migration to simulate: its source host and the bytes it moves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Move {
    /// The host the VM leaves.
    pub host: HostId,
    /// Bytes the migration moves.
    pub bytes: u64,
}

/// Seconds to migrate `items` (source host, bytes), with the limits, where
/// `link_of[host]` is each source's goodput. An event-driven simulation:
/// between completions every active migration moves at its fair share.
// The tests' view of `simulate`, by (host, bytes) pairs.
#[cfg(test)]
fn drain_seconds(items: &[(HostId, u64)], link_of: &dyn Fn(HostId) -> f64, limits: MigrationLimits) -> f64 {
    let moves: Vec<Move> = items.iter().map(|&(host, bytes)| Move { host, bytes }).collect();
    simulate(&moves, link_of, limits).0
}

/// The drain's total seconds, and how long each migration of `items` (in
/// their order) ran from its start to its end.
pub(crate) fn simulate(items: &[Move], link_of: &dyn Fn(HostId) -> f64, limits: MigrationLimits) -> (f64, Vec<f64>) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Largest first; ties by host, then input order, for determinism.
    order.sort_by(|&a, &b| items[b].bytes.cmp(&items[a].bytes).then(items[a].host.cmp(&items[b].host)).then(a.cmp(&b)));
    let mut queue = std::collections::VecDeque::from(order);
    let mut durations = vec![0.0; items.len()];
    // (item, bytes left, started at)
    let mut active: Vec<(usize, f64, f64)> = Vec::new();
    let mut now = 0.0;
    loop {
        // Start what the limits allow, in queue order.
        let mut i = 0;
        while active.len() < limits.parallel_per_cluster as usize && i < queue.len() {
            let host = items[queue[i]].host;
            let on_host = active.iter().filter(|a| items[a.0].host == host).count();
            if on_host < limits.parallel_outbound_per_node as usize {
                if let Some(item) = queue.remove(i) {
                    active.push((item, items[item].bytes as f64, now));
                }
            } else {
                i += 1;
            }
        }
        if active.is_empty() {
            return (now, durations);
        }
        let rate = |host: HostId, active: &[(usize, f64, f64)]| {
            let sharing = active.iter().filter(|a| items[a.0].host == host).count().max(1) as f64;
            let share = link_of(host) / sharing;
            limits.bandwidth_per_migration.map_or(share, |cap| share.min(cap))
        };
        let rates: Vec<f64> = active.iter().map(|a| rate(items[a.0].host, &active)).collect();
        let step = active
            .iter()
            .zip(&rates)
            .map(|(a, r)| if *r > 0.0 { a.1 / r } else { f64::INFINITY })
            .fold(f64::INFINITY, f64::min);
        if !step.is_finite() {
            for a in &active {
                durations[a.0] = f64::INFINITY;
            }
            for &q in &queue {
                durations[q] = f64::INFINITY;
            }
            return (f64::INFINITY, durations);
        }
        now += step;
        for (a, r) in active.iter_mut().zip(&rates) {
            a.1 -= r * step;
        }
        for a in active.iter().filter(|a| a.1 <= 1e-6) {
            durations[a.0] = now - a.2;
        }
        active.retain(|a| a.1 > 1e-6);
    }
}

/// What one VM's migration carries, and what KubeVirt's monitor counts
/// against its completion timeout.
#[derive(Debug, Clone, Copy, Default)]
struct Payload {
    /// Guest memory plus every block-migrated disk.
    moved: u64,
    /// Guest memory plus what lies in the pod's ephemeral-disk directory
    /// (containerDisk overlays; not emptyDisks).
    counted: u64,
}

fn payload(workload: &Workload) -> Payload {
    let memory = workload.memory.map_or(0, |m| m.as_u64());
    let mut p = Payload { moved: memory, counted: memory };
    for disk in &workload.disks {
        let size = disk.size.map_or(0, |s| s.as_u64());
        match disk.source {
            Some(DiskSource::ContainerDisk) => {
                p.moved = p.moved.saturating_add(size);
                p.counted = p.counted.saturating_add(size);
            }
            Some(DiskSource::EmptyDisk) => p.moved = p.moved.saturating_add(size),
            Some(DiskSource::Pvc) | None => {}
        }
    }
    p
}

/// A VM whose migration outlasts KubeVirt's completion timeout.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OverBudget {
    /// The workload the VM belongs to.
    pub workload: String,
    /// Bytes the migration moves: guest memory and block-migrated disks.
    pub bytes: u64,
    /// Bytes KubeVirt counts for the timeout.
    pub counted_bytes: u64,
    /// completionTimeoutPerGiB × the counted data in whole GB.
    pub budget_seconds: u64,
    /// The migration's lower-bound time within the drain.
    pub seconds: f64,
    /// Its lower-bound time alone on the link.
    pub alone_seconds: f64,
}

/// The drain of one worker.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostDrain {
    /// The worker drained.
    pub host: String,
    /// VMs a drain live-migrates.
    pub migrating_vms: u32,
    /// VMs a drain shuts down instead (evictionStrategy not LiveMigrate).
    pub stopped_vms: u32,
    /// Guest memory and block-migrated disks of the migrating VMs.
    pub bytes: u64,
    /// Lower-bound time of the drain in seconds.
    pub seconds: f64,
    /// The path the migrations take.
    pub path: MigrationPath,
    /// Migrations KubeVirt aborts at its completion timeout, one per
    /// workload (the worst of its VMs on this worker).
    pub over_budget: Vec<OverBudget>,
}

/// The drain of a whole failure domain at once.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainDrain {
    /// The failure domain drained.
    pub domain: String,
    /// Workers in the domain.
    pub hosts: u32,
    /// VMs the drain live-migrates.
    pub migrating_vms: u32,
    /// Guest memory and block-migrated disks of those VMs, in bytes.
    pub bytes: u64,
    /// Lower-bound time of the drain in seconds.
    pub seconds: f64,
}

/// How long maintenance takes: the drain of each worker and of each failure domain.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DrainPlan {
    /// The migration settings the drains were computed with.
    pub limits: MigrationLimits,
    /// One drain per worker whose migration path is known.
    pub hosts: Vec<HostDrain>,
    /// One drain per failure domain.
    pub domains: Vec<DomainDrain>,
    /// Why some drains could not be computed (a missing NIC speed).
    pub unknown: Vec<String>,
}

impl DrainPlan {
    /// The worker whose drain takes longest.
    pub fn busiest(&self) -> Option<&HostDrain> {
        self.hosts.iter().max_by(|a, b| a.seconds.total_cmp(&b.seconds).then(b.host.cmp(&a.host)))
    }

    /// Every (worker, workload) whose migration KubeVirt would abort.
    pub fn over_budget(&self) -> impl Iterator<Item = (&HostDrain, &OverBudget)> {
        self.hosts.iter().flat_map(|h| h.over_budget.iter().map(move |o| (h, o)))
    }
}

/// The drain of every worker and of every failure domain of `cluster` placed as `placement`.
/// `measured` holds measured bandwidth in bytes per second by worker name, which replaces the
/// declared NIC speed.
pub(crate) fn drain_plan(
    inventory: &Inventory,
    cluster: &Cluster,
    placement: &Placement,
    measured: &std::collections::BTreeMap<String, f64>,
) -> DrainPlan {
    let limits = MigrationLimits::of(inventory);
    let mut paths: Vec<Option<MigrationPath>> = Vec::with_capacity(cluster.hosts.len());
    let mut unknown = Vec::new();
    // One index, not a scan of the node list per worker: the drain plan
    // must stay linear in the cluster's size.
    let nodes = inventory.nodes_by_name();
    for host in &cluster.hosts {
        match nodes.get(host.name.as_str()).map(|n| migration_path(inventory, n)) {
            Some(Ok(mut p)) => {
                if let Some(&bytes_per_second) = measured.get(&host.name) {
                    // `net bandwidth` measures TCP between the node (or
                    // migration) addresses; through the overlay and TLS the
                    // same link carries their share less.
                    let bare = goodput(p.speed, p.mtu);
                    p.goodput = if bare > 0.0 { bytes_per_second * p.goodput / bare } else { bytes_per_second };
                    p.measured = true;
                }
                paths.push(Some(p))
            }
            Some(Err(why)) => {
                unknown.push(why.to_string());
                paths.push(None);
            }
            None => paths.push(None),
        }
    }
    // The cluster's groups are the inventory's workloads, in order.
    let payloads: Vec<Payload> = cluster
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let workload = inventory.workloads.get(i).filter(|w| w.name == g.name);
            workload
                .or_else(|| inventory.workloads.iter().find(|w| w.name == g.name))
                .map_or(Payload { moved: g.guest_memory, counted: g.guest_memory }, |w| payload(w))
        })
        .collect();
    let link_of = |h: HostId| paths[h as usize].as_ref().map_or(0.0, |p| p.goodput);
    let payloads = &payloads;
    let migrating = |h: usize| {
        placement.vms_on[h].iter().filter(|&&vm| cluster.group_of(vm).migrates_on_drain).map(move |&vm| {
            let group = cluster.vms[vm as usize].group as usize;
            (group, Move { host: h as HostId, bytes: payloads[group].moved })
        })
    };

    let mut hosts = Vec::new();
    for (h, path) in paths.iter().enumerate() {
        let Some(path) = path else { continue };
        let (groups, items): (Vec<usize>, Vec<Move>) = migrating(h).unzip();
        let stopped = placement.vms_on[h].len() as u32 - items.len() as u32;
        let (seconds, durations) = simulate(&items, &link_of, limits);
        let alone_rate = limits.bandwidth_per_migration.map_or(path.goodput, |cap| path.goodput.min(cap));
        let mut over_budget: Vec<OverBudget> = Vec::new();
        for ((&group, item), &took) in groups.iter().zip(&items).zip(&durations) {
            let counted = payloads[group].counted;
            let Some(budget) = limits.completion_budget(counted) else { continue };
            // The monitor compares whole elapsed seconds with the budget.
            if took.floor() <= budget as f64 {
                continue;
            }
            let name = &cluster.groups[group].name;
            match over_budget.iter_mut().find(|o| &o.workload == name) {
                Some(o) => o.seconds = o.seconds.max(took),
                None => over_budget.push(OverBudget {
                    workload: name.clone(),
                    bytes: item.bytes,
                    counted_bytes: counted,
                    budget_seconds: budget,
                    seconds: took,
                    alone_seconds: if alone_rate > 0.0 { item.bytes as f64 / alone_rate } else { f64::INFINITY },
                }),
            }
        }
        hosts.push(HostDrain {
            host: cluster.hosts[h].name.clone(),
            migrating_vms: items.len() as u32,
            stopped_vms: stopped,
            bytes: items.iter().map(|i| i.bytes).sum(),
            seconds,
            path: path.clone(),
            over_budget,
        });
    }

    let mut domains = Vec::new();
    if unknown.is_empty() {
        for (d, name) in cluster.domains.iter().enumerate() {
            let members: Vec<usize> =
                (0..cluster.hosts.len()).filter(|&h| cluster.hosts[h].domain == Some(d as u32)).collect();
            let items: Vec<Move> = members.iter().flat_map(|&h| migrating(h).map(|(_, m)| m)).collect();
            domains.push(DomainDrain {
                domain: name.clone(),
                hosts: members.len() as u32,
                migrating_vms: items.len() as u32,
                bytes: items.iter().map(|i| i.bytes).sum(),
                seconds: simulate(&items, &link_of, limits).0,
            });
        }
    }
    DrainPlan { limits, hosts, domains, unknown }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    fn limits(per_node: u32, per_cluster: u32, cap: Option<f64>) -> MigrationLimits {
        MigrationLimits {
            parallel_per_cluster: per_cluster,
            parallel_outbound_per_node: per_node,
            bandwidth_per_migration: cap,
            completion_timeout_per_gib: DEFAULT_COMPLETION_TIMEOUT_PER_GIB,
            progress_timeout: DEFAULT_PROGRESS_TIMEOUT,
        }
    }

    #[test]
    fn goodput_of_common_links() {
        // 10 Gbps at MTU 1500 carries 1460/1538 of 1.25 GB/s.
        let g = goodput(LinkSpeed::gbps(10), 1500);
        assert!((g - 1.25e9 * 1460.0 / 1538.0).abs() < 1.0);
        assert!(goodput(LinkSpeed::gbps(10), 9000) > g);
    }

    #[test]
    fn one_link_shared_by_two_migrations_takes_total_over_link() {
        // Four 1 GiB VMs over a 1 GiB/s link, two at a time: 4 s whatever the sharing.
        let items: Vec<(HostId, u64)> = vec![(0, GIB); 4];
        let t = drain_seconds(&items, &|_| GIB as f64, limits(2, 5, None));
        assert!((t - 4.0).abs() < 1e-9, "{t}");
    }

    #[test]
    fn a_per_migration_cap_binds() {
        // Capped at 0.25 GiB/s, two at a time: 4 GiB at 0.5 GiB/s = 8 s.
        let items: Vec<(HostId, u64)> = vec![(0, GIB); 4];
        let t = drain_seconds(&items, &|_| GIB as f64, limits(2, 5, Some(GIB as f64 / 4.0)));
        assert!((t - 8.0).abs() < 1e-9, "{t}");
    }

    #[test]
    fn the_cluster_limit_binds_across_nodes() {
        // Ten nodes with one 1 GiB VM each, 1 GiB/s links, cap 1 per cluster: 10 s.
        let items: Vec<(HostId, u64)> = (0..10).map(|h| (h, GIB)).collect();
        assert!((drain_seconds(&items, &|_| GIB as f64, limits(2, 1, None)) - 10.0).abs() < 1e-9);
        // With 5 in parallel, on separate links: 2 s.
        assert!((drain_seconds(&items, &|_| GIB as f64, limits(2, 5, None)) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn nothing_to_move_takes_no_time() {
        assert_eq!(drain_seconds(&[], &|_| 1.0, limits(2, 5, None)), 0.0);
    }

    #[test]
    fn the_overlay_and_tls_take_their_share() {
        // MTU 1500 in Geneve: pods get 1400, so 1360 bytes of payload per
        // 1400 + 50 + 38 on the wire, less TLS's 22 bytes per 16 KiB record.
        let bare = goodput(LinkSpeed::gbps(10), 1500);
        let pod = migration_goodput(LinkSpeed::gbps(10), 1500, Some(100), true);
        let expected = 1.25e9 * 1360.0 / 1488.0 * 16384.0 / 16406.0;
        assert!((pod - expected).abs() < 1.0, "{pod} vs {expected}");
        assert!(pod < bare);
        // A dedicated network carries no tunnel: only TLS is taken off.
        let dedicated = migration_goodput(LinkSpeed::gbps(10), 1500, None, true);
        assert!((dedicated - bare * 16384.0 / 16406.0).abs() < 1.0);
    }

    #[test]
    fn the_completion_budget_counts_whole_gigabytes_rounded_up() {
        let l = limits(2, 5, None);
        // 4 GiB is 4.29 GB: five units of 150 s.
        assert_eq!(l.completion_budget(4 * GIB), Some(750));
        assert_eq!(l.completion_budget(1_000_000_000), Some(150));
        assert_eq!(l.completion_budget(1_000_000_001), Some(300));
        let never = MigrationLimits { completion_timeout_per_gib: 0, ..l };
        assert_eq!(never.completion_budget(4 * GIB), None);
    }

    #[test]
    fn each_migration_is_timed_from_its_own_start() {
        // Three 1 GiB VMs, one at a time over 1 GiB/s: each takes 1 s, the drain 3 s.
        let items = vec![Move { host: 0, bytes: GIB }; 3];
        let (total, each) = simulate(&items, &|_| GIB as f64, limits(1, 5, None));
        assert!((total - 3.0).abs() < 1e-9, "{total}");
        assert!(each.iter().all(|t| (t - 1.0).abs() < 1e-9), "{each:?}");
        // Two at a time share the link: each of the first pair takes 2 s.
        let (_, each) = simulate(&items, &|_| GIB as f64, limits(2, 5, None));
        assert!((each[0] - 2.0).abs() < 1e-9 && (each[1] - 2.0).abs() < 1e-9, "{each:?}");
    }
}
