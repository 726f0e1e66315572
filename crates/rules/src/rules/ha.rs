//! HA-* rules: what the deployment survives and how it is maintained.
//! The failure rules read the simulation of `kubev_ha_plan`.

use kubev_ha_model::{EvictionStrategy, Fencing, Interval, RunStrategy, StrategyOrigin};
use kubev_ha_plan::{HaVerdict, Migratable, OnDrain, Status, eviction_of};

use crate::finding::{Finding, Subject};
use crate::judge::Judge;
use crate::severity::Severity;

/// The finding for an HA verdict, or unknown when the facts to simulate are missing.
fn from_verdict(j: &Judge, pick: fn(&kubev_ha_plan::Plan) -> &HaVerdict, severity: Severity) -> Vec<Finding> {
    let at = j.inventory().ha.as_ref().and_then(|h| h.at);
    let plan = match j.plan() {
        Ok(plan) => plan,
        Err(cannot) => {
            let missing: Vec<String> = cannot.missing.iter().map(|m| format!("{} {}", m.subject, m.fact)).collect();
            let shown = missing.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
            let more = if missing.len() > 6 { format!(" and {} more", missing.len() - 6) } else { String::new() };
            return vec![
                j.unknown(
                    Subject::Cluster,
                    format!("cannot simulate: missing {shown}{more}"),
                    j.cluster_probe_hint(
                        "the CPU threads and memory of every worker and the cpu and memory of every workload",
                    ),
                )
                .at(at),
            ];
        }
    };
    let verdict = pick(plan);
    let finding = match verdict.status {
        Status::Survives => j.pass(Subject::Cluster, verdict.message.clone()),
        // Info, not pass: the sampled sets passed, the others were never
        // simulated, so nothing is proven. Not warn either: the design shows
        // no defect, and on large clusters (5,000 workers: 12.5 million pairs)
        // every design would warn whatever its quality; the message names
        // the sample, and `kubev-ha plan --enumerate-up-to` can prove it.
        Status::SurvivesSampled => j.finding(Subject::Cluster, Severity::Info, verdict.message.clone()),
        Status::NotRequired => j.finding(Subject::Cluster, Severity::Info, verdict.message.clone()),
        Status::Unknown => j.unknown(
            Subject::Cluster,
            verdict.message.clone(),
            verdict
                .fix
                .clone()
                .unwrap_or_else(|| "declare a zone on every node, and the facts the message names".into()),
        ),
        Status::NotFound => j.finding(Subject::Cluster, Severity::Warn, verdict.message.clone()).fix(
            verdict.fix.clone().unwrap_or_else(|| {
                "add capacity, or relax spread constraints; `kubev-ha plan` shows every scenario".into()
            }),
        ),
        Status::Fails => j
            .finding(Subject::Cluster, severity, verdict.message.clone())
            .fix(verdict.fix.clone().unwrap_or_else(|| "see `kubev-ha plan` for every scenario".into())),
    };
    vec![finding.at(at)]
}

pub(crate) fn node_failure(j: &Judge) -> Vec<Finding> {
    if let Some(unknown) = j.unread_vms(false).or_else(|| j.namespace_filtered()) {
        return unknown;
    }
    from_verdict(j, |p| &p.node_failure, j.thresholds.ha_node_failure)
}

pub(crate) fn zone_failure(j: &Judge) -> Vec<Finding> {
    if let Some(unknown) = j.unread_vms(false).or_else(|| j.namespace_filtered()) {
        return unknown;
    }
    from_verdict(j, |p| &p.zone_failure, j.thresholds.ha_zone_failure)
}

