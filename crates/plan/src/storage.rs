//! Storage classes under failure: does losing the tolerated nodes or
//! zones take every replica of some data, and does the capacity that is
//! left still hold the data with all the replicas it can have?
//!
//! Storage nodes are the nodes with the storage role, else the workers
//! (hyperconverged storage such as Longhorn). Each holds a share of a
//! class's capacity in proportion to its declared `usage: [storage]` disks,
//! or an equal share when those are not declared on every storage node.
//!
//! Replication and capacity read one model of where replicas sit. A class
//! keeps each piece of data on `replicas` distinct *units* of its
//! `failureDomain`: storage hosts, racks or zones (a Ceph CRUSH rule, a
//! Longhorn anti-affinity). So there are never more copies than units, a
//! unit holds at most one copy of each piece, and after a failure only the
//! units left can hold copies: with `failureDomain: zone`, one zone left
//! holds one copy, never three. Replicas survive a failure when the copies
//! outnumber the units it can take; capacity fits when the units left can
//! hold a copy per unit up to the replicas, which is judged by the fill of
//! the fullest unit in the best spread.

use std::collections::BTreeMap;

use kubev_ha_model::{ByteSize, DiskUsage, FailureDomain, Inventory, Node, Role, StorageClass};
use serde::Serialize;

/// What a class faces after the worst tolerated failure.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassUnderFailure {
    /// The storage class.
    pub class: String,
    /// Whether its data survives and can be re-replicated.
    pub replication: ReplicaOutcome,
    /// Whether what is left holds its data.
    pub capacity: CapacityOutcome,
}

/// Whether a storage class's replicas survive the tolerated failures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum ReplicaOutcome {
    /// At least one replica survives every tolerated failure, and the data
    /// can be brought back to full redundancy on what is left.
    Survives {
        /// How, in words.
        detail: String,
    },
    /// A replica survives, but too few domains are left to re-replicate.
    Degraded {
        /// Why, in words.
        detail: String,
    },
    /// Some tolerated failure can take every replica.
    MayLoseData {
        /// Which failure, in words.
        detail: String,
    },
    /// The inventory does not say enough (replicas, failure domain, storage nodes).
    Unknown {
        /// What is missing, in words.
        detail: String,
    },
}

/// Whether what is left of a storage class holds its data after the tolerated failures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum CapacityOutcome {
    /// What is left holds the data with every replica the units left can
    /// take: `ratio` (the fill of the fullest unit in the best spread,
    /// worst case) is at most 1. How full is too full is the rules'
    /// business (ST-CAPACITY's thresholds).
    Fits {
        /// The fill of the fullest unit left, at most 1.
        ratio: f64,
        /// How, in words.
        detail: String,
    },
    /// What is left cannot hold them (`ratio` above 1, infinite when
    /// nothing is left).
    Overfull {
        /// The fill of the fullest unit left, above 1.
        ratio: f64,
        /// Why, in words.
        detail: String,
    },
    /// The inventory does not say enough (capacity, replicas, usage).
    Unknown {
        /// What is missing, in words.
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

/// Single-copy bytes on a class: its declared PVC disks, each workload's
/// replicas counted; `None` when a disk has no size.
fn used_data(inventory: &Inventory, class: &StorageClass) -> Option<u64> {
    let mut used = ByteSize::ZERO;
    for w in &inventory.workloads {
        for disk in w.disks.iter().filter(|d| d.is_pvc()) {
            let on_this = match &disk.storage_class {
                Some(name) => *name == class.name,
                None => class.default == Some(true),
            };
            if on_this {
                used = used.saturating_add(disk.size?.saturating_mul(u64::from(w.replica_count())));
            }
        }
    }
    Some(used.as_u64())
}

/// The storage nodes with their share weights, and the failure the design
/// must tolerate.
struct Storage<'a> {
    nodes: Vec<&'a Node>,
    weights: Vec<u64>,
    tolerate_nodes: u32,
    tolerate_zones: u32,
}

