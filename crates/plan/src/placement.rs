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