pub(crate) fn drain_time(j: &Judge) -> Vec<Finding> {
    if let Some(unknown) = j.unread_vms(false).or_else(|| j.namespace_filtered()) {
        return unknown;
    }
    let t = j.thresholds;
    let at = j.inventory().ha.as_ref().and_then(|h| h.at);
    let plan = match j.plan() {
        Ok(plan) => plan,
        Err(_) => {
            return vec![
                j.unknown(
                    Subject::Cluster,
                    "cannot simulate the drain: worker or workload facts are missing (see HA-NODE-FAILURE)",
                    j.cluster_probe_hint("worker and workload sizes"),
                )
                .at(at),
            ];
        }
    };
    let drain = &plan.drain;
    if !drain.unknown.is_empty() {
        return vec![
            j.unknown(
                Subject::Cluster,
                format!("migration bandwidth unknown: {}", drain.unknown.join("; ")),
                j.cluster_probe_hint("NIC speeds"),
            )
            .at(at),
        ];
    }
    let Some(busiest) = drain.busiest() else {
        return vec![j.finding(Subject::Cluster, Severity::Info, "no VM-capable workers to drain").at(at)];
    };
    let took = Interval::from_secs_f64(busiest.seconds.ceil());
    let zone_note = drain
        .domains
        .iter()
        .max_by(|a, b| a.seconds.total_cmp(&b.seconds))
        .map(|d| {
            format!(
                "; draining all of {} {} takes {}",
                plan.domain_kind,
                d.domain,
                Interval::from_secs_f64(d.seconds.ceil())
            )
        })
        .unwrap_or_default();
    let speed = if busiest.path.measured {
        format!(" at a measured {:.2} Gbit/s", busiest.path.goodput * 8.0 / 1e9)
    } else {
        String::new()
    };
    let assumed = busiest.path.assumed.as_ref().map_or_else(String::new, |a| format!(" ({a})"));
    let what = format!(
        "draining {} ({} VM(s), {:.1} GiB to move) takes at least {took} over {}{speed}{assumed}{}{zone_note}",
        busiest.host,
        busiest.migrating_vms,
        gib(busiest.bytes),
        busiest.path.describe(),
        if busiest.stopped_vms > 0 {
            format!(" ({} more VMs are shut down, not migrated)", busiest.stopped_vms)
        } else {
            String::new()
        },
    );
    let mut findings = aborted_migrations(j, plan);
    // A drain is a planned node loss: the migrating VMs need room elsewhere.
    let room = plan.scenarios.iter().find(|s| s.kind == kubev_ha_plan::ScenarioKind::Node && s.name == busiest.host);
    if let Some(scenario) = room.filter(|s| s.fit != kubev_ha_plan::Fit::Fits) {
        findings.push(
            j.finding(
                Subject::Cluster,
                t.ha_drain_time,
                format!("{what}; but the other workers cannot take its VMs, so the drain cannot finish ({} VM(s) find no home)", scenario.homeless.values().sum::<u32>()),
            )
            .fix("add worker capacity first (see HA-NODE-FAILURE)")
            .at(at),
        );
        return findings;
    }
    if !findings.is_empty() {
        // However short the drain, it does not end while KubeVirt keeps
        // aborting a migration: never a pass.
        let workloads: std::collections::BTreeSet<&str> =
            drain.over_budget().map(|(_, o)| o.workload.as_str()).collect();
        findings.push(
            j.finding(
                Subject::Cluster,
                t.ha_drain_time,
                format!(
                    "{what}; but KubeVirt aborts the migrations of {} at their completion timeout, so drains do not finish",
                    workloads.into_iter().collect::<Vec<_>>().join(", ")
                ),
            )
            .fix("see the findings of the workloads named")
            .at(at),
        );
        return findings;
    }
    let finding = match j.inventory().ha().and_then(|h| h.maintenance_window) {
        None => j.unknown(Subject::Cluster, format!("{what}; no maintenance window declared"), "declare ha.maintenanceWindow"),
        Some(window) if busiest.seconds > window.as_secs_f64() => j
            .finding(Subject::Cluster, t.ha_drain_time, format!("{what}, longer than the maintenance window of {window}"))
            .fix(if busiest.path.dedicated {
                "raise parallelOutboundMigrationsPerNode or bandwidthPerMigration, add a faster dedicated migration NIC, or spread the VMs over more workers"
            } else {
                "give live migration a dedicated network (network.migrationNetwork, Multus) instead of the pod overlay, raise parallelOutboundMigrationsPerNode or bandwidthPerMigration, or spread the VMs over more workers"
            }),
        Some(window) => {
            // The time counts only the VMs that migrate. A running VM that
            // KubeVirt refuses to evict (LiveMigrate without shared disks)
            // stops the drain for good, and one whose disks are not known
            // may do so: neither leaves room for a pass.
            let running = |w: &&kubev_ha_model::Located<kubev_ha_model::Workload>| {
                w.run_strategy.unwrap_or(RunStrategy::Always) != RunStrategy::Halted
            };
            let of = |wanted: OnDrain| -> Vec<&str> {
                let inventory = j.inventory();
                inventory
                    .workloads
                    .iter()
                    .filter(running)
                    .filter(|w| eviction_of(inventory, w).on_drain == wanted)
                    .map(|w| w.name.as_str())
                    .collect()
            };
            let (blocks, unsure) = (of(OnDrain::Blocks), of(OnDrain::MigratesIfMigratable));
            if !blocks.is_empty() {
                j.finding(
                    Subject::Cluster,
                    t.ha_drain_time,
                    format!(
                        "{what}; but KubeVirt refuses to evict the VMs of {} (evictionStrategy LiveMigrate, disks not on ReadWriteMany), so a drain of a worker that runs them never finishes (see HA-EVICTION)",
                        blocks.join(", ")
                    ),
                )
                .fix("put their disks on a ReadWriteMany class, or give them evictionStrategy LiveMigrateIfPossible or None")
            } else if !unsure.is_empty() {
                j.unknown(
                    Subject::Cluster,
                    format!(
                        "{what}, within the maintenance window of {window}, if the VMs of {} are migratable: their disks' classes or access modes are not declared (see HA-EVICTION)",
                        unsure.join(", ")
                    ),
                    "declare the workloads' disks and their storage classes' accessModes",
                )
            } else {
                j.pass(Subject::Cluster, format!("{what}, within the maintenance window of {window}"))
            }
        }
    };
    findings.push(finding.at(at));
    findings
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 30)
}

