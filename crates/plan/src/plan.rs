//! A whole plan: the initial placement, every failure scenario, the HA
//! verdicts with the worst scenario named, the drain times, and the
//! smallest fix when the design does not survive.

use std::collections::BTreeMap;

use kubev_ha_model::Inventory;
use serde::Serialize;

use crate::cluster::{CannotSimulate, Cluster, Host};
use crate::drain::{DrainPlan, drain_plan};
use crate::failover::{Fit, Simulator};
use crate::placement::{Placement, initial_placement};
use crate::resources::{Assumptions, Res};
use crate::scenarios::{Scenario, ScenarioKind, Selection, SetLimits, scenarios};
use crate::storage::{ClassUnderFailure, storage_under_failure};

/// How to plan.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub limits: SetLimits,
    /// Search for the smallest fix when the design does not survive.
    pub search_fix: bool,
    /// Measured migration bandwidth by worker, in bytes per second
    /// (`kubev-ha net matrix --bandwidth`); replaces the declared NIC speed.
    pub measured_bandwidth: BTreeMap<String, f64>,
}

/// One worker in the initial placement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostUsage {
    pub name: String,
    pub domain: Option<String>,
    pub vms: u32,
    pub vcpus: u64,
    /// Logical CPUs × the CPU overcommit.
    pub vcpu_capacity: u64,
    pub memory_requested: u64,
    pub memory_allocatable: u64,
}

/// The totals of one failure domain.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainUsage {
    pub name: String,
    pub hosts: u32,
    pub vms: u32,
    pub vcpus: u64,
    pub vcpu_capacity: u64,
    pub memory_requested: u64,
    pub memory_allocatable: u64,
}

/// etcd after a scenario.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EtcdOutcome {
    pub members: u32,
    pub left: u32,
    pub quorum: u32,
    pub holds: bool,
}

/// One row of the scenario table.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioResult {
    pub kind: ScenarioKind,
    pub name: String,
    pub displaced: u32,
    pub to_restart: u32,
    pub replaced: u32,
    pub homeless: BTreeMap<String, u32>,
    pub etcd: EtcdOutcome,
    /// Share of the survivors' CPU and memory still free, in percent.
    pub headroom_cpu_percent: f64,
    pub headroom_memory_percent: f64,
    pub fit: Fit,
}

impl ScenarioResult {
    /// Worse first: a misfit, then lost quorum, then least memory headroom.
    fn badness(&self) -> (u8, bool, i64) {
        (self.fit.rank(), !self.etcd.holds, -(self.headroom_memory_percent * 1000.0) as i64)
    }
}

/// The verdict on one HA question.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every required scenario passes.
    Survives,
    /// Some required scenario provably fails (or etcd loses quorum).
    Fails,
    /// The heuristic found no placement, but nothing proves there is none.
    NotFound,
    /// The design is not asked to survive this (`ha.tolerate` is 0).
    NotRequired,
    /// Facts are missing.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HaVerdict {
    pub status: Status,
    /// Failures the design must survive at once.
    pub tolerate: u32,
    /// How many scenarios were judged.
    pub scenarios: usize,
    /// The worst scenario, by name.
    pub worst: Option<String>,
    pub message: String,
    pub fix: Option<String>,
}

/// Everything `kubev-ha plan` reports.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub assumptions: Assumptions,
    pub domain_kind: &'static str,
    pub hosts: Vec<HostUsage>,
    pub domains: Vec<DomainUsage>,
    /// VMs with no home even before any failure, by workload.
    pub unplaced: BTreeMap<String, u32>,
    pub selections: Vec<Selection>,
    pub scenarios: Vec<ScenarioResult>,
    pub node_failure: HaVerdict,
    pub zone_failure: HaVerdict,
    pub drain: DrainPlan,
    pub storage: Vec<ClassUnderFailure>,
}

fn pct(free: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { free as f64 * 100.0 / total as f64 }
}