/// The fact that storage units cannot be formed without.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum UnknownUnits {
    #[error("storage node {0} declares no rack")]
    NoRack(String),
    #[error("storage node {0} declares no zone")]
    NoZone(String),
    #[error("some storage nodes declare no zone")]
    SomeZonesMissing,
}

/// Where a class's replicas can sit: the units of its failure domain, each
/// a set of storage nodes (indices into `Storage::nodes`).
struct Units {
    domain: FailureDomain,
    /// Said when the failure domain is not declared and hosts are assumed.
    assumed: Option<&'static str>,
    members: Vec<Vec<usize>>,
}

impl Storage<'_> {
    /// The units of `domain`, or which fact is missing to form them.
    fn units(&self, domain: Option<FailureDomain>) -> Result<Units, UnknownUnits> {
        let (domain, assumed) = match domain {
            Some(d) => (d, None),
            None => (FailureDomain::Host, Some("failureDomain not declared: replicas assumed on distinct hosts")),
        };
        let mut by_key: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let zone = node.zone.as_deref().unwrap_or("");
            let key = match domain {
                FailureDomain::Host => (zone, node.name.as_str()),
                // A rack sits in one zone; the same name in two zones is two racks.
                FailureDomain::Rack => {
                    (zone, node.rack.as_deref().ok_or_else(|| UnknownUnits::NoRack(node.name.to_string()))?)
                }
                FailureDomain::Zone => {
                    (node.zone.as_deref().ok_or_else(|| UnknownUnits::NoZone(node.name.to_string()))?, "")
                }
            };
            by_key.entry(key).or_default().push(i);
        }
        Ok(Units { domain, assumed, members: by_key.into_values().collect() })
    }

    /// Storage weight per zone, when every storage node declares one.
    fn zones(&self) -> Option<BTreeMap<&str, Vec<usize>>> {
        let mut zones: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            zones.entry(node.zone.as_deref()?).or_default().push(i);
        }
        Some(zones)
    }
}