/// One finding per workload whose migration KubeVirt aborts at its
/// completion timeout, on the worker where it takes longest.
fn aborted_migrations(j: &Judge, plan: &kubev_ha_plan::Plan) -> Vec<Finding> {
    let drain = &plan.drain;
    let limits = &drain.limits;
    let mut worst: Vec<(&kubev_ha_plan::HostDrain, &kubev_ha_plan::OverBudget)> = Vec::new();
    for (host, over) in drain.over_budget() {
        match worst.iter_mut().find(|(_, o)| o.workload == over.workload) {
            Some(entry) if over.seconds > entry.1.seconds => *entry = (host, over),
            Some(_) => {}
            None => worst.push((host, over)),
        }
    }
    worst
        .into_iter()
        .map(|(host, over)| {
            let workload = j.inventory().workloads.iter().find(|w| w.name == over.workload);
            let disks = if over.bytes > over.counted_bytes || workload.is_some_and(|w| w.disks.iter().any(|d| !d.is_pvc())) {
                format!(
                    " (memory and block-migrated disks; KubeVirt counts {:.1} GiB of it)",
                    gib(over.counted_bytes)
                )
            } else {
                String::new()
            };
            let gb = over.counted_bytes.div_ceil(1_000_000_000);
            let mut fixes = Vec::new();
            if !host.path.dedicated {
                fixes.push("a dedicated migration network (network.migrationNetwork) instead of the pod overlay".to_string());
            }
            if limits.bandwidth_per_migration.is_some() {
                fixes.push("a higher bandwidthPerMigration, or none".to_string());
            } else {
                fixes.push("faster migration NICs".to_string());
            }
            if over.alone_seconds.floor() <= over.budget_seconds as f64 && limits.parallel_outbound_per_node > 1 {
                fixes.push(format!(
                    "parallelOutboundMigrationsPerNode: 1 (alone on the link it takes {})",
                    Interval::from_secs_f64(over.alone_seconds.ceil())
                ));
            }
            let needed = (over.seconds.floor() as u64).div_ceil(gb.max(1)).max(u64::from(limits.completion_timeout_per_gib) + 1);
            fixes.push(format!("ha.migration.completionTimeoutPerGiB of at least {needed} (KubeVirt's CR)"));
            j.finding(
                Subject::workload(&over.workload),
                j.thresholds.ha_drain_abort,
                format!(
                    "draining {}: the migration of a {} VM moves {:.1} GiB{disks} and takes at least {} over {}, but KubeVirt aborts it after {} s ({} s completionTimeoutPerGiB × {gb} GB counted, rounded up): the drain cannot finish",
                    host.host,
                    over.workload,
                    gib(over.bytes),
                    Interval::from_secs_f64(over.seconds.ceil()),
                    host.path.describe(),
                    over.budget_seconds,
                    limits.completion_timeout_per_gib,
                ),
            )
            .fix(format!(
                "{}; or allowPostCopy / allowWorkloadDisruption in KubeVirt's migration settings, which switch to post-copy or pause the guest at the timeout instead of aborting",
                fixes.join(", or ")
            ))
            .at(workload.and_then(|w| w.at))
        })
        .collect()
}

