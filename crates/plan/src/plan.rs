//! A whole plan: the initial placement, every failure scenario, the HA
//! verdicts with the worst scenario named, the drain times, and the
//! smallest fix when the design does not survive.

use std::collections::BTreeMap;

use kubev_ha_model::{Fencing, Inventory};
use serde::Serialize;

use crate::cluster::{CannotSimulate, Cluster, Host, LivePlacement};
use crate::drain::{DrainPlan, drain_plan};
use crate::failover::{Fit, Simulator};
use crate::placement::{Placement, initial_placement};
use crate::quorum::{Layout, fault_tolerance, quorum, smallest_layout, spread_of};
use crate::resources::{Assumptions, Res};
use crate::scenarios::{Scenario, ScenarioKind, Selection, SetLimits, combinations, scenarios};
use crate::storage::{ClassUnderFailure, storage_under_failure};

/// How to plan.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// How many sets of failures to enumerate, and how to sample beyond that.
    pub limits: SetLimits,
    /// Search for the smallest fix when the design does not survive.
    pub search_fix: bool,
    /// Measured migration bandwidth by worker, in bytes per second
    /// (`kubev-ha net matrix --bandwidth`); replaces the declared NIC speed.
    pub measured_bandwidth: BTreeMap<String, f64>,
    /// Plan on a running cluster's placement (`kubev-ha audit`): its VMs
    /// pinned where they run now, its workers offering their allocatable
    /// resources; the verdicts then name the VMs left without a home.
    pub live: Option<LivePlacement>,
}

/// One worker in the initial placement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostUsage {
    /// The worker's name.
    pub name: String,
    /// Its failure domain.
    pub domain: Option<String>,
    /// VMs placed on it.
    pub vms: u32,
    /// vCPUs of those VMs.
    pub vcpus: u64,
    /// Logical CPUs × the CPU overcommit.
    pub vcpu_capacity: u64,
    /// Memory its VMs request, in bytes (KubeVirt's overhead included).
    pub memory_requested: u64,
    /// Memory it offers VMs, in bytes.
    pub memory_allocatable: u64,
    /// VMs (virt-launcher pods) the worker can take: maxPods less DaemonSet pods.
    pub pod_capacity: u64,
}

/// The totals of one failure domain.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainUsage {
    /// The domain's name.
    pub name: String,
    /// Workers in it.
    pub hosts: u32,
    /// VMs placed in it.
    pub vms: u32,
    /// vCPUs of those VMs.
    pub vcpus: u64,
    /// Logical CPUs × the CPU overcommit, over its workers.
    pub vcpu_capacity: u64,
    /// Memory its VMs request, in bytes.
    pub memory_requested: u64,
    /// Memory its workers offer VMs, in bytes.
    pub memory_allocatable: u64,
}

/// etcd after a scenario.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EtcdOutcome {
    /// Voting members before the failure.
    pub members: u32,
    /// Members left after it.
    pub left: u32,
    /// The majority the members need: ⌊members / 2⌋ + 1.
    pub quorum: u32,
    /// Whether the members left are a majority.
    pub holds: bool,
}

/// One row of the scenario table.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioResult {
    /// Which family of failures this is.
    pub kind: ScenarioKind,
    /// The scenario's name (`w-a1`, `w-a1 + w-b2`, `zone fra-a`).
    pub name: String,
    /// Running VMs on the lost hosts.
    pub displaced: u32,
    /// VMs that need a home: the displaced ones KubeVirt restarts, and any that had none before.
    pub to_restart: u32,
    /// Restarted VMs that found a home.
    pub replaced: u32,
    /// VMs left without a home, by workload.
    pub homeless: BTreeMap<String, u32>,
    /// What happens to etcd.
    pub etcd: EtcdOutcome,
    /// Share of the survivors' CPU and memory still free, in percent.
    pub headroom_cpu_percent: f64,
    /// Share of the survivors' memory still free, in percent.
    pub headroom_memory_percent: f64,
    /// Whether the VMs that must restart fit on the survivors.
    pub fit: Fit,
}

impl ScenarioResult {
    /// Worse first: a misfit, then lost quorum, then least memory headroom.
    fn badness(&self) -> (u8, bool, i64) {
        (self.fit.rank(), !self.etcd.holds, self.tightness())
    }

