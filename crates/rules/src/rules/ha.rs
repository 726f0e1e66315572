//! HA-* rules: what the deployment survives and how it is maintained.
//! The failure rules read the simulation of `kubev_ha_plan`.

use kubev_ha_model::{EvictionStrategy, Fencing, Interval, RunStrategy};
use kubev_ha_plan::{HaVerdict, Status};

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
            "declare a zone on every node, and the facts the message names",
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

pub fn node_failure(j: &Judge) -> Vec<Finding> {
    from_verdict(j, |p| &p.node_failure, j.thresholds.ha_node_failure)
}

pub fn zone_failure(j: &Judge) -> Vec<Finding> {
    from_verdict(j, |p| &p.zone_failure, j.thresholds.ha_zone_failure)
}

pub fn drain_time(j: &Judge) -> Vec<Finding> {
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
    let path =
        if busiest.path.dedicated { "dedicated migration NIC" } else { "node NIC (no dedicated migration network)" };
    let speed = if busiest.path.measured {
        format!("a measured {:.2} Gbit/s", busiest.path.goodput * 8.0 / 1e9)
    } else {
        busiest.path.speed.to_string()
    };
    let what = format!(
        "draining {} ({} VM(s), {:.1} GiB of memory) takes at least {took} over its {path} {} at {}{}{zone_note}",
        busiest.host,
        busiest.migrating_vms,
        busiest.bytes as f64 / f64::from(1u32 << 30),
        busiest.path.nic,
        speed,
        if busiest.stopped_vms > 0 {
            format!(" ({} more VMs are shut down, not migrated)", busiest.stopped_vms)
        } else {
            String::new()
        },
    );
    // A drain is a planned node loss: the migrating VMs need room elsewhere.
    let room = plan
        .scenarios
        .iter()
        .find(|s| s.kind == kubev_ha_plan::scenarios::ScenarioKind::Node && s.name == busiest.host);
    if let Some(scenario) = room.filter(|s| s.fit != kubev_ha_plan::Fit::Fits) {
        return vec![
            j.finding(
                Subject::Cluster,
                t.ha_drain_time,
                format!("{what}; but the other workers cannot take its VMs, so the drain cannot finish ({} VM(s) find no home)", scenario.homeless.values().sum::<u32>()),
            )
            .fix("add worker capacity first (see HA-NODE-FAILURE)")
            .at(at),
        ];
    }
    let finding = match j.inventory().ha().and_then(|h| h.maintenance_window) {
        None => j.unknown(Subject::Cluster, format!("{what}; no maintenance window declared"), "declare ha.maintenanceWindow"),
        Some(window) if busiest.seconds > window.as_secs_f64() => j
            .finding(Subject::Cluster, t.ha_drain_time, format!("{what}, longer than the maintenance window of {window}"))
            .fix("raise parallelOutboundMigrationsPerNode or bandwidthPerMigration, add a faster dedicated migration NIC, or spread the VMs over more workers"),
        Some(window) => j.pass(Subject::Cluster, format!("{what}, within the maintenance window of {window}")),
    };
    vec![finding.at(at)]
}

pub fn fencing(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let at = j.inventory().ha.as_ref().and_then(|h| h.at);
    let finding = match j.inventory().ha().and_then(|h| h.fencing) {
        None => j.unknown(
            Subject::Cluster,
            "node remediation (fencing) not declared",
            "declare ha.fencing (self-node-remediation, fence-agents, other, or none)",
        ),
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

pub fn eviction(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let workloads = &j.inventory().workloads;
    if workloads.is_empty() {
        return vec![j.finding(Subject::Cluster, Severity::Info, "no workloads declared")];
    }
    workloads
        .iter()
        .map(|w| {
            let subject = Subject::workload(&w.name);
            let must_stay_up = w.run_strategy.is_none_or(RunStrategy::restarts_after_failure);
            let finding = match (w.eviction_strategy, must_stay_up) {
                (Some(EvictionStrategy::LiveMigrate), _) => {
                    j.pass(subject, "evictionStrategy LiveMigrate: drains move it")
                }
                (_, false) => j.pass(
                    subject,
                    format!("runStrategy {:?}: not expected to stay up", w.run_strategy.unwrap_or(RunStrategy::Manual)),
                ),
                (None, true) => j.unknown(
                    subject,
                    "evictionStrategy not declared (KubeVirt then uses the cluster-wide default)",
                    "declare evictionStrategy on the workload",
                ),
                (Some(strategy), true) => j
                    .finding(
                        subject,
                        t.ha_eviction,
                        format!(
                            "evictionStrategy {strategy:?}: a node drain shuts the VM down instead of migrating it"
                        ),
                    )
                    .fix(format!("set evictionStrategy: LiveMigrate on {} (its disks must be ReadWriteMany)", w.name)),
            };
            finding.at(w.at)
        })
        .collect()
}