pub(crate) fn fencing(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let at = j.inventory().ha.as_ref().and_then(|h| h.at);
    let finding = match j.inventory().ha().and_then(|h| h.fencing) {
        None if j.is_live() => j.unknown(
            Subject::Cluster,
            "whether node remediation (fencing) runs is unknown: the NodeHealthChecks could not be read",
            "grant list on nodehealthchecks.remediation.medik8s.io (`kubev-ha render rbac`)",
        ),
        None => j.unknown(
            Subject::Cluster,
            "node remediation (fencing) not declared",
            "declare ha.fencing (self-node-remediation, fence-agents, other, or none)",
        ),
        Some(Fencing::None) if j.is_live() => j
            .finding(
                Subject::Cluster,
                t.ha_fencing,
                "no enabled NodeHealthCheck: when a worker dies, its VMs stay stuck until someone deletes the node by hand",
            )
            .fix("install the medik8s Node Health Check operator with self-node-remediation or fence-agents-remediation, and a NodeHealthCheck that selects the workers"),
        Some(Fencing::None) => j
            .finding(
                Subject::Cluster,
                t.ha_fencing,
                "no node remediation: when a worker dies, its VMs stay stuck until someone deletes the node by hand",
            )
            .fix("install a remediation operator (Node Health Check with self-node-remediation or fence-agents-remediation) and set ha.fencing"),
        Some(f) => j.pass(Subject::Cluster, format!("node remediation by {f}")),
    };
    vec![finding.at(at)]
}