/// Plans `inventory`: placement, failures, drains, storage.
pub fn plan(inventory: &Inventory, options: PlanOptions) -> Result<Plan, CannotSimulate> {
    let cluster = Cluster::from_inventory(inventory)?;
    let placement = initial_placement(&cluster);
    let tolerate_nodes = inventory.tolerated_node_failures();
    let tolerate_zones = inventory.tolerated_zone_failures();
    let (scenario_list, selections) = scenarios(&cluster, &placement, tolerate_nodes, tolerate_zones, options.limits);
    let results = run_scenarios(&cluster, &placement, &scenario_list);

    let mut node_failure = node_verdict(&cluster, &placement, &results, tolerate_nodes);
    let mut zone_failure = zone_verdict(&cluster, &results, tolerate_zones);
    if options.search_fix {
        if matches!(node_failure.status, Status::Fails | Status::NotFound) && node_failure.fix.is_none() {
            node_failure.fix = smallest_fix(&cluster, tolerate_nodes, 0, options.limits);
        }
        if matches!(zone_failure.status, Status::Fails | Status::NotFound) && zone_failure.fix.is_none() {
            zone_failure.fix = smallest_fix(&cluster, 0, tolerate_zones, options.limits);
        }
    }

    Ok(Plan {
        assumptions: cluster.assumptions,
        domain_kind: cluster.domain_kind,
        hosts: host_usage(&cluster, &placement),
        domains: domain_usage(&cluster, &placement),
        unplaced: count_by_group(&cluster, &placement.unplaced),
        selections,
        node_failure,
        zone_failure,
        drain: drain_plan(inventory, &cluster, &placement, &options.measured_bandwidth),
        storage: storage_under_failure(inventory),
        scenarios: results,
    })
}

fn count_by_group(cluster: &Cluster, vms: &[u32]) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for &vm in vms {
        *out.entry(cluster.group_of(vm).name.clone()).or_default() += 1;
    }
    out
}

fn vcpu_capacity(cluster: &Cluster, host: &Host) -> u64 {
    (host.capacity.cpu as f64 / 1000.0 * cluster.assumptions.cpu_overcommit).floor() as u64
}

fn host_usage(cluster: &Cluster, placement: &Placement) -> Vec<HostUsage> {
    cluster
        .hosts
        .iter()
        .enumerate()
        .map(|(h, host)| HostUsage {
            name: host.name.clone(),
            domain: host.domain.map(|d| cluster.domains[d as usize].clone()),
            vms: placement.vms_on[h].len() as u32,
            vcpus: placement.vms_on[h].iter().map(|&vm| u64::from(cluster.group_of(vm).vcpus)).sum(),
            vcpu_capacity: vcpu_capacity(cluster, host),
            memory_requested: placement.used[h].mem,
            memory_allocatable: host.capacity.mem,
        })
        .collect()
}

fn domain_usage(cluster: &Cluster, placement: &Placement) -> Vec<DomainUsage> {
    let usage = host_usage(cluster, placement);
    cluster
        .domains
        .iter()
        .map(|name| {
            let members: Vec<&HostUsage> = usage.iter().filter(|u| u.domain.as_deref() == Some(name)).collect();
            DomainUsage {
                name: name.clone(),
                hosts: members.len() as u32,
                vms: members.iter().map(|u| u.vms).sum(),
                vcpus: members.iter().map(|u| u.vcpus).sum(),
                vcpu_capacity: members.iter().map(|u| u.vcpu_capacity).sum(),
                memory_requested: members.iter().map(|u| u.memory_requested).sum(),
                memory_allocatable: members.iter().map(|u| u.memory_allocatable).sum(),
            }
        })
        .collect()
}

fn etcd_after(cluster: &Cluster, scenario: &Scenario) -> EtcdOutcome {
    let members = cluster.etcd.len() as u32;
    let lost = cluster
        .etcd
        .iter()
        .filter(|m| {
            m.domain.is_some_and(|d| scenario.lost_domains.contains(&d))
                || m.host.is_some_and(|h| scenario.lost_hosts.contains(&h))
        })
        .count() as u32;
    let quorum = members / 2 + 1;
    EtcdOutcome { members, left: members - lost, quorum, holds: members > 0 && members - lost >= quorum }
}

/// Runs every scenario against one placement.
pub fn run_scenarios(cluster: &Cluster, placement: &Placement, list: &[Scenario]) -> Vec<ScenarioResult> {
    let mut sim = Simulator::new(cluster, placement);
    list.iter()
        .map(|s| {
            let f = sim.fail(&s.lost_hosts);
            let survivors_used_capacity = f.survivor_capacity;
            ScenarioResult {
                kind: s.kind,
                name: s.name.clone(),
                displaced: f.displaced,
                to_restart: f.to_restart,
                replaced: f.replaced,
                homeless: f.homeless,
                etcd: etcd_after(cluster, s),
                headroom_cpu_percent: pct(f.headroom.cpu, survivors_used_capacity.cpu),
                headroom_memory_percent: pct(f.headroom.mem, survivors_used_capacity.mem),
                fit: f.fit,
            }
        })
        .collect()
}

