//! Storage classes under failure: does losing the tolerated nodes or
//! zones take every replica of some data, and does the capacity that is
//! left still hold the data with all its replicas?
//!
//! Storage nodes are the nodes with the storage role, else the workers
//! (hyperconverged storage such as Longhorn). Each holds a share of a
//! class's capacity in proportion to its declared `usage: [storage]` disks,
//! or an equal share when those are not declared on every storage node.

use std::collections::BTreeMap;

use kubev_ha_model::{ByteSize, DiskUsage, FailureDomain, Inventory, Node, Role, StorageClass};
use serde::Serialize;

/// What a class faces after the worst tolerated failure.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassUnderFailure {
    pub class: String,
    pub replication: ReplicaOutcome,
    pub capacity: CapacityOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum ReplicaOutcome {
    /// At least one replica survives every tolerated failure, and the data
    /// can be brought back to full redundancy on what is left.
    Survives {
        detail: String,
    },
    /// A replica survives, but too few domains are left to re-replicate.
    Degraded {
        detail: String,
    },
    /// Some tolerated failure can take every replica.
    MayLoseData {
        detail: String,
    },
    Unknown {
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum CapacityOutcome {
    /// What is left holds the data with all its replicas: `ratio` (data ÷
    /// what is left, worst case) is at most 1. How full is too full is the
    /// rules' business (ST-CAPACITY's thresholds).
    Fits {
        ratio: f64,
        detail: String,
    },
    /// What is left cannot hold the data with all its replicas (`ratio`
    /// above 1, infinite when nothing is left).
    Overfull {
        ratio: f64,
        detail: String,
    },
    Unknown {
        detail: String,
    },
}

/// The storage nodes and their share weights.
fn storage_nodes(inventory: &Inventory) -> Vec<&Node> {
    let marked: Vec<&Node> = inventory.nodes.iter().filter(|n| n.has_role(Role::Storage)).map(|n| &n.value).collect();
    if marked.is_empty() { inventory.workers().map(|n| &n.value).collect() } else { marked }
}

fn storage_weight(node: &Node) -> Option<u64> {
    let disks = node.disks.as_deref()?;
    let sum: u64 =
        disks.iter().filter(|d| d.usage.contains(&DiskUsage::Storage)).filter_map(|d| d.size).map(|s| s.as_u64()).sum();
    (sum > 0).then_some(sum)
}

/// Raw bytes a class holds: declared VM disks on it times its replicas.
pub fn used_raw(inventory: &Inventory, class: &StorageClass) -> Option<u64> {
    let replicas = u64::from(class.replicas?.get());
    let mut used = ByteSize::ZERO;
    for w in &inventory.workloads {
        for disk in &w.disks {
            let on_this = match &disk.storage_class {
                Some(name) => *name == class.name,
                None => class.default == Some(true),
            };
            if on_this {
                used = used.saturating_add(disk.size?.saturating_mul(u64::from(w.replica_count())));
            }
        }
    }
    Some(used.as_u64().saturating_mul(replicas))
}

/// Every class, judged under the tolerated failures.
pub fn storage_under_failure(inventory: &Inventory) -> Vec<ClassUnderFailure> {
    let nodes = storage_nodes(inventory);
    let tolerate_zones = inventory.tolerated_zone_failures();
    let tolerate_nodes = inventory.tolerated_node_failures();
    let weights: Option<Vec<u64>> = nodes.iter().map(|n| storage_weight(n)).collect();
    let weights: Vec<u64> = weights.unwrap_or_else(|| vec![1; nodes.len()]);
    let total_weight: u64 = weights.iter().sum();

    // Storage weight and node count per zone; nodes without a zone are "?".
    let mut zones: BTreeMap<&str, (u64, u32)> = BTreeMap::new();
    for (node, w) in nodes.iter().zip(&weights) {
        let e = zones.entry(node.zone.as_deref().unwrap_or("?")).or_default();
        e.0 += w;
        e.1 += 1;
    }
    let zones_known = !zones.contains_key("?");

    inventory
        .storage_classes()
        .iter()
        .map(|class| {
            let replicas = class.replicas.map(|r| r.get());
            let replication =
                replica_outcome(class, replicas, &nodes, &zones, zones_known, tolerate_nodes, tolerate_zones);
            let capacity = capacity_outcome(
                inventory,
                class,
                &weights,
                total_weight,
                &zones,
                zones_known,
                tolerate_nodes,
                tolerate_zones,
            );
            ClassUnderFailure { class: class.name.clone(), replication, capacity }
        })
        .collect()
}

/// The largest total of `k` values.
fn largest_k(values: impl Iterator<Item = u64>, k: usize) -> u64 {
    let mut v: Vec<u64> = values.collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.into_iter().take(k).sum()
}

fn replica_outcome(
    class: &StorageClass,
    replicas: Option<u32>,
    nodes: &[&Node],
    zones: &BTreeMap<&str, (u64, u32)>,
    zones_known: bool,
    tolerate_nodes: u32,
    tolerate_zones: u32,
) -> ReplicaOutcome {
    let (Some(r), Some(domain)) = (replicas, class.failure_domain) else {
        return ReplicaOutcome::Unknown { detail: "replicas or failureDomain not declared".into() };
    };
    if tolerate_zones == 0 {
        // Only node failures: replicas on distinct hosts survive r − 1 of them.
        return if r > tolerate_nodes {
            let left = nodes.len() as u32 - tolerate_nodes.min(nodes.len() as u32);
            if left >= r {
                ReplicaOutcome::Survives {
                    detail: format!(
                        "{r} replicas on distinct {domain}s survive losing {tolerate_nodes} node(s) and re-replicate on the {left} left"
                    ),
                }
            } else {
                ReplicaOutcome::Degraded {
                    detail: format!(
                        "after losing {tolerate_nodes} node(s) only {left} storage nodes are left for {r} replicas"
                    ),
                }
            }
        } else {
            ReplicaOutcome::MayLoseData {
                detail: format!("{r} replica(s) cannot survive losing {tolerate_nodes} node(s)"),
            }
        };
    }
    if !zones_known {
        return ReplicaOutcome::Unknown { detail: "some storage nodes declare no zone".into() };
    }
    let k = tolerate_zones as usize;
    let zone_count = zones.len();
    match domain {
        FailureDomain::Zone => {
            if r as usize <= k {
                ReplicaOutcome::MayLoseData {
                    detail: format!("{r} replicas, one per zone, do not survive losing {k} zone(s)"),
                }
            } else if zone_count.saturating_sub(k) < r as usize {
                ReplicaOutcome::Degraded {
                    detail: format!(
                        "a replica survives losing {k} zone(s), but only {} zone(s) are left for {r} replicas: the data runs degraded until the zone returns",
                        zone_count.saturating_sub(k)
                    ),
                }
            } else {
                ReplicaOutcome::Survives {
                    detail: format!("{r} replicas over {zone_count} zones survive losing {k} and re-replicate"),
                }
            }
        }
        FailureDomain::Host | FailureDomain::Rack => {
            // Replicas on distinct hosts (racks) can all sit in the lost zones
            // when those zones hold at least r hosts (racks).
            let units_per_zone: Vec<u64> = zones
                .iter()
                .map(|(zone, (_, count))| {
                    if domain == FailureDomain::Host {
                        u64::from(*count)
                    } else {
                        nodes
                            .iter()
                            .filter(|n| n.zone.as_deref() == Some(zone))
                            .filter_map(|n| n.rack.as_deref())
                            .collect::<std::collections::BTreeSet<_>>()
                            .len() as u64
                    }
                })
                .collect();
            let worst = largest_k(units_per_zone.into_iter(), k);
            if worst >= u64::from(r) {
                ReplicaOutcome::MayLoseData {
                    detail: format!(
                        "replicas spread over {domain}s: losing {k} zone(s) can take {worst} {domain}s, enough to hold all {r} replicas"
                    ),
                }
            } else {
                ReplicaOutcome::Survives {
                    detail: format!(
                        "losing {k} zone(s) takes at most {worst} {domain}(s), fewer than the {r} replicas"
                    ),
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn capacity_outcome(
    inventory: &Inventory,
    class: &StorageClass,
    weights: &[u64],
    total_weight: u64,
    zones: &BTreeMap<&str, (u64, u32)>,
    zones_known: bool,
    tolerate_nodes: u32,
    tolerate_zones: u32,
) -> CapacityOutcome {
    let (Some(capacity), Some(raw)) = (class.capacity, used_raw(inventory, class)) else {
        return CapacityOutcome::Unknown { detail: "capacity, replicas or disk sizes not declared".into() };
    };
    if total_weight == 0 {
        return CapacityOutcome::Unknown { detail: "no storage nodes declared".into() };
    }
    let (lost_weight, what) = if tolerate_zones > 0 {
        if !zones_known {
            return CapacityOutcome::Unknown { detail: "some storage nodes declare no zone".into() };
        }
        (
            largest_k(zones.values().map(|z| z.0), tolerate_zones as usize),
            format!("the largest {tolerate_zones} zone(s)"),
        )
    } else {
        (
            largest_k(weights.iter().copied(), tolerate_nodes as usize),
            format!("the largest {tolerate_nodes} storage node(s)"),
        )
    };
    let left = (capacity.as_u64() as u128 * u128::from(total_weight - lost_weight.min(total_weight))
        / u128::from(total_weight)) as u64;
    // Nothing left for data that exists is unbounded use; say so in words
    // rather than "inf %". No data needs no capacity, left or not. In JSON
    // an infinite ratio is written as null (docs/plan.md).
    let ratio = if raw == 0 {
        0.0
    } else if left == 0 {
        f64::INFINITY
    } else {
        raw as f64 / left as f64
    };
    let detail = if left == 0 {
        format!(
            "after losing {what}, nothing is left of {} raw capacity for {} of data with its replicas",
            capacity.human(),
            ByteSize::bytes(raw).human()
        )
    } else {
        format!(
            "after losing {what}, {} of {} raw capacity is left for {} of data with its replicas ({:.0} %)",
            ByteSize::bytes(left).human(),
            capacity.human(),
            ByteSize::bytes(raw).human(),
            ratio * 100.0
        )
    };
    if ratio > 1.0 { CapacityOutcome::Overfull { ratio, detail } } else { CapacityOutcome::Fits { ratio, detail } }
}
