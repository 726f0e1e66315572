//! How long maintenance takes: draining a worker (or a zone) by live
//! migration.
//!
//! The model, stated in every plan:
//! - A migration moves the VM's guest memory once (a pre-copy pass of an
//!   idle guest). Busy guests re-send dirtied pages, so real drains take
//!   longer: this is a lower bound on the time.
//! - The path is the dedicated migration NIC when one is declared, else
//!   the node's fastest NIC, carrying TCP at Ethernet goodput:
//!   speed × (MTU − 40) / (MTU + 38) (IP and TCP headers; Ethernet header,
//!   FCS, preamble and inter-frame gap). Measured bandwidth replaces this
//!   when `kubev-ha net bandwidth` has run.
//! - At most `parallelOutboundMigrationsPerNode` migrations leave one node
//!   at once and `parallelMigrationsPerCluster` run in the whole cluster;
//!   migrations leaving a node share its link equally, each capped by
//!   `bandwidthPerMigration` (0 = no cap). KubeVirt's defaults are 2, 5 and
//!   0 (pkg/virt-config/virt-config.go: ParallelOutboundMigrationsPerNodeDefault,
//!   ParallelMigrationsPerClusterDefault, BandwidthPerMigrationDefault).
//! - Receivers are many and are not the bottleneck; VMs go largest first.

use kubev_ha_model::{Inventory, LinkSpeed, Node};
use serde::Serialize;

use crate::cluster::{Cluster, HostId};
use crate::placement::Placement;

pub const DEFAULT_PARALLEL_PER_CLUSTER: u32 = 5;
pub const DEFAULT_PARALLEL_OUTBOUND_PER_NODE: u32 = 2;

/// TCP goodput in bytes per second over a link of `speed` with `mtu`.
pub fn goodput(speed: LinkSpeed, mtu: u32) -> f64 {
    let mtu = f64::from(mtu.max(100));
    speed.bytes_per_second() * (mtu - 40.0) / (mtu + 38.0)
}

/// The migration settings in force, with KubeVirt's defaults filled in.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationLimits {
    pub parallel_per_cluster: u32,
    pub parallel_outbound_per_node: u32,
    /// Bytes per second per migration; `None` = unlimited.
    pub bandwidth_per_migration: Option<f64>,
}

impl MigrationLimits {
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
        }
    }
}

/// The path a node's migrations leave by.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationPath {
    pub nic: String,
    pub speed: LinkSpeed,
    pub mtu: u32,
    pub dedicated: bool,
    /// Bytes per second.
    pub goodput: f64,
    /// The goodput was measured, not derived from the declared speed.
    #[serde(default)]
    pub measured: bool,
}

/// The migration path of `node`, or why it is unknown.
pub fn migration_path(inventory: &Inventory, node: &Node) -> Result<MigrationPath, String> {
    let nics = node.nics.as_deref().unwrap_or(&[]);
    let dedicated = inventory.migration_network().filter(|m| m.dedicated != Some(false)).and_then(|m| m.nic.as_deref());
    let (nic, is_dedicated) = match dedicated.and_then(|name| nics.iter().find(|n| n.name.as_deref() == Some(name))) {
        Some(nic) => (nic, true),
        None => match nics.iter().filter(|n| n.speed.is_some()).rev().max_by_key(|n| n.speed) {
            Some(nic) => (nic, false),
            None => return Err(format!("node {} declares no NIC speed", node.name)),
        },
    };
    let Some(speed) = nic.speed else {
        return Err(format!("the speed of {} on {} is not declared", nic.label(), node.name));
    };
    let mtu = nic.mtu.map_or(1500, |m| m.get());
    Ok(MigrationPath {
        nic: nic.label(),
        speed,
        mtu,
        dedicated: is_dedicated,
        goodput: goodput(speed, mtu),
        measured: false,
    })
}