fn worst<'a>(results: impl Iterator<Item = &'a ScenarioResult>) -> Option<&'a ScenarioResult> {
    results.max_by(|a, b| a.badness().cmp(&b.badness()).then(b.name.cmp(&a.name)))
}

fn node_verdict(cluster: &Cluster, placement: &Placement, results: &[ScenarioResult], tolerate: u32) -> HaVerdict {
    let kind = if tolerate >= 2 { ScenarioKind::Nodes } else { ScenarioKind::Node };
    let relevant: Vec<&ScenarioResult> = results.iter().filter(|r| r.kind == kind).collect();
    let base = |status, worst: Option<String>, message: String| HaVerdict {
        status,
        tolerate,
        scenarios: relevant.len(),
        worst,
        message,
        fix: None,
    };
    if tolerate == 0 {
        return base(
            Status::NotRequired,
            None,
            "ha.tolerate.nodes is 0: the design is not asked to survive a worker failure".into(),
        );
    }
    if !placement.unplaced.is_empty() {
        let groups = count_by_group(cluster, &placement.unplaced);
        return base(
            Status::Fails,
            Some("no failure".into()),
            format!(
                "even before any failure {} VM(s) have no home ({})",
                placement.unplaced.len(),
                describe_homeless(&groups)
            ),
        );
    }
    if (cluster.hosts.len() as u32) <= tolerate {
        return base(
            Status::Fails,
            None,
            format!("{} VM-capable worker(s) cannot survive losing {tolerate}", cluster.hosts.len()),
        );
    }
    let Some(w) = worst(relevant.iter().copied()) else {
        return base(Status::Unknown, None, "no workers to simulate".into());
    };
    let what = if tolerate == 1 { "any one worker".to_string() } else { format!("any {tolerate} workers") };
    match &w.fit {
        Fit::Fits => base(
            Status::Survives,
            Some(w.name.clone()),
            format!(
                "every restartable VM finds a home after losing {what} ({} scenarios); tightest: {}, leaving {:.0} % memory and {:.0} % CPU free",
                relevant.len(),
                w.name,
                w.headroom_memory_percent,
                w.headroom_cpu_percent
            ),
        ),
        Fit::CannotFit { proof } => base(
            Status::Fails,
            Some(w.name.clone()),
            format!("losing {}: {} VM(s) cannot restart: {proof}", w.name, w.homeless.values().sum::<u32>()),
        ),
        Fit::NotFound { detail } => {
            base(Status::NotFound, Some(w.name.clone()), format!("losing {}: {detail}", w.name))
        }
    }
}