pub(crate) fn eviction(j: &Judge) -> Vec<Finding> {
    if let Some(unknown) = j.unread_vms(false) {
        return unknown;
    }
    let t = j.thresholds;
    let inventory = j.inventory();
    let workloads = &inventory.workloads;
    if workloads.is_empty() {
        return vec![j.finding(Subject::Cluster, Severity::Info, "no workloads declared")];
    }
    workloads
        .iter()
        .map(|w| {
            let subject = Subject::workload(&w.name);
            let must_stay_up = w.run_strategy.is_none_or(RunStrategy::restarts_after_failure);
            // On a live cluster a VMI that states no strategy takes the
            // KubeVirt CR's (LiveCluster::effective_eviction); when the CR
            // could not be read, that is unknown, not KubeVirt's default.
            if let Some(Err(e)) = j.facts.live.as_ref().map(|l| &l.kubevirt)
                && w.eviction_strategy.is_none()
            {
                return j
                    .unknown(
                        subject,
                        format!("{e}: the VMI states no evictionStrategy, and the cluster-wide one is unknown"),
                        "grant get on kubevirts.kubevirt.io (`kubev-ha render rbac`)",
                    )
                    .at(w.at);
            }
            // The same answer the plan's drain model reads.
            let e = eviction_of(inventory, w);
            let strategy = match e.origin {
                StrategyOrigin::Workload => format!("evictionStrategy {}", e.strategy),
                StrategyOrigin::Cluster => format!("evictionStrategy {} (the cluster's, kubevirt.evictionStrategy)", e.strategy),
                StrategyOrigin::KubeVirtDefault => {
                    "no evictionStrategy on the workload or in kubevirt.evictionStrategy, so KubeVirt's default None".into()
                }
            };
            let set_it = format!(
                "set evictionStrategy: LiveMigrate on {} (or kubevirt.evictionStrategy for the whole cluster), with its disks on ReadWriteMany classes",
                w.name
            );
            let finding = match e.on_drain {
                OnDrain::Migrates => j.pass(subject, format!("{strategy}: migratable, so a drain live-migrates it")),
                _ if !must_stay_up => j.pass(
                    subject,
                    format!("runStrategy {:?}: not expected to stay up", w.run_strategy.unwrap_or(RunStrategy::Manual)),
                ),
                OnDrain::ShutDown => {
                    let why = match (&e.strategy, &e.migratable) {
                        (EvictionStrategy::LiveMigrateIfPossible, Migratable::No { classes }) => {
                            format!(": not migratable (disks on {} without ReadWriteMany)", classes.join(", "))
                        }
                        _ => String::new(),
                    };
                    j.finding(subject, t.ha_eviction, format!("{strategy}{why}: a node drain shuts the VM down instead of migrating it"))
                        .fix(set_it)
                }
                OnDrain::Blocks => {
                    let classes = match &e.migratable {
                        Migratable::No { classes } => classes.join(", "),
                        _ => String::new(),
                    };
                    j.finding(
                        subject,
                        t.ha_eviction,
                        format!("{strategy}, but disks on {classes} without ReadWriteMany make it not migratable: KubeVirt refuses the eviction and the drain blocks"),
                    )
                    .fix(format!("move the disks of {} to a ReadWriteMany class", w.name))
                }
                OnDrain::External => j.finding(
                    subject,
                    Severity::Info,
                    format!("{strategy}: KubeVirt marks the VM for evacuation and leaves the move to a controller outside KubeVirt, which kubev-ha does not model"),
                ),
                OnDrain::MigratesIfMigratable => {
                    let why = match &e.migratable {
                        Migratable::Unknown { why } => why.join("; "),
                        _ => String::new(),
                    };
                    j.unknown(
                        subject,
                        format!("{strategy}: migrated only if migratable, and the inventory does not say whether its disks are shared ({why})"),
                        "declare storage.classes with accessModes, and a default class",
                    )
                }
            };
            finding.at(w.at)
        })
        .collect()
}

#[cfg(test)]
mod live_tests {
    use std::collections::BTreeMap;

    use kubev_ha_model::{Facts, LiveCluster, LiveNode, LiveNodeHealthCheck, LiveVmi, NodeResources, node_labels};

    use crate::engine::{CheckOptions, check};
    use crate::severity::Severity;

    const GI: u64 = 1 << 30;

    /// Workers of 16 GiB allocatable in zones a, b, c, running the VMIs
    /// (name, node, GiB); Self Node Remediation fences them.
    fn live(vmis: &[(&str, &str, u64)]) -> LiveCluster {
        let mut live = LiveCluster::empty("test");
        live.nodes = Ok([("w-1", "a"), ("w-2", "b"), ("w-3", "c")]
            .iter()
            .map(|&(name, zone)| LiveNode {
                name: name.into(),
                labels: BTreeMap::from([
                    (node_labels::KUBEVIRT_SCHEDULABLE.to_string(), "true".to_string()),
                    (node_labels::ZONE.to_string(), zone.to_string()),
                ]),
                capacity: NodeResources { cpu_millis: Some(16_000), memory: Some(16 * GI), ..Default::default() },
                allocatable: NodeResources {
                    cpu_millis: Some(16_000),
                    memory: Some(16 * GI),
                    pods: Some(110),
                    ..Default::default()
                },
                ..Default::default()
            })
            .collect());
        live.vmis = Ok(vmis
            .iter()
            .map(|&(name, node, gib)| LiveVmi {
                namespace: "prod".into(),
                name: name.into(),
                owner_vm: Some(name.into()),
                node: Some(node.into()),
                vcpus: 2,
                memory: Some(gib * GI),
                ..Default::default()
            })
            .collect());
        live.node_health_checks = Ok(vec![LiveNodeHealthCheck {
            name: "all".into(),
            selector: Default::default(),
            template_kind: Some("SelfNodeRemediationTemplate".into()),
            template: None,
            min_healthy: None,
            max_unhealthy: None,
            phase: None,
            observed_nodes: None,
            healthy_nodes: None,
        }]);
        live
    }

