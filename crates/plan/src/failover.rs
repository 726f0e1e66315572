//! What happens to the VMs when hosts fail.
//!
//! The VMs on the survivors stay where they are (Kubernetes does not move
//! running pods to make room). The displaced VMs that KubeVirt restarts
//! (runStrategy Always or RerunOnFailure) are re-placed best-fit
//! decreasing: largest first, each onto the survivor with the least free
//! memory that still holds it, within CPU and with `spread` respected.
//!
//! Packing is NP-hard, so a miss by the heuristic is not a proof. When VMs
//! find no home, four lower bounds are tried: the survivors' total capacity
//! against everything that must run; a homeless VM against the largest
//! survivor; a homeless VM against the largest free space any survivor has
//! before the re-placement (valid because the survivors' VMs stay put, so a
//! survivor's free space only shrinks as VMs are re-placed); a spread
//! workload's replicas against the number of survivors. Only a bound that
//! holds makes the verdict "cannot fit". The first, second and fourth do
//! not depend on the initial placement; the third does.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::cluster::{Cluster, HostId, VmId};
use crate::placement::{Placement, largest_first, runs_group};
use crate::resources::Res;

/// The answer to "do the VMs still fit?" for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Fit {
    /// The heuristic found a home for every VM that must restart.
    Fits,
    /// A lower bound proves no placement exists.
    CannotFit {
        /// The bound that proves it.
        bound: Bound,
        /// The numbers of the proof, in words.
        proof: String,
    },
    /// The heuristic found no home for some VMs, and no bound proves it impossible.
    NotFound {
        /// Which VMs found no home, in words.
        detail: String,
    },
}

/// Which lower bound proved a "cannot fit".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bound {
    /// The survivors' total memory is less than what must run.
    TotalMemory,
    /// The survivors' total CPU is less than what must run.
    TotalCpu,
    /// The survivors' pods (maxPods less DaemonSet pods) are fewer than the
    /// VMs that must run, one virt-launcher pod each.
    TotalPods,
    /// A VM is larger than every surviving worker.
    LargestWorker,
    /// A VM is larger than the free space of every surviving worker, with
    /// the survivors' VMs where the initial placement put them.
    LargestFree,
    /// A spread workload has more replicas than there are survivors.
    Spread,
}

impl Bound {
    /// Whether the bound holds whatever the initial placement was: true of
    /// all but the free-space bound, which reads the survivors' VMs.
    pub fn independent_of_placement(self) -> bool {
        self != Bound::LargestFree
    }
}

impl Fit {
    /// Worse verdicts sort higher.
    pub fn rank(&self) -> u8 {
        match self {
            Fit::Fits => 0,
            Fit::NotFound { .. } => 1,
            Fit::CannotFit { .. } => 2,
        }
    }
}

/// The outcome of losing a set of hosts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failover {
    /// Running VMs on the lost hosts.
    pub displaced: u32,
    /// VMs that need a home: the displaced ones KubeVirt restarts, and any
    /// that had none even before the failure.
    pub to_restart: u32,
    /// Restarted VMs that found a home.
    pub replaced: u32,
    /// VMs left without a home, by workload.
    pub homeless: BTreeMap<String, u32>,
    /// Free capacity of the survivors after re-placement.
    pub headroom: Res,
    /// Where each re-placed VM went.
    #[serde(skip)]
    pub moves: Vec<(VmId, HostId)>,
    /// Total capacity of the survivors.
    pub survivor_capacity: Res,
    /// Whether every VM that must restart found a home.
    pub fit: Fit,
}

/// Re-runs failures against one initial placement, undoing each after use,
/// so that thousands of scenarios cost little more than their own VMs.
pub struct Simulator<'a> {
    cluster: &'a Cluster,
    placement: &'a Placement,
    free: Vec<Res>,
    by_free_mem: BTreeSet<(u64, HostId)>,
    added: Vec<Vec<VmId>>,
    lost: Vec<bool>,
    total_capacity: Res,
    total_used: Res,
    /// What every running VM that KubeVirt restarts requests, placed or not.
    restartable_demand: Res,
    /// Per host, what its VMs that are not restarted request.
    non_restartable_used: Vec<Res>,
    /// The sum of `non_restartable_used` over every host.
    non_restartable_total: Res,
    /// Hosts by capacity, largest memory first, for the largest-VM bound.
    by_capacity: Vec<HostId>,
    /// Whether any host's capacity is only a lower bound (threads unknown).
    capacity_is_lower_bound: bool,
}