/// Every class, judged under the tolerated failures.
pub fn storage_under_failure(inventory: &Inventory) -> Vec<ClassUnderFailure> {
    let nodes = storage_nodes(inventory);
    let weights: Option<Vec<u64>> = nodes.iter().map(|n| storage_weight(n)).collect();
    let weights: Vec<u64> = weights.unwrap_or_else(|| vec![1; nodes.len()]);
    let storage = Storage {
        nodes,
        weights,
        tolerate_nodes: inventory.tolerated_node_failures(),
        tolerate_zones: inventory.tolerated_zone_failures(),
    };
    inventory
        .storage_classes()
        .iter()
        .map(|class| {
            let replicas = class.replicas.map(|r| r.get());
            let units = storage.units(class.failure_domain);
            let replication = match (&units, replicas, class.failure_domain) {
                (_, None, _) | (_, _, None) => {
                    ReplicaOutcome::Unknown { detail: "replicas or failureDomain not declared".into() }
                }
                (Err(missing), ..) => ReplicaOutcome::Unknown { detail: missing.to_string() },
                (Ok(units), Some(r), Some(_)) => replica_outcome(&storage, units, r),
            };
            let capacity = match &units {
                Err(missing) => CapacityOutcome::Unknown { detail: missing.to_string() },
                Ok(units) => capacity_outcome(inventory, class, &storage, units),
            };
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

/// The most units a tolerated failure can take whole, and what it is in words.
fn units_lost(storage: &Storage, units: &Units) -> Result<(u64, String), UnknownUnits> {
    let k = storage.tolerate_zones as usize;
    if k > 0 {
        if storage.zones().is_none() {
            return Err(UnknownUnits::SomeZonesMissing);
        }
        // Units nest in zones, so losing zones takes the units inside them.
        let mut per_zone: BTreeMap<&str, u64> = BTreeMap::new();
        for unit in &units.members {
            let zone = storage.nodes[unit[0]].zone.as_deref().unwrap_or("");
            *per_zone.entry(zone).or_default() += 1;
        }
        return Ok((largest_k(per_zone.into_values(), k), format!("{k} zone(s)")));
    }
    // Losing n nodes takes whole the smallest units first.
    let n = storage.tolerate_nodes as usize;
    let mut sizes: Vec<usize> = units.members.iter().map(Vec::len).collect();
    sizes.sort_unstable();
    let mut used = 0;
    let mut lost = 0;
    for size in sizes {
        if used + size > n {
            break;
        }
        used += size;
        lost += 1;
    }
    Ok((lost, format!("{n} node(s)")))
}

fn replica_outcome(storage: &Storage, units: &Units, r: u32) -> ReplicaOutcome {
    let domain = units.domain;
    let total = units.members.len() as u64;
    let (lost, what) = match units_lost(storage, units) {
        Ok(found) => found,
        Err(missing) => return ReplicaOutcome::Unknown { detail: missing.to_string() },
    };
    // There are never more copies than units to hold them.
    let copies = u64::from(r).min(total);
    let few = if copies < u64::from(r) {
        format!(
            "{r} replicas over {domain}s, but the storage nodes span only {total} {domain}(s), so at most {copies} of them exist; "
        )
    } else {
        String::new()
    };
    if copies == 0 || lost >= copies {
        return ReplicaOutcome::MayLoseData {
            detail: format!(
                "{few}losing {what} can take {lost} of the {total} {domain}(s), enough to hold every copy ({copies} of them)"
            ),
        };
    }
    let left = total - lost;
    if left < u64::from(r) {
        ReplicaOutcome::Degraded {
            detail: format!(
                "{few}a copy survives losing {what} (it takes at most {lost} of {total} {domain}s), but only {left} {domain}(s) are left for {r} replicas: the data runs degraded until they return"
            ),
        }
    } else {
        ReplicaOutcome::Survives {
            detail: format!(
                "{r} replicas on distinct {domain}s survive losing {what} (it takes at most {lost} of {total}) and re-replicate on the {left} left"
            ),
        }
    }
}

/// The smallest fill `f` of the fullest unit such that units of capacities
/// `caps` hold `copies` copies of `data` bytes, each unit at most one copy
/// of each piece: the least f with Σ min(f·cap, data) ≥ copies·data.
/// Infinite when fewer than `copies` units have any capacity.
fn best_fill(caps: &[u64], data: u64, copies: u64) -> f64 {
    if data == 0 || copies == 0 {
        return 0.0;
    }
    let mut caps: Vec<f64> = caps.iter().filter(|&&c| c > 0).map(|&c| c as f64).collect();
    if (caps.len() as u64) < copies {
        return f64::INFINITY;
    }
    let data = data as f64;
    let need = copies as f64 * data;
    // Units saturate (hold a whole copy) in order of data/cap, smallest
    // first: the largest units saturate first.
    caps.sort_by(|a, b| b.total_cmp(a));
    let mut open: f64 = caps.iter().sum();
    let mut saturated = 0.0;
    for cap in &caps {
        // With the units before this one saturated, the fill that meets the need.
        let f = (need - saturated * data) / open;
        if f <= data / cap {
            return f;
        }
        saturated += 1.0;
        open -= cap;
    }
    // Every unit saturated: copies equals the unit count and the fullest
    // unit is the smallest one.
    caps.last().map_or(f64::INFINITY, |smallest| data / smallest)
}

fn capacity_outcome(inventory: &Inventory, class: &StorageClass, storage: &Storage, units: &Units) -> CapacityOutcome {
    let (Some(capacity), Some(r), Some(data)) =
        (class.capacity, class.replicas.map(|r| r.get()), used_data(inventory, class))
    else {
        return CapacityOutcome::Unknown { detail: "capacity, replicas or disk sizes not declared".into() };
    };
    let total_weight: u64 = storage.weights.iter().sum();
    if total_weight == 0 {
        return CapacityOutcome::Unknown { detail: "no storage nodes declared".into() };
    }
    // Which storage nodes the worst tolerated failure takes: the zones, or
    // the nodes, holding the most capacity.
    let mut lost = vec![false; storage.nodes.len()];
    let what = if storage.tolerate_zones > 0 {
        let Some(zones) = storage.zones() else {
            return CapacityOutcome::Unknown { detail: "some storage nodes declare no zone".into() };
        };
        let mut by_weight: Vec<(u64, &Vec<usize>)> =
            zones.values().map(|m| (m.iter().map(|&i| storage.weights[i]).sum(), m)).collect();
        by_weight.sort_by_key(|z| std::cmp::Reverse(z.0));
        for (_, members) in by_weight.iter().take(storage.tolerate_zones as usize) {
            for &i in members.iter() {
                lost[i] = true;
            }
        }
        format!("the largest {} zone(s)", storage.tolerate_zones)
    } else {
        let mut order: Vec<usize> = (0..storage.nodes.len()).collect();
        order.sort_by(|&a, &b| storage.weights[b].cmp(&storage.weights[a]).then(a.cmp(&b)));
        for &i in order.iter().take(storage.tolerate_nodes as usize) {
            lost[i] = true;
        }
        format!("the largest {} storage node(s)", storage.tolerate_nodes)
    };
    let share =
        |i: usize| (capacity.as_u64() as u128 * u128::from(storage.weights[i]) / u128::from(total_weight)) as u64;
    let caps: Vec<u64> = units
        .members
        .iter()
        .map(|m| m.iter().filter(|&&i| !lost[i]).map(|&i| share(i)).sum::<u64>())
        .filter(|&c| c > 0)
        .collect();
    let left: u64 = caps.iter().sum();
    let domain = units.domain;
    let copies = u64::from(r).min(caps.len() as u64);
    let ratio = if data == 0 {
        0.0
    } else if copies == 0 {
        f64::INFINITY
    } else {
        best_fill(&caps, data, copies)
    };
    let assumed = units.assumed.map_or_else(String::new, |a| format!(" ({a})"));
    let fewer = if copies < u64::from(r) && copies > 0 {
        format!(", only {copies} of the {r} replicas fit, one per {domain}")
    } else {
        String::new()
    };
    // Nothing left for data that exists is unbounded use; say so in words
    // rather than "inf %". No data needs no capacity, left or not. In JSON
    // an infinite ratio is written as null (docs/plan.md).
    let detail = if copies == 0 {
        format!(
            "after losing {what}, nothing is left of {} raw capacity for {} of data with its replicas{assumed}",
            capacity.human(),
            ByteSize::bytes(data.saturating_mul(u64::from(r))).human()
        )
    } else {
        format!(
            "after losing {what}, {} of {} raw capacity is left on {} {domain}(s){fewer}: {} of data × {copies} {} fills the fullest {domain} to {:.0} %{assumed}",
            ByteSize::bytes(left).human(),
            capacity.human(),
            caps.len(),
            ByteSize::bytes(data).human(),
            if copies == 1 { "copy" } else { "copies" },
            ratio * 100.0
        )
    };
    if ratio > 1.0 { CapacityOutcome::Overfull { ratio, detail } } else { CapacityOutcome::Fits { ratio, detail } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fill_of_the_fullest_unit_in_the_best_spread() {
        // Many equal units, no unit holding a whole copy: the average fill.
        assert!((best_fill(&[100, 100, 100, 100], 50, 2) - 0.25).abs() < 1e-12);
        // A copy per unit: the smallest unit is the fullest.
        assert!((best_fill(&[100, 200], 50, 2) - 0.5).abs() < 1e-12);
        // One huge unit cannot hold two copies of a piece: the small ones fill.
        // 100 in the big unit, the other 100 over 10 + 10: overfull.
        assert!(best_fill(&[1000, 10, 10], 100, 2) > 1.0);
        // Fewer units than copies: impossible.
        assert!(best_fill(&[100], 10, 2).is_infinite());
        assert_eq!(best_fill(&[100], 0, 2), 0.0);
    }
}
