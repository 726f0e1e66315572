//! Where the VMs run before anything fails.
//!
//! The Kubernetes scheduler's default scoring (NodeResourcesFit with the
//! LeastAllocated strategy) sends each pod to the feasible node with the
//! most free CPU and memory, as a share of its capacity. The initial
//! placement does the same, taking VMs largest first so that a design
//! with room for everything is not failed by an unlucky arrival order.
//! `spread: true` is a hard anti-affinity: no two replicas on one node.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use serde::Serialize;

use crate::cluster::{Cluster, HostId, VmId};
use crate::resources::Res;

/// Marks a VM without a host.
pub const NO_HOST: HostId = HostId::MAX;

/// The placement of every running VM.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    /// The host of each VM, [`NO_HOST`] when none had room.
    pub host_of: Vec<HostId>,
    /// Requests placed on each host.
    pub used: Vec<Res>,
    /// The VMs on each host, in placement order.
    pub vms_on: Vec<Vec<VmId>>,
    /// VMs that found no host.
    pub unplaced: Vec<VmId>,
}

impl Placement {
    /// What `host` has left after the initial placement.
    pub fn free(&self, cluster: &Cluster, host: HostId) -> Res {
        cluster.hosts[host as usize].capacity - self.used[host as usize]
    }
}

/// VM ids ordered largest first (memory, then CPU), ties by id: the order
/// both placement and re-placement take them in.
pub(crate) fn largest_first(cluster: &Cluster, vms: &mut [VmId]) {
    vms.sort_by_key(|&vm| {
        let d = cluster.demand_of(vm);
        (Reverse(d.mem), Reverse(d.cpu), vm)
    });
}

/// Whether `host` already runs a replica of `group` among `vms`.
pub(crate) fn runs_group(cluster: &Cluster, vms: &[VmId], group: u32) -> bool {
    vms.iter().any(|&vm| cluster.vms[vm as usize].group == group)
}

/// LeastAllocated's score: the mean free share of CPU and memory, in
/// millionths, so that ordering is exact and deterministic.
fn score(capacity: Res, free: Res) -> u64 {
    let share =
        |free: u64, cap: u64| if cap == 0 { 0 } else { (u128::from(free) * 1_000_000 / u128::from(cap)) as u64 };
    (share(free.cpu, capacity.cpu) + share(free.mem, capacity.mem)) / 2
}