impl<'a> Simulator<'a> {
    /// A simulator over `cluster` as placed by `placement`.
    pub fn new(cluster: &'a Cluster, placement: &'a Placement) -> Self {
        let n = cluster.hosts.len();
        let free: Vec<Res> = (0..n).map(|h| placement.free(cluster, h as HostId)).collect();
        let by_free_mem = free.iter().enumerate().map(|(h, f)| (f.mem, h as HostId)).collect();
        let mut by_capacity: Vec<HostId> = (0..n as HostId).collect();
        by_capacity.sort_by_key(|&h| (std::cmp::Reverse(cluster.hosts[h as usize].capacity.mem), h));
        let restartable_demand = (0..cluster.vms.len() as VmId)
            .filter(|&vm| cluster.group_of(vm).restarts)
            .map(|vm| cluster.demand_of(vm))
            .sum();
        let non_restartable_used: Vec<Res> = placement
            .vms_on
            .iter()
            .map(|vms| vms.iter().filter(|&&vm| !cluster.group_of(vm).restarts).map(|&vm| cluster.demand_of(vm)).sum())
            .collect();
        let non_restartable_total = non_restartable_used.iter().copied().sum();
        Simulator {
            cluster,
            placement,
            restartable_demand,
            non_restartable_used,
            non_restartable_total,
            free,
            by_free_mem,
            added: vec![Vec::new(); n],
            lost: vec![false; n],
            total_capacity: cluster.total_capacity(),
            total_used: placement.used.iter().copied().sum(),
            by_capacity,
            capacity_is_lower_bound: cluster.hosts.iter().any(|h| h.capacity_is_lower_bound),
        }
    }