fn zone_verdict(cluster: &Cluster, results: &[ScenarioResult], tolerate: u32) -> HaVerdict {
    let kind = if tolerate >= 2 { ScenarioKind::Domains } else { ScenarioKind::Domain };
    let relevant: Vec<&ScenarioResult> = results.iter().filter(|r| r.kind == kind).collect();
    let base = |status, worst: Option<String>, message: String| HaVerdict {
        status,
        tolerate,
        scenarios: relevant.len(),
        worst,
        message,
        fix: None,
    };
    let kind_word = cluster.domain_kind;
    if cluster.domains.is_empty() {
        let status = if tolerate == 0 { Status::NotRequired } else { Status::Unknown };
        return base(status, None, format!("no {kind_word}s declared, so no {kind_word} failure can be simulated"));
    }
    let undeclared = cluster.hosts.iter().filter(|h| h.domain.is_none()).count();
    let Some(w) = worst(relevant.iter().copied()) else {
        if tolerate == 0 {
            return base(
                Status::NotRequired,
                None,
                format!("ha.tolerate.zones is 0: the design is not asked to survive a {kind_word} loss"),
            );
        }
        return base(
            Status::Fails,
            None,
            format!("only {} {kind_word}(s) exist: losing {tolerate} leaves nothing", cluster.domains.len()),
        );
    };
    let required = tolerate > 0;
    let prefix = if required { String::new() } else { format!("not required (ha.tolerate.zones is 0), but: ") };
    let (status, message) = if !w.etcd.holds {
        let message = format!(
            "{prefix}losing {}: etcd keeps {} of {} members, below the quorum of {}",
            w.name, w.etcd.left, w.etcd.members, w.etcd.quorum
        );
        let mut verdict =
            base(if required { Status::Fails } else { Status::NotRequired }, Some(w.name.clone()), message);
        let tolerance = w.etcd.members - w.etcd.quorum;
        verdict.fix = Some(if tolerance == 0 {
            format!(
                "{} etcd member(s) tolerate no loss: run 3 control-plane nodes, one per {kind_word} (CP-SPREAD)",
                w.etcd.members
            )
        } else {
            format!(
                "spread the control-plane nodes so that no {kind_word} holds more than {tolerance} of the {} (CP-SPREAD)",
                w.etcd.members
            )
        });
        return verdict;
    } else {
        match &w.fit {
            Fit::Fits => (
                Status::Survives,
                format!(
                    "{prefix}etcd keeps quorum and every restartable VM finds a home after losing any {}{kind_word}{} ({} scenarios); tightest: {}, leaving {:.0} % memory free",
                    if tolerate > 1 { format!("{tolerate} ") } else { String::new() },
                    if tolerate > 1 { "s" } else { "" },
                    relevant.len(),
                    w.name,
                    w.headroom_memory_percent
                ),
            ),
            Fit::CannotFit { proof } => (
                Status::Fails,
                format!(
                    "{prefix}losing {}: {} VM(s) cannot restart: {proof}",
                    w.name,
                    w.homeless.values().sum::<u32>()
                ),
            ),
            Fit::NotFound { detail } => (Status::NotFound, format!("{prefix}losing {}: {detail}", w.name)),
        }
    };
    let status = if !required {
        Status::NotRequired
    } else if status == Status::Survives && undeclared > 0 {
        return base(
            Status::Unknown,
            Some(w.name.clone()),
            format!("{message}; but {undeclared} worker(s) declare no {kind_word} and were assumed to survive"),
        );
    } else {
        status
    };
    base(status, Some(w.name.clone()), message)
}

fn describe_homeless(groups: &BTreeMap<String, u32>) -> String {
    groups.iter().map(|(g, n)| format!("{n} × {g}")).collect::<Vec<_>>().join(", ")
}