    /// Less memory left is worse.
    fn tightness(&self) -> i64 {
        -(self.headroom_memory_percent * 1000.0) as i64
    }
}

/// The verdict on one HA question.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every required scenario passes, and every required scenario was
    /// simulated: a proof (up to the heuristic's "fits", which is a real
    /// placement).
    Survives,
    /// Every simulated scenario passes, but the sets of failures were
    /// sampled: the sets not drawn were never simulated, so this is
    /// evidence, not a proof.
    SurvivesSampled,
    /// Some required scenario provably fails (or etcd loses quorum).
    Fails,
    /// The heuristic found no placement, but nothing proves there is none.
    NotFound,
    /// The design is not asked to survive this (`ha.tolerate` is 0).
    NotRequired,
    /// Facts are missing.
    Unknown,
}

/// The answer to one HA question (a node fails, a failure domain fails) over all its scenarios.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HaVerdict {
    /// The verdict.
    pub status: Status,
    /// Failures the design must survive at once.
    pub tolerate: u32,
    /// How many scenarios were judged.
    pub scenarios: usize,
    /// The worst scenario, by name.
    pub worst: Option<String>,
    /// The verdict in one sentence.
    pub message: String,
    /// The smallest change that makes the design survive, when the search found one.
    pub fix: Option<String>,
    /// What the verdict would be with node remediation, when its absence
    /// changed the verdict (see `with_fencing`); `None` otherwise.
    pub with_fencing: Option<Status>,
}

impl HaVerdict {
    /// A verdict over `scenarios` judged scenarios, before a fix is searched
    /// for and before fencing is taken into account.
    fn unfixed(status: Status, tolerate: u32, scenarios: usize, worst: Option<String>, message: String) -> Self {
        HaVerdict { status, tolerate, scenarios, worst, message, fix: None, with_fencing: None }
    }
}

/// Everything `kubev-ha plan` reports.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// The defaults and estimates the simulation took where the inventory is silent.
    pub assumptions: Assumptions,
    /// `zone` or `rack`: what the failure domains are.
    pub domain_kind: &'static str,
    /// The initial placement, per worker.
    pub hosts: Vec<HostUsage>,
    /// The initial placement, per failure domain.
    pub domains: Vec<DomainUsage>,
    /// VMs with no home even before any failure, by workload.
    pub unplaced: BTreeMap<String, u32>,
    /// How each family of scenarios was chosen (enumerated or sampled).
    pub selections: Vec<Selection>,
    /// Every scenario simulated, worst first.
    pub scenarios: Vec<ScenarioResult>,
    /// The verdict on losing `ha.tolerate.nodes` workers.
    pub node_failure: HaVerdict,
    /// The verdict on losing `ha.tolerate.zones` failure domains.
    pub zone_failure: HaVerdict,
    /// How long draining a worker or a domain takes.
    pub drain: DrainPlan,
    /// Each storage class under the tolerated failures.
    pub storage: Vec<ClassUnderFailure>,
}

fn pct(free: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { free as f64 * 100.0 / total as f64 }
}