    /// Loses `lost_hosts` and re-places what KubeVirt restarts; the state
    /// is restored before returning.
    pub fn fail(&mut self, lost_hosts: &[HostId]) -> Failover {
        let cluster = self.cluster;
        // The hosts this scenario loses, each once. Everything below walks
        // this list, never all hosts: a scenario costs what it loses, so the
        // thousands of single-worker scenarios of a large cluster stay linear
        // in its size together.
        let mut newly_lost: Vec<HostId> = Vec::with_capacity(lost_hosts.len());
        for &h in lost_hosts {
            if !self.lost[h as usize] {
                self.lost[h as usize] = true;
                self.by_free_mem.remove(&(self.free[h as usize].mem, h));
                newly_lost.push(h);
            }
        }
        newly_lost.sort_unstable();

        let mut displaced = 0u32;
        let mut to_place: Vec<VmId> = Vec::new();
        let mut lost_capacity = Res::ZERO;
        let mut lost_used = Res::ZERO;
        let mut survivors = cluster.hosts.len() as u32;
        for &h in &newly_lost {
            let h = h as usize;
            survivors -= 1;
            lost_capacity += cluster.hosts[h].capacity;
            lost_used += self.placement.used[h];
            for &vm in &self.placement.vms_on[h] {
                displaced += 1;
                if cluster.group_of(vm).restarts {
                    to_place.push(vm);
                }
            }
        }
        // VMs that had no home before the failure still need one after it.
        to_place.extend(self.placement.unplaced.iter().copied().filter(|&vm| cluster.group_of(vm).restarts));
        largest_first(cluster, &mut to_place);

        let mut touched: Vec<HostId> = Vec::new();
        let mut homeless_vms: Vec<VmId> = Vec::new();
        let mut moves: Vec<(VmId, HostId)> = Vec::new();
        let mut placed_demand = Res::ZERO;
        for &vm in &to_place {
            let demand = cluster.demand_of(vm);
            let group = cluster.vms[vm as usize].group;
            let spread = cluster.groups[group as usize].spread;
            let chosen = self.by_free_mem.range((demand.mem, 0)..).map(|&(_, h)| h).find(|&h| {
                let hu = h as usize;
                self.free[hu].cpu >= demand.cpu
                    && self.free[hu].pods >= demand.pods
                    && !(spread
                        && (runs_group(cluster, &self.placement.vms_on[hu], group)
                            || runs_group(cluster, &self.added[hu], group)))
            });
            match chosen {
                Some(h) => {
                    let hu = h as usize;
                    self.by_free_mem.remove(&(self.free[hu].mem, h));
                    self.free[hu] -= demand;
                    self.by_free_mem.insert((self.free[hu].mem, h));
                    if self.added[hu].is_empty() {
                        touched.push(h);
                    }
                    self.added[hu].push(vm);
                    moves.push((vm, h));
                    placed_demand += demand;
                }
                None => homeless_vms.push(vm),
            }
        }

        let survivor_capacity = self.total_capacity - lost_capacity;
        let survivor_used = self.total_used - lost_used;
        let headroom = survivor_capacity - survivor_used - placed_demand;
        let mut homeless: BTreeMap<String, u32> = BTreeMap::new();
        for &vm in &homeless_vms {
            *homeless.entry(cluster.group_of(vm).name.clone()).or_default() += 1;
        }
        let fit = if homeless_vms.is_empty() {
            Fit::Fits
        } else {
            // Everything that must run afterwards: every restartable VM
            // (wherever it was, placed or not) and the VMs that are not
            // restarted but keep running on the survivors. This does not
            // depend on where the heuristic put anything.
            let lost_kept: Res = newly_lost.iter().map(|&h| self.non_restartable_used[h as usize]).sum();
            let kept = self.non_restartable_total - lost_kept;
            let need = self.restartable_demand + kept;
            self.judge_misfit(&homeless_vms, need, survivor_capacity, survivor_used, survivors)
        };
        let result = Failover {
            displaced,
            to_restart: to_place.len() as u32,
            replaced: (to_place.len() - homeless_vms.len()) as u32,
            homeless,
            headroom,
            moves,
            survivor_capacity,
            fit,
        };

        // Undo: the next scenario starts from the initial placement again.
        for h in touched {
            let hu = h as usize;
            self.by_free_mem.remove(&(self.free[hu].mem, h));
            self.free[hu] = self.placement.free(cluster, h);
            self.by_free_mem.insert((self.free[hu].mem, h));
            self.added[hu].clear();
        }
        for h in newly_lost {
            self.lost[h as usize] = false;
            self.by_free_mem.insert((self.free[h as usize].mem, h));
        }
        result
    }