/// Places every running VM as the default scheduler would; VMs of a
/// pinned workload ([`Group::pinned`](crate::Group), a live cluster's) go
/// first onto the host they run on now, whether or not it has room by the
/// model's numbers: they are there. A host they over-commit then has
/// nothing free (arithmetic saturates), and takes no other VM.
pub fn initial_placement(cluster: &Cluster) -> Placement {
    let n = cluster.hosts.len();
    let mut used = vec![Res::ZERO; n];
    let mut vms_on: Vec<Vec<VmId>> = vec![Vec::new(); n];
    let mut host_of = vec![NO_HOST; cluster.vms.len()];
    let mut unplaced = Vec::new();

    let mut order: Vec<VmId> = Vec::with_capacity(cluster.vms.len());
    for vm in 0..cluster.vms.len() as VmId {
        match cluster.group_of(vm).pinned {
            Some(h) if (h as usize) < n => {
                // `+` on Res saturates.
                used[h as usize] += cluster.demand_of(vm);
                vms_on[h as usize].push(vm);
                host_of[vm as usize] = h;
            }
            _ => order.push(vm),
        }
    }

    let mut by_score: BTreeSet<(Reverse<u64>, HostId)> = cluster
        .hosts
        .iter()
        .enumerate()
        .map(|(h, host)| (Reverse(score(host.capacity, host.capacity - used[h])), h as HostId))
        .collect();
    largest_first(cluster, &mut order);

    for vm in order {
        let demand = cluster.demand_of(vm);
        let group = cluster.vms[vm as usize].group;
        let spread = cluster.groups[group as usize].spread;
        let chosen = by_score.iter().map(|&(_, h)| h).find(|&h| {
            let free = cluster.hosts[h as usize].capacity - used[h as usize];
            free.holds(demand) && !(spread && runs_group(cluster, &vms_on[h as usize], group))
        });
        match chosen {
            Some(h) => {
                let hu = h as usize;
                let capacity = cluster.hosts[hu].capacity;
                by_score.remove(&(Reverse(score(capacity, capacity - used[hu])), h));
                used[hu] += demand;
                by_score.insert((Reverse(score(capacity, capacity - used[hu])), h));
                vms_on[hu].push(vm);
                host_of[vm as usize] = h;
            }
            None => unplaced.push(vm),
        }
    }
    Placement { host_of, used, vms_on, unplaced }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use kubev_ha_model::{Facts, LiveCluster, LiveNode, LiveVmi, NodeResources, node_labels};

    use super::*;
    use crate::cluster::LivePlacement;

    const GI: u64 = 1 << 30;

    /// Three schedulable workers of 16 cores and `mem_gib` GiB allocatable,
    /// and the VMIs given as (name, node, GiB).
    pub(crate) fn live(mem_gib: u64, vmis: &[(&str, Option<&str>, u64)]) -> LiveCluster {
        let mut live = LiveCluster::empty("test");
        live.nodes = Ok(["w-1", "w-2", "w-3"]
            .iter()
            .map(|&name| LiveNode {
                name: name.into(),
                labels: BTreeMap::from([(node_labels::KUBEVIRT_SCHEDULABLE.to_string(), "true".to_string())]),
                capacity: NodeResources { cpu_millis: Some(16_000), memory: Some(mem_gib * GI), ..Default::default() },
                allocatable: NodeResources {
                    cpu_millis: Some(16_000),
                    memory: Some(mem_gib * GI),
                    pods: Some(110),
                    ..Default::default()
                },
                ..Default::default()
            })
            .collect());
        live.vmis = Ok(vmis
            .iter()
            .map(|&(name, node, gib)| LiveVmi {
                namespace: "ns".into(),
                name: name.into(),
                owner_vm: Some(name.into()),
                node: node.map(str::to_string),
                vcpus: 2,
                memory: Some(gib * GI),
                ..Default::default()
            })
            .collect());
        live
    }

    pub(crate) fn live_placement(live: &LiveCluster) -> LivePlacement {
        LivePlacement {
            running_on: live.running_on(),
            allocatable: live.allocatable().into_iter().map(|(n, (c, m, p))| (n, Res::new(c, m, p))).collect(),
        }
    }

    fn host_named(cluster: &Cluster, placement: &Placement, vm: &str) -> Option<String> {
        let g = cluster.groups.iter().position(|g| g.name == vm)?;
        let id = cluster.vms.iter().position(|v| v.group as usize == g)?;
        let h = placement.host_of[id];
        (h != NO_HOST).then(|| cluster.hosts[h as usize].name.clone())
    }

    #[test]
    fn pinned_vms_stay_where_they_run_and_the_rest_are_placed() {
        // Both run on w-1; the scheduler's scoring would have spread them.
        let live = live(64, &[("a", Some("w-1"), 8), ("b", Some("w-1"), 8), ("pending", None, 8)]);
        let facts = Facts::from_live(live.clone(), None);
        let cluster = Cluster::from_live(&facts.inventory, &live_placement(&live)).unwrap();
        let p = initial_placement(&cluster);
        assert_eq!(host_named(&cluster, &p, "ns/a").as_deref(), Some("w-1"));
        assert_eq!(host_named(&cluster, &p, "ns/b").as_deref(), Some("w-1"));
        let pending = host_named(&cluster, &p, "ns/pending");
        assert!(matches!(pending.as_deref(), Some("w-2" | "w-3")), "placed like a new VM: {pending:?}");
        // Allocatable as is: no reservation taken off.
        assert_eq!(cluster.hosts[0].capacity.mem, 64 * GI);
        assert!(cluster.assumptions.allocatable_as_is);
    }

    #[test]
    fn an_over_committed_node_keeps_its_vms_and_takes_no_more() {
        // 3 × 8 GiB guests (plus overhead) on a 16 GiB node: over-committed.
        let live = live(16, &[("a", Some("w-2"), 8), ("b", Some("w-2"), 8), ("c", Some("w-2"), 8), ("d", None, 1)]);
        let facts = Facts::from_live(live.clone(), None);
        let cluster = Cluster::from_live(&facts.inventory, &live_placement(&live)).unwrap();
        let p = initial_placement(&cluster);
        assert_eq!(p.vms_on[1].len(), 3);
        assert!(p.used[1].mem > cluster.hosts[1].capacity.mem);
        assert_eq!(p.free(&cluster, 1).mem, 0, "saturates, no underflow");
        assert_ne!(host_named(&cluster, &p, "ns/d").as_deref(), Some("w-2"));
        assert!(p.unplaced.is_empty());
    }

    #[test]
    fn a_node_without_allocatable_cannot_be_simulated() {
        let mut live = live(16, &[]);
        live.nodes.as_mut().unwrap()[0].allocatable.memory = None;
        let facts = Facts::from_live(live.clone(), None);
        let err = Cluster::from_live(&facts.inventory, &live_placement(&live)).unwrap_err();
        assert_eq!(err.missing[0].subject, "node/w-1");
        assert_eq!(err.missing[0].fact, "status.allocatable");
    }
}