/// Plans `inventory`: placement, failures, drains, storage.
pub fn plan(inventory: &Inventory, options: PlanOptions) -> Result<Plan, CannotSimulate> {
    let cluster = match &options.live {
        Some(live) => Cluster::from_live(inventory, live)?,
        None => Cluster::from_inventory(inventory)?,
    };
    let placement = initial_placement(&cluster);
    let tolerate_nodes = inventory.tolerated_node_failures();
    let tolerate_zones = inventory.tolerated_zone_failures();
    let (scenario_list, selections) = scenarios(&cluster, &placement, tolerate_nodes, tolerate_zones, options.limits);
    let results = run_scenarios(&cluster, &placement, &scenario_list);

    let mut node_failure = node_verdict(&cluster, &placement, &results, &selections, tolerate_nodes);
    let (mut zone_failure, zone_capacity_fails) = zone_verdict(&cluster, &results, &selections, tolerate_zones);
    if options.live.is_some() {
        // On a live cluster the question is which VMs, by name, would have
        // no home if a node (a zone) died now.
        name_homeless(&mut node_failure, &results, node_kind(tolerate_nodes), "worker");
        name_homeless(&mut zone_failure, &results, zone_kind(tolerate_zones), cluster.domain_kind);
    }
    if options.search_fix {
        // A fix found on sampled sets is only known to pass those.
        let sampled_note = |kind| {
            coverage(&selections, kind)
                .and_then(|s| s.sampled)
                .map_or_else(String::new, |s| format!(" (judged on the sampled sets, seed {})", s.seed))
        };
        if matches!(node_failure.status, Status::Fails | Status::NotFound) && node_failure.fix.is_none() {
            node_failure.fix = smallest_fix(&cluster, tolerate_nodes, 0, options.limits)
                .map(|fix| fix + &sampled_note(ScenarioKind::Nodes));
        }
        // Quorum and capacity are separate problems with separate fixes:
        // more control planes in more zones do not give the VMs a home.
        if zone_capacity_fails
            && tolerate_zones > 0
            && let Some(workers) = smallest_fix(&cluster, 0, tolerate_zones, options.limits)
                .map(|fix| fix + &sampled_note(ScenarioKind::Domains))
        {
            zone_failure.fix = Some(match zone_failure.fix.take() {
                Some(quorum_fix) => format!("{quorum_fix}; and for the VMs: {workers}"),
                None => workers,
            });
        }
    }

    let words = if options.live.is_some() { FencingWords::LIVE } else { FencingWords::DECLARED };
    let node_failure = with_fencing(node_failure, inventory.ha().and_then(|h| h.fencing), &words);

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
            pod_capacity: host.capacity.pods,
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
    let quorum = quorum(members);
    EtcdOutcome { members, left: members - lost, quorum, holds: members > 0 && members - lost >= quorum }
}

/// Runs every scenario against one placement.
pub(crate) fn run_scenarios(cluster: &Cluster, placement: &Placement, list: &[Scenario]) -> Vec<ScenarioResult> {
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
    worst_by(results, ScenarioResult::badness)
}

/// The scenario `key` ranks worst; ties go to the first name.
fn worst_by<'a, K: Ord>(
    results: impl Iterator<Item = &'a ScenarioResult>,
    key: impl Fn(&ScenarioResult) -> K,
) -> Option<&'a ScenarioResult> {
    results.max_by(|a, b| key(a).cmp(&key(b)).then(b.name.cmp(&a.name)))
}

/// How the sets of a scenario family were chosen, for a verdict's words.
fn coverage(selections: &[Selection], kind: ScenarioKind) -> Option<&Selection> {
    selections.iter().find(|s| s.kind == kind)
}

/// `all 6 simulated`, `all 56 sets`, or `6 sampled of 56 sets (seed 3)`:
/// the scope of a pass, never larger than it is.
fn scope(selection: Option<&Selection>, simulated: usize) -> String {
    match selection {
        Some(Selection { sampled: Some(sampling), possible, .. }) => {
            format!("{simulated} sampled of {possible} sets (seed {})", sampling.seed)
        }
        Some(s) if s.set_size > 1 => format!("all {simulated} sets"),
        _ => format!("all {simulated} simulated"),
    }
}

/// What a sampled pass leaves unproven, for its message.
fn unproven(selection: Option<&Selection>, simulated: usize) -> String {
    let rest = selection.map_or(0, |s| s.possible.saturating_sub(simulated as u64));
    format!("the other {rest} sets were never simulated, so this is no proof")
}