    fn finding(facts: &Facts, rule: &'static str) -> crate::finding::Finding {
        let report = check(facts, &CheckOptions { only: vec![rule], ..CheckOptions::default() });
        report.findings.into_iter().find(|f| f.rule == rule).expect("the rule reports")
    }

    #[test]
    fn node_failure_on_live_facts_names_the_vms_without_a_home() {
        let facts = Facts::from_live(live(&[("big", "w-1", 12), ("mid", "w-2", 10), ("other", "w-3", 10)]), None);
        let f = finding(&facts, "HA-NODE-FAILURE");
        assert_eq!(f.severity, Severity::Fail, "{}", f.message);
        assert!(f.message.contains("losing w-1 leaves 1 VM(s) without a home: prod/big"), "{}", f.message);
        assert!(f.message.contains("3 of 3 worker loss(es)"), "{}", f.message);
        assert!(f.remediation.as_deref().is_some_and(|r| r.contains("add 1 worker")), "{:?}", f.remediation);
    }

    #[test]
    fn node_failure_on_live_facts_passes_when_every_vm_finds_a_home() {
        let facts = Facts::from_live(live(&[("a", "w-1", 4), ("b", "w-2", 4), ("c", "w-3", 4)]), None);
        let f = finding(&facts, "HA-NODE-FAILURE");
        assert_eq!(f.severity, Severity::Pass, "{}", f.message);
        assert!(!f.message.contains("without a home"), "{}", f.message);
    }

    #[test]
    fn pinned_vms_decide_the_verdict_not_a_fresh_placement() {
        // Packed onto w-1 as they run now: losing w-1 displaces 3 × 5 GiB,
        // which w-2 and w-3 (16 GiB each, empty) take. Survives; a fresh
        // placement would say the same, so also check the displaced count.
        let facts = Facts::from_live(live(&[("a", "w-1", 5), ("b", "w-1", 5), ("c", "w-1", 4)]), None);
        let plan = kubev_ha_plan::plan(
            &facts.inventory,
            kubev_ha_plan::PlanOptions {
                live: facts.live.as_ref().map(crate::judge::live_placement),
                ..Default::default()
            },
        )
        .unwrap();
        let w1 = plan.scenarios.iter().find(|s| s.name == "w-1").unwrap();
        assert_eq!(w1.displaced, 3);
        assert_eq!(plan.hosts[0].vms, 3);
    }

    #[test]
    fn cp_count_is_unknown_when_the_etcd_pods_cannot_be_read() {
        let mut live = live(&[]);
        live.etcd_pods = Err(kubev_ha_model::Unreadable {
            resource: "pods".into(),
            why: kubev_ha_model::WhyUnreadable::Forbidden { verb: "list".into(), message: "no".into() },
        });
        let facts = Facts::from_live(live, None);
        for rule in ["CP-COUNT", "CP-SPREAD"] {
            let f = finding(&facts, rule);
            assert_eq!(f.severity, Severity::Unknown, "{rule}: {}", f.message);
            assert!(f.message.contains("pods not readable"), "{rule}: {}", f.message);
        }
    }

    #[test]
    fn cp_count_counts_the_nodes_the_etcd_pods_run_on() {
        let mut live = live(&[]);
        live.etcd_pods = Ok(["w-1", "w-2", "w-3"]
            .iter()
            .map(|n| kubev_ha_model::PodPlacement {
                namespace: "kube-system".into(),
                name: format!("etcd-{n}"),
                node: Some(n.to_string()),
                ready: true,
            })
            .collect());
        let facts = Facts::from_live(live, None);
        let f = finding(&facts, "CP-COUNT");
        assert_eq!(f.severity, Severity::Pass, "{}", f.message);
        assert!(f.message.starts_with("3 control-plane nodes (w-1, w-2, w-3)"), "{}", f.message);
        assert_eq!(finding(&facts, "CP-SPREAD").severity, Severity::Pass);
    }