    /// Tries the lower bounds; "cannot fit" only when one of them proves it.
    fn judge_misfit(&self, homeless: &[VmId], need: Res, capacity: Res, survivor_used: Res, survivors: u32) -> Fit {
        let cluster = self.cluster;
        let gib = |b: u64| b as f64 / f64::from(1u32 << 30);
        let free = capacity - survivor_used;
        let restarting: Res = homeless.iter().map(|&vm| cluster.demand_of(vm)).sum();
        let pods = if free.pods < restarting.pods { format!(" and {} pods", free.pods) } else { String::new() };
        let detail = format!(
            "{} VM(s) found no home with the survivors' VMs left in place: they request {:.1} GiB and {:.1} cores, the survivors have {:.1} GiB and {:.1} cores{pods} free in total (fragmented, or held back by spread)",
            homeless.len(),
            gib(restarting.mem),
            restarting.cpu as f64 / 1000.0,
            gib(free.mem),
            free.cpu as f64 / 1000.0,
        );
        if self.capacity_is_lower_bound {
            return Fit::NotFound {
                detail: format!(
                    "{detail} (some workers declare cores but not threads, so their capacity is a lower bound)"
                ),
            };
        }
        if need.mem > capacity.mem {
            return Fit::CannotFit {
                bound: Bound::TotalMemory,
                proof: format!(
                    "the VMs that must run request {:.1} GiB of memory; the survivors offer {:.1} GiB in all",
                    gib(need.mem),
                    gib(capacity.mem)
                ),
            };
        }
        if need.cpu > capacity.cpu {
            return Fit::CannotFit {
                bound: Bound::TotalCpu,
                proof: format!(
                    "the VMs that must run request {:.1} cores of CPU; the survivors offer {:.1} in all",
                    need.cpu as f64 / 1000.0,
                    capacity.cpu as f64 / 1000.0
                ),
            };
        }
        if need.pods > capacity.pods {
            return Fit::CannotFit {
                bound: Bound::TotalPods,
                proof: format!(
                    "the {} VMs that must run need a virt-launcher pod each; the survivors take {} pods in all (kubelet maxPods less DaemonSet pods)",
                    need.pods, capacity.pods
                ),
            };
        }
        for &vm in homeless {
            let demand = cluster.demand_of(vm);
            let any_host_holds = self
                .by_capacity
                .iter()
                .take_while(|&&h| cluster.hosts[h as usize].capacity.mem >= demand.mem)
                .any(|&h| !self.lost[h as usize] && cluster.hosts[h as usize].capacity.holds(demand));
            if !any_host_holds {
                return Fit::CannotFit {
                    bound: Bound::LargestWorker,
                    proof: format!(
                        "a VM of {} requests {:.1} GiB and {:.1} cores, more than any surviving worker has",
                        cluster.group_of(vm).name,
                        gib(demand.mem),
                        demand.cpu as f64 / 1000.0
                    ),
                };
            }
        }
        let homeless_groups: BTreeSet<u32> = homeless.iter().map(|&vm| cluster.vms[vm as usize].group).collect();
        for &g in &homeless_groups {
            let group = &cluster.groups[g as usize];
            if !group.spread {
                continue;
            }
            // Replicas that must run afterwards: all of a restartable group;
            // for others, those still on survivors.
            let alive = (0..cluster.vms.len())
                .filter(|&vm| cluster.vms[vm].group == g)
                .filter(|&vm| {
                    let h = self.placement.host_of[vm];
                    group.restarts || (h != crate::placement::NO_HOST && !self.lost[h as usize])
                })
                .count() as u32;
            if alive > survivors {
                return Fit::CannotFit {
                    bound: Bound::Spread,
                    proof: format!(
                        "{} spreads {alive} replicas on distinct nodes; only {survivors} workers survive",
                        group.name
                    ),
                };
            }
        }
        // Last, as it is the one bound that reads the initial placement: the
        // survivors' VMs stay put, so a survivor can never offer more
        // than what it had free before the re-placement: a VM that fits in
        // none of those (within CPU, memory and spread) has no home in any
        // placement. A VM the heuristic placed always fits one, so checking
        // the homeless suffices; VMs of one workload are alike, so once per
        // workload.
        // A live cluster has one workload per VM: workloads without spread
        // that ask the same are judged once, so the cost stays in the
        // number of distinct shapes, not of VMs.
        let mut seen: BTreeSet<Res> = BTreeSet::new();
        for &g in &homeless_groups {
            let group = &cluster.groups[g as usize];
            if !group.spread && !seen.insert(group.demand) {
                continue;
            }
            let eligible = (0..self.lost.len())
                .filter(|&h| !self.lost[h])
                .filter(|&h| !group.spread || !runs_group(cluster, &self.placement.vms_on[h], g));
            let mut largest_free = Res::ZERO;
            let mut any_room = false;
            for h in eligible {
                let free = self.placement.free(cluster, h as HostId);
                largest_free.mem = largest_free.mem.max(free.mem);
                largest_free.cpu = largest_free.cpu.max(free.cpu);
                largest_free.pods = largest_free.pods.max(free.pods);
                if free.holds(group.demand) {
                    any_room = true;
                    break;
                }
            }
            if !any_room {
                return Fit::CannotFit {
                    bound: Bound::LargestFree,
                    proof: format!(
                        "a VM of {} requests {:.1} GiB and {:.1} cores; with the survivors' VMs where the simulated placement put them (KubeVirt does not move running VMs to make room), no more than {:.1} GiB and {:.1} cores{} are free on any survivor{}",
                        group.name,
                        gib(group.demand.mem),
                        group.demand.cpu as f64 / 1000.0,
                        gib(largest_free.mem),
                        largest_free.cpu as f64 / 1000.0,
                        if largest_free.pods < group.demand.pods {
                            format!(" and {} pods", largest_free.pods)
                        } else {
                            String::new()
                        },
                        if group.spread { " without another replica of it" } else { "" },
                    ),
                };
            }
        }
        Fit::NotFound { detail }
    }
}