/// The smallest number of extra workers, of the most common shape, that
/// makes every required scenario fit. Each is put into the failure domain
/// with the least capacity, so zones stay balanced. The search assumes
/// more capacity never hurts, starts from the capacity deficit and stops
/// after a bounded number of tries.
fn smallest_fix(cluster: &Cluster, tolerate_nodes: u32, tolerate_zones: u32, limits: SetLimits) -> Option<String> {
    let mut shapes: BTreeMap<Res, u32> = BTreeMap::new();
    for h in &cluster.hosts {
        *shapes.entry(h.capacity).or_default() += 1;
    }
    let (&shape, _) = shapes.iter().max_by(|a, b| a.1.cmp(b.1).then(a.0.mem.cmp(&b.0.mem)))?;
    if shape.mem == 0 {
        return None;
    }
    let passes = |extra: u32| -> (bool, Vec<String>) {
        let mut grown = cluster.clone();
        let mut added_to = Vec::new();
        for i in 0..extra {
            let domain = if grown.domains.is_empty() {
                None
            } else {
                let mut cap = vec![0u64; grown.domains.len()];
                for h in &grown.hosts {
                    if let Some(d) = h.domain {
                        cap[d as usize] += h.capacity.mem;
                    }
                }
                (0..grown.domains.len() as u32).min_by_key(|&d| (cap[d as usize], d))
            };
            added_to.push(domain.map_or_else(|| "-".to_string(), |d| grown.domains[d as usize].clone()));
            grown.hosts.push(Host {
                name: format!("new-{}", i + 1),
                domain,
                capacity: shape,
                capacity_is_lower_bound: false,
            });
        }
        let placement = initial_placement(&grown);
        if !placement.unplaced.is_empty() {
            return (false, added_to);
        }
        let (list, _) = scenarios(&grown, &placement, tolerate_nodes, tolerate_zones, limits);
        let kinds: &[ScenarioKind] = if tolerate_zones > 0 {
            if tolerate_zones >= 2 { &[ScenarioKind::Domains] } else { &[ScenarioKind::Domain] }
        } else if tolerate_nodes >= 2 {
            &[ScenarioKind::Nodes]
        } else {
            &[ScenarioKind::Node]
        };
        let list: Vec<Scenario> = list.into_iter().filter(|s| kinds.contains(&s.kind)).collect();
        let ok = run_scenarios(&grown, &placement, &list).iter().all(|r| r.fit == Fit::Fits);
        (ok, added_to)
    };

    // Start from the deficit of the worst case: the capacity the largest
    // tolerated loss takes away, in units of the common shape.
    let total: Res = cluster.total_capacity();
    let demand: Res = (0..cluster.vms.len() as u32).map(|vm| cluster.demand_of(vm)).sum();
    let spare_mem = total.mem.saturating_sub(demand.mem);
    let needed_mem = if tolerate_zones > 0 {
        let mut per_domain = vec![0u64; cluster.domains.len()];
        for h in &cluster.hosts {
            if let Some(d) = h.domain {
                per_domain[d as usize] += h.capacity.mem;
            }
        }
        per_domain.sort_unstable_by(|a, b| b.cmp(a));
        per_domain.iter().take(tolerate_zones as usize).sum::<u64>()
    } else {
        let mut caps: Vec<u64> = cluster.hosts.iter().map(|h| h.capacity.mem).collect();
        caps.sort_unstable_by(|a, b| b.cmp(a));
        caps.iter().take(tolerate_nodes as usize).sum::<u64>()
    };
    if let Some(vm) = (0..cluster.vms.len() as u32).find(|&vm| !shape.holds(cluster.demand_of(vm))) {
        return Some(format!(
            "a VM of {} does not fit a worker of the most common shape ({} logical CPUs, {:.0} GiB allocatable): add larger workers",
            cluster.group_of(vm).name,
            shape.cpu / 1000,
            shape.mem as f64 / f64::from(1u32 << 30)
        ));
    }
    let describe = |extra: u32, added_to: Vec<String>| {
        let mut per_domain: BTreeMap<String, u32> = BTreeMap::new();
        for d in added_to {
            *per_domain.entry(d).or_default() += 1;
        }
        let where_ = if cluster.domains.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                per_domain
                    .iter()
                    .map(|(d, n)| format!("{n} in {} {d}", cluster.domain_kind))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        format!(
            "add {extra} worker(s) of the most common shape ({} logical CPUs, {:.0} GiB allocatable){where_}",
            shape.cpu / 1000,
            shape.mem as f64 / f64::from(1u32 << 30)
        )
    };

    // Grow from the estimate, one by one and then doubling, up to a cap;
    // then narrow down between the last miss and the first fit.
    let cap = (cluster.hosts.len() as u32).saturating_mul(4).max(64);
    let mut extra = ((needed_mem.saturating_sub(spare_mem) / shape.mem) as u32).min(cap);
    let mut last_miss: Option<u32> = None;
    let mut first_fit = None;
    for step in 0..40 {
        let (ok, added_to) = passes(extra);
        if ok {
            first_fit = Some((extra, added_to));
            break;
        }
        last_miss = Some(extra);
        if extra >= cap {
            break;
        }
        extra = if step < 4 { extra + 1 } else { extra.saturating_mul(2).max(extra + 1) }.min(cap);
    }
    let (mut hi, mut hi_added) = match first_fit {
        Some(found) => found,
        None => {
            return Some(format!(
                "more than {cap} workers of the most common shape would be needed; revisit the design"
            ));
        }
    };
    if hi == 0 {
        return None;
    }
    let mut lo = last_miss.map_or(0, |m| m + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (ok, added_to) = passes(mid);
        if ok {
            hi = mid;
            hi_added = added_to;
        } else {
            lo = mid + 1;
        }
    }
    Some(describe(hi, hi_added))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_order_puts_misfits_first() {
        let mk = |fit: Fit, headroom: f64| ScenarioResult {
            kind: ScenarioKind::Node,
            name: "x".into(),
            displaced: 0,
            to_restart: 0,
            replaced: 0,
            homeless: BTreeMap::new(),
            etcd: EtcdOutcome { members: 3, left: 3, quorum: 2, holds: true },
            headroom_cpu_percent: headroom,
            headroom_memory_percent: headroom,
            fit,
        };
        let fits = mk(Fit::Fits, 5.0);
        let tight = mk(Fit::Fits, 1.0);
        let miss = mk(Fit::NotFound { detail: String::new() }, 50.0);
        assert!(tight.badness() > fits.badness());
        assert!(miss.badness() > tight.badness());
    }
}