fn node_verdict(
    cluster: &Cluster,
    placement: &Placement,
    results: &[ScenarioResult],
    selections: &[Selection],
    tolerate: u32,
) -> HaVerdict {
    let kind = if tolerate >= 2 { ScenarioKind::Nodes } else { ScenarioKind::Node };
    let relevant: Vec<&ScenarioResult> = results.iter().filter(|r| r.kind == kind).collect();
    let base = |status, worst: Option<String>, message: String| {
        HaVerdict::unfixed(status, tolerate, relevant.len(), worst, message)
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
    let selection = coverage(selections, kind);
    let sampled = selection.is_some_and(|s| s.sampled.is_some());
    match &w.fit {
        Fit::Fits if sampled => base(
            Status::SurvivesSampled,
            Some(w.name.clone()),
            format!(
                "every restartable VM finds a home after losing each of {} of {tolerate} workers, the busiest set included; {}; tightest: {}, leaving {:.0} % memory and {:.0} % CPU free",
                scope(selection, relevant.len()),
                unproven(selection, relevant.len()),
                w.name,
                w.headroom_memory_percent,
                w.headroom_cpu_percent
            ),
        ),
        Fit::Fits => base(
            Status::Survives,
            Some(w.name.clone()),
            format!(
                "every restartable VM finds a home after losing {} ({}); tightest: {}, leaving {:.0} % memory and {:.0} % CPU free",
                if tolerate == 1 { "any one worker".to_string() } else { format!("any {tolerate} workers") },
                scope(selection, relevant.len()),
                w.name,
                w.headroom_memory_percent,
                w.headroom_cpu_percent
            ),
        ),
        Fit::CannotFit { proof, .. } => base(
            Status::Fails,
            Some(w.name.clone()),
            format!("losing {}: {} VM(s) cannot restart: {proof}", w.name, w.homeless.values().sum::<u32>()),
        ),
        Fit::NotFound { detail } => {
            base(Status::NotFound, Some(w.name.clone()), format!("losing {}: {detail}", w.name))
        }
    }
}

/// How the node-failure verdict names fencing: by the inventory's
/// `ha.fencing`, or, on a live cluster, by its NodeHealthChecks.
struct FencingWords {
    /// Why there is none, in parentheses.
    none: &'static str,
    /// Why it is unknown.
    unknown: &'static str,
    /// How to install it.
    install: &'static str,
    /// How to learn whether it runs.
    learn: &'static str,
}

impl FencingWords {
    const DECLARED: FencingWords = FencingWords {
        none: "ha.fencing: none",
        unknown: "ha.fencing is not declared",
        install: "install node remediation (Node Health Check with self-node-remediation or fence-agents-remediation) and set ha.fencing",
        learn: "declare ha.fencing (self-node-remediation, fence-agents, other, or none)",
    };
    const LIVE: FencingWords = FencingWords {
        none: "no NodeHealthCheck in the cluster",
        unknown: "whether node remediation runs is unknown (the NodeHealthChecks could not be read)",
        install: "install node remediation (the medik8s Node Health Check operator with self-node-remediation or fence-agents-remediation) and a NodeHealthCheck that selects the workers",
        learn: "grant list on nodehealthchecks.remediation.medik8s.io (`kubev-ha render rbac`)",
    };
}

/// The node-failure verdict with node remediation taken into account.
///
/// When a worker dies, KubeVirt marks its VMs failed (and restarts them
/// elsewhere) only once their virt-launcher pods are no longer alive
/// (pkg/virt-controller/watch/node/node.go, checkVirtLauncherPodsAndUpdateVMIStatus
/// and filterStuckVirtualMachinesWithoutPods, v1.9.0), and Kubernetes does
/// not delete the pods of a node it cannot reach. Without a remediation
/// operator that fences the node, its VMs stay stuck: "survives" cannot be
/// claimed, whatever the capacity. The verdict then says what it would be
/// with fencing (`with_fencing`).
fn with_fencing(verdict: HaVerdict, fencing: Option<Fencing>, w: &FencingWords) -> HaVerdict {
    let install = w.install;
    let capacity = verdict.status.clone();
    match (fencing, &capacity) {
        (_, Status::NotRequired) => verdict,
        (Some(Fencing::SelfNodeRemediation | Fencing::FenceAgents | Fencing::Other), _) => verdict,
        (Some(Fencing::None), Status::Fails) => HaVerdict {
            message: format!(
                "{}; and without node remediation ({}) the VMs of a dead worker would stay stuck on it anyway, until the node is fenced or deleted by hand",
                verdict.message, w.none
            ),
            fix: Some(match &verdict.fix {
                Some(capacity_fix) => format!("{capacity_fix}; and {install}"),
                None => install.to_string(),
            }),
            ..verdict
        },
        (Some(Fencing::None), _) => HaVerdict {
            status: Status::Fails,
            message: format!(
                "without node remediation ({}) the VMs of a dead worker stay stuck on it until the node is fenced or deleted by hand, so none of them restarts; with fencing: {}",
                w.none, verdict.message
            ),
            fix: Some(match &verdict.fix {
                Some(capacity_fix) => format!("{install}; and for the VMs: {capacity_fix}"),
                None => install.to_string(),
            }),
            with_fencing: Some(capacity),
            ..verdict
        },
        (None, Status::Survives | Status::SurvivesSampled) => HaVerdict {
            status: Status::Unknown,
            message: format!(
                "{}: without node remediation the VMs of a dead worker stay stuck until the node is fenced; with fencing: {}",
                w.unknown, verdict.message
            ),
            fix: Some(w.learn.into()),
            with_fencing: Some(capacity),
            ..verdict
        },
        (None, _) => HaVerdict {
            message: format!(
                "{}; and {}: without node remediation the VMs of a dead worker would not restart at all",
                verdict.message, w.unknown
            ),
            ..verdict
        },
    }
}

/// etcd under the loss of the `k` domains holding the most members: the
/// worst case, computed exactly whether or not the sets were sampled.
struct QuorumLoss {
    /// `zone a + zone b`.
    name: String,
    members: u32,
    left: u32,
    quorum: u32,
}

/// Members left after losing the `k` domains holding the most declared
/// members (members without a domain counted as left).
fn worst_left(cluster: &Cluster, k: u32) -> u32 {
    worst_loss_of(cluster, k).1
}

fn worst_quorum_loss(cluster: &Cluster, k: u32) -> Option<QuorumLoss> {
    let members = cluster.etcd.len() as u32;
    let (lost_set, left) = worst_loss_of(cluster, k);
    if members > 0 && left >= quorum(members) {
        return None;
    }
    let name = lost_set
        .iter()
        .map(|&d| format!("{} {}", cluster.domain_kind, cluster.domains[d as usize]))
        .collect::<Vec<_>>()
        .join(" + ");
    Some(QuorumLoss { name, members, left, quorum: quorum(members) })
}

/// The `k` domains holding the most declared members, and the members left.
fn worst_loss_of(cluster: &Cluster, k: u32) -> (Vec<u32>, u32) {
    let members = cluster.etcd.len() as u32;
    let mut per_domain = vec![0u32; cluster.domains.len()];
    for m in &cluster.etcd {
        if let Some(d) = m.domain {
            per_domain[d as usize] += 1;
        }
    }
    let mut order: Vec<u32> = (0..cluster.domains.len() as u32).collect();
    order.sort_by_key(|&d| (std::cmp::Reverse(per_domain[d as usize]), d));
    let mut lost_set: Vec<u32> = order.into_iter().take(k as usize).collect();
    lost_set.sort_unstable();
    let lost: u32 = lost_set.iter().map(|&d| per_domain[d as usize]).sum();
    (lost_set, members - lost)
}

/// Where the control planes must be for etcd to survive losing any `k`
/// domains: the members there are, spread anew if that suffices, else the
/// smallest layout, and how many domains it needs.
fn quorum_fix(members: u32, k: u32, domains: u32, kind: &str) -> String {
    let words = |l: Layout| {
        format!(
            "{} {}, so that losing any {k} leaves {} of {}, a quorum",
            l.describe(kind),
            if l.zones == 1 { format!("in 1 {kind}") } else { format!("over {} {kind}s", l.zones) },
            l.members - l.lost_with(k),
            l.members,
        )
    };
    if let Some(l) = spread_of(members, k, domains) {
        return format!("spread the {members} control-plane nodes {} (CP-SPREAD)", words(l));
    }
    let within = smallest_layout(k, Some(domains));
    let layout = within.or_else(|| smallest_layout(k, None));
    let Some(l) = layout else {
        return format!("no layout of etcd members survives losing {k} {kind}s (CP-SPREAD)");
    };
    let more_domains = if l.zones > domains {
        format!("; that needs {} more {kind}(s) than the {domains} declared", l.zones - domains)
    } else {
        String::new()
    };
    let many = if l.members > 7 {
        " (etcd advises against more than 7 members: consider a smaller ha.tolerate.zones)"
    } else {
        ""
    };
    format!(
        "{members} etcd member(s) over {domains} {kind}(s) cannot keep quorum through the loss of any {k} (tolerating {} member losses); run {} control-plane nodes, {}{more_domains}{many} (CP-SPREAD)",
        fault_tolerance(members),
        l.members,
        words(l)
    )
}

/// The zone verdict, and whether the VMs' capacity is what fails (so
/// that the caller searches a workers fix as well as the quorum fix).
fn zone_verdict(
    cluster: &Cluster,
    results: &[ScenarioResult],
    selections: &[Selection],
    tolerate: u32,
) -> (HaVerdict, bool) {
    let kind = if tolerate >= 2 { ScenarioKind::Domains } else { ScenarioKind::Domain };
    let relevant: Vec<&ScenarioResult> = results.iter().filter(|r| r.kind == kind).collect();
    let base = |status, worst: Option<String>, message: String| {
        HaVerdict::unfixed(status, tolerate, relevant.len(), worst, message)
    };
    let kind_word = cluster.domain_kind;
    if cluster.domains.is_empty() {
        let status = if tolerate == 0 { Status::NotRequired } else { Status::Unknown };
        return (
            base(status, None, format!("no {kind_word}s declared, so no {kind_word} failure can be simulated")),
            false,
        );
    }
    let undeclared = cluster.hosts.iter().filter(|h| h.domain.is_none()).count();
    // Capacity: the worst scenario by fit alone, so that a quorum loss
    // elsewhere does not hide it.
    let Some(w) = worst_by(relevant.iter().copied(), |r| (r.fit.rank(), r.tightness())) else {
        if tolerate == 0 {
            return (
                base(
                    Status::NotRequired,
                    None,
                    format!("ha.tolerate.zones is 0: the design is not asked to survive a {kind_word} loss"),
                ),
                false,
            );
        }
        return (
            base(
                Status::Fails,
                None,
                format!("only {} {kind_word}(s) exist: losing {tolerate} leaves nothing", cluster.domains.len()),
            ),
            false,
        );
    };
    let required = tolerate > 0;
    // Without a requirement the single-domain scenarios are still judged,
    // for information.
    let k = tolerate.max(1);
    let prefix = if required { String::new() } else { "not required (ha.tolerate.zones is 0), but: ".to_string() };
    let selection = coverage(selections, kind);
    let sampled = selection.is_some_and(|s| s.sampled.is_some());
    let quorum_loss = worst_quorum_loss(cluster, k);
    // Members without a domain were counted as surviving; if quorum would
    // not survive their being in the lost domains too, it is not proven.
    let members_undeclared = cluster.etcd.iter().filter(|m| m.domain.is_none()).count() as u32;
    let quorum_undecided = quorum_loss.is_none()
        && members_undeclared > 0
        && worst_left(cluster, k).saturating_sub(members_undeclared) < quorum(cluster.etcd.len() as u32);

    let mut parts: Vec<String> = Vec::new();
    if let Some(q) = &quorum_loss {
        parts.push(format!(
            "losing {}: etcd keeps {} of {} members, below the quorum of {}",
            q.name, q.left, q.members, q.quorum
        ));
    }
    let capacity_fails = w.fit != Fit::Fits;
    // Name the scenario again only when it differs from the quorum loss.
    let losing = if quorum_loss.as_ref().is_some_and(|q| q.name == w.name) {
        String::new()
    } else {
        format!("losing {}: ", w.name)
    };
    match &w.fit {
        Fit::Fits => {}
        Fit::CannotFit { proof, .. } => {
            parts.push(format!("{losing}{} VM(s) cannot restart: {proof}", w.homeless.values().sum::<u32>()))
        }
        Fit::NotFound { detail } => parts.push(format!("{losing}{detail}")),
    }
    let many = if k > 1 { format!("{k} {kind_word}s") } else { kind_word.to_string() };
    let (status, worst_name, message) = if parts.is_empty() {
        let possible = combinations(cluster.domains.len() as u64, u64::from(k));
        if sampled {
            (
                Status::SurvivesSampled,
                w.name.clone(),
                format!(
                    "{prefix}etcd keeps quorum after losing any {many} (all {possible} sets, by arithmetic), and every restartable VM finds a home after losing each of {}; {}; tightest: {}, leaving {:.0} % memory free",
                    scope(selection, relevant.len()),
                    unproven(selection, relevant.len()),
                    w.name,
                    w.headroom_memory_percent
                ),
            )
        } else {
            (
                Status::Survives,
                w.name.clone(),
                format!(
                    "{prefix}etcd keeps quorum and every restartable VM finds a home after losing any {many} ({}); tightest: {}, leaving {:.0} % memory free",
                    scope(selection, relevant.len()),
                    w.name,
                    w.headroom_memory_percent
                ),
            )
        }
    } else {
        let proven = quorum_loss.is_some() || matches!(w.fit, Fit::CannotFit { .. });
        let name = quorum_loss.as_ref().map_or_else(|| w.name.clone(), |q| q.name.clone());
        (if proven { Status::Fails } else { Status::NotFound }, name, format!("{prefix}{}", parts.join("; and ")))
    };
    let fix = quorum_loss.as_ref().map(|q| quorum_fix(q.members, k, cluster.domains.len() as u32, kind_word));
    let status = if !required {
        Status::NotRequired
    } else if matches!(status, Status::Survives | Status::SurvivesSampled) && (undeclared > 0 || quorum_undecided) {
        let mut assumed = Vec::new();
        if undeclared > 0 {
            assumed.push(format!("{undeclared} worker(s)"));
        }
        if quorum_undecided {
            assumed.push(format!("{members_undeclared} etcd member(s)"));
        }
        let why = if quorum_undecided { " (in a lost one, the etcd members would break quorum)" } else { "" };
        return (
            base(
                Status::Unknown,
                Some(worst_name),
                format!(
                    "{message}; but {} declare no {kind_word} and were assumed to survive{why}",
                    assumed.join(" and ")
                ),
            ),
            false,
        );
    } else {
        status
    };
    (HaVerdict { fix, ..base(status, Some(worst_name), message) }, capacity_fails)
}

fn node_kind(tolerate: u32) -> ScenarioKind {
    if tolerate >= 2 { ScenarioKind::Nodes } else { ScenarioKind::Node }
}

fn zone_kind(tolerate: u32) -> ScenarioKind {
    if tolerate >= 2 { ScenarioKind::Domains } else { ScenarioKind::Domain }
}

/// How many scenarios, and VMs of each, a verdict on a live cluster names:
/// enough to act on, few enough to read with thousands of VMs.
const NAMED_SCENARIOS: usize = 3;
const NAMED_VMS: usize = 5;

/// `ns/a, ns/b and 12 more`: the first few VMs (workloads) of `homeless`.
fn first_names(homeless: &BTreeMap<String, u32>) -> String {
    let total: u32 = homeless.values().sum();
    let mut shown: Vec<String> = Vec::new();
    let mut named = 0u32;
    for (name, n) in homeless.iter().take(NAMED_VMS) {
        shown.push(if *n == 1 { name.clone() } else { format!("{n} × {name}") });
        named += n;
    }
    let more = total - named;
    if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") }
}

/// Adds to `verdict` the VMs each failing scenario of `kind` leaves without
/// a home, by name: how many scenarios fail, and for the first few (worst
/// first, the order of `results`) their count and first names.
fn name_homeless(verdict: &mut HaVerdict, results: &[ScenarioResult], kind: ScenarioKind, what: &str) {
    if verdict.status == Status::NotRequired {
        return;
    }
    let judged = results.iter().filter(|r| r.kind == kind).count();
    let mut failing: Vec<&ScenarioResult> =
        results.iter().filter(|r| r.kind == kind && !r.homeless.is_empty()).collect();
    if failing.is_empty() {
        return;
    }
    // Most VMs without a home first; ties by name, so the text is stable.
    failing.sort_by_cached_key(|r| (std::cmp::Reverse(r.homeless.values().sum::<u32>()), r.name.clone()));
    let shown: Vec<String> = failing
        .iter()
        .take(NAMED_SCENARIOS)
        .map(|r| {
            format!(
                "losing {} leaves {} VM(s) without a home: {}",
                r.name,
                r.homeless.values().sum::<u32>(),
                first_names(&r.homeless)
            )
        })
        .collect();
    let rest = failing.len().saturating_sub(NAMED_SCENARIOS);
    let rest = if rest > 0 { format!("; and {rest} more such {what} loss(es)") } else { String::new() };
    verdict.message = format!(
        "{}. {} of {judged} {what} loss(es) simulated leave VMs without a home: {}{rest}",
        verdict.message,
        failing.len(),
        shown.join("; ")
    );
}

/// `2 × web, 1 × db`; past 20 workloads (a live cluster has one per VM),
/// the first 20 and how many more.
fn describe_homeless(groups: &BTreeMap<String, u32>) -> String {
    const SHOWN: usize = 20;
    let mut text = groups.iter().take(SHOWN).map(|(g, n)| format!("{n} × {g}")).collect::<Vec<_>>().join(", ");
    if groups.len() > SHOWN {
        let more: u32 = groups.values().skip(SHOWN).sum();
        text.push_str(&format!(" and {more} more VM(s)"));
    }
    text
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