/// Seconds to migrate `items` (source host, bytes), with the limits, where
/// `link_of[host]` is each source's goodput. An event-driven simulation:
/// between completions every active migration moves at its fair share.
pub fn drain_seconds(items: &[(HostId, u64)], link_of: &dyn Fn(HostId) -> f64, limits: MigrationLimits) -> f64 {
    let mut queue: Vec<(HostId, f64)> = items.iter().map(|&(h, b)| (h, b as f64)).collect();
    // Largest first; ties by host for determinism.
    queue.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut queue = std::collections::VecDeque::from(queue);
    let mut active: Vec<(HostId, f64)> = Vec::new();
    let mut now = 0.0;
    loop {
        // Start what the limits allow, in queue order.
        let mut i = 0;
        while active.len() < limits.parallel_per_cluster as usize && i < queue.len() {
            let host = queue[i].0;
            let on_host = active.iter().filter(|a| a.0 == host).count();
            if on_host < limits.parallel_outbound_per_node as usize {
                if let Some(item) = queue.remove(i) {
                    active.push(item);
                }
            } else {
                i += 1;
            }
        }
        if active.is_empty() {
            return now;
        }
        let rate = |host: HostId, active: &[(HostId, f64)]| {
            let sharing = active.iter().filter(|a| a.0 == host).count().max(1) as f64;
            let share = link_of(host) / sharing;
            limits.bandwidth_per_migration.map_or(share, |cap| share.min(cap))
        };
        let rates: Vec<f64> = active.iter().map(|a| rate(a.0, &active)).collect();
        let step = active
            .iter()
            .zip(&rates)
            .map(|(a, r)| if *r > 0.0 { a.1 / r } else { f64::INFINITY })
            .fold(f64::INFINITY, f64::min);
        if !step.is_finite() {
            return f64::INFINITY;
        }
        now += step;
        for (a, r) in active.iter_mut().zip(&rates) {
            a.1 -= r * step;
        }
        active.retain(|a| a.1 > 1e-6);
    }
}

/// The drain of one worker.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostDrain {
    pub host: String,
    pub migrating_vms: u32,
    /// VMs a drain shuts down instead (evictionStrategy not LiveMigrate).
    pub stopped_vms: u32,
    pub bytes: u64,
    pub seconds: f64,
    pub path: MigrationPath,
}

/// The drain of a whole failure domain at once.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainDrain {
    pub domain: String,
    pub hosts: u32,
    pub migrating_vms: u32,
    pub bytes: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DrainPlan {
    pub limits: MigrationLimits,
    pub hosts: Vec<HostDrain>,
    pub domains: Vec<DomainDrain>,
    /// Why some drains could not be computed (a missing NIC speed).
    pub unknown: Vec<String>,
}

impl DrainPlan {
    /// The worker whose drain takes longest.
    pub fn busiest(&self) -> Option<&HostDrain> {
        self.hosts.iter().max_by(|a, b| a.seconds.total_cmp(&b.seconds).then(b.host.cmp(&a.host)))
    }
}

pub fn drain_plan(
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
                    p.goodput = bytes_per_second;
                    p.measured = true;
                }
                paths.push(Some(p))
            }
            Some(Err(why)) => {
                unknown.push(why);
                paths.push(None);
            }
            None => paths.push(None),
        }
    }
    let link_of = |h: HostId| paths[h as usize].as_ref().map_or(0.0, |p| p.goodput);
    let migrating = |h: usize| {
        placement.vms_on[h]
            .iter()
            .filter(|&&vm| cluster.group_of(vm).migrates_on_drain)
            .map(move |&vm| (h as HostId, cluster.group_of(vm).guest_memory))
    };

    let mut hosts = Vec::new();
    for (h, path) in paths.iter().enumerate() {
        let Some(path) = path else { continue };
        let items: Vec<(HostId, u64)> = migrating(h).collect();
        let stopped = placement.vms_on[h].len() as u32 - items.len() as u32;
        hosts.push(HostDrain {
            host: cluster.hosts[h].name.clone(),
            migrating_vms: items.len() as u32,
            stopped_vms: stopped,
            bytes: items.iter().map(|i| i.1).sum(),
            seconds: drain_seconds(&items, &link_of, limits),
            path: path.clone(),
        });
    }

    let mut domains = Vec::new();
    if unknown.is_empty() {
        for (d, name) in cluster.domains.iter().enumerate() {
            let members: Vec<usize> =
                (0..cluster.hosts.len()).filter(|&h| cluster.hosts[h].domain == Some(d as u32)).collect();
            let items: Vec<(HostId, u64)> = members.iter().flat_map(|&h| migrating(h)).collect();
            domains.push(DomainDrain {
                domain: name.clone(),
                hosts: members.len() as u32,
                migrating_vms: items.len() as u32,
                bytes: items.iter().map(|i| i.1).sum(),
                seconds: drain_seconds(&items, &link_of, limits),
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
}