    #[test]
    fn vm_disks_on_live_facts_judge_the_bound_pvcs() {
        use kubev_ha_model::{AccessMode, EvictionStrategy, LivePvc};
        let mut live = live(&[("db", "w-1", 4), ("web", "w-2", 4)]);
        for vmi in live.vmis.as_mut().unwrap() {
            vmi.eviction_strategy = Some(EvictionStrategy::LiveMigrate);
            vmi.claims = vec![format!("{}-root", vmi.name)];
        }
        let pvc = |name: &str, mode| LivePvc {
            namespace: "prod".into(),
            name: name.into(),
            storage_class: Some("ceph".into()),
            access_modes: vec![mode],
            volume_mode: None,
            volume: None,
            size: None,
        };
        live.pvcs = Ok(vec![pvc("db-root", AccessMode::ReadWriteOnce), pvc("web-root", AccessMode::ReadWriteMany)]);
        let facts = Facts::from_live(live, None);
        let report = check(&facts, &CheckOptions { only: vec!["ST-VM-DISKS"], ..CheckOptions::default() });
        let by: Vec<(String, Severity)> = report.findings.iter().map(|f| (f.subject.to_string(), f.severity)).collect();
        assert_eq!(by.len(), 2, "{by:?}");
        assert!(by[0].0.contains("prod/db") && by[0].1 != Severity::Pass, "{by:?}");
        assert!(by[1].0.contains("prod/web") && by[1].1 == Severity::Pass, "{by:?}");
    }

    #[test]
    fn net_migration_on_live_facts_reads_the_kubevirt_cr() {
        let mut live = live(&[]);
        live.kubevirt = Ok(Some(kubev_ha_model::KubeVirtConfig::default()));
        let f = finding(&Facts::from_live(live.clone(), None), "NET-MIGRATION");
        assert!(f.message.contains("migrations.network is not set"), "{}", f.message);
        assert_ne!(f.severity, Severity::Pass);
        live.kubevirt.as_mut().unwrap().as_mut().unwrap().migrations.network = Some("kubevirt/migration".into());
        let f = finding(&Facts::from_live(live, None), "NET-MIGRATION");
        assert_eq!(f.severity, Severity::Pass, "{}", f.message);
    }

    #[test]
    fn eviction_is_unknown_when_the_kubevirt_cr_cannot_be_read() {
        let mut live = live(&[("db", "w-1", 4)]);
        live.kubevirt = Err(kubev_ha_model::Unreadable {
            resource: "kubevirts.kubevirt.io".into(),
            why: kubev_ha_model::WhyUnreadable::Forbidden { verb: "list".into(), message: "no".into() },
        });
        let f = finding(&Facts::from_live(live.clone(), None), "HA-EVICTION");
        assert_eq!(f.severity, Severity::Unknown, "{}", f.message);
        live.vmis.as_mut().unwrap()[0].eviction_strategy = Some(kubev_ha_model::EvictionStrategy::None);
        let f = finding(&Facts::from_live(live, None), "HA-EVICTION");
        assert_ne!(f.severity, Severity::Unknown, "its own strategy is known: {}", f.message);
    }

    #[test]
    fn zone_failure_on_live_facts_names_the_vms_without_a_home() {
        let mut design = Facts::from_live(live(&[]), None).inventory;
        design.ha = Some(kubev_ha_model::Located::new(kubev_ha_model::Ha {
            tolerate: Some(kubev_ha_model::Tolerate { nodes: None, zones: Some(kubev_ha_model::Count(1)) }),
            ..Default::default()
        }));
        let facts =
            Facts::from_live(live(&[("big", "w-1", 12), ("mid", "w-2", 10), ("other", "w-3", 10)]), Some(design));
        let f = finding(&facts, "HA-ZONE-FAILURE");
        assert_ne!(f.severity, Severity::Pass, "{}", f.message);
        assert!(f.message.contains("losing zone a leaves 1 VM(s) without a home: prod/big"), "{}", f.message);
    }
}
