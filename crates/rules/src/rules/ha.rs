//! HA-* rules: what the deployment survives and how it is maintained.

use kubev_ha_model::{EvictionStrategy, Fencing, RunStrategy};

use crate::finding::{Finding, Subject};
use crate::judge::Judge;
use crate::severity::Severity;

pub fn node_failure(j: &Judge) -> Vec<Finding> {
    vec![j.unknown(
        Subject::Cluster,
        "failover capacity not simulated yet",
        "run `kubev-ha plan` once the HA planner lands",
    )]
}

pub fn zone_failure(j: &Judge) -> Vec<Finding> {
    vec![j.unknown(
        Subject::Cluster,
        "zone failure not simulated yet",
        "run `kubev-ha plan` once the HA planner lands",
    )]
}

pub fn drain_time(j: &Judge) -> Vec<Finding> {
    vec![j.unknown(
        Subject::Cluster,
        "drain time not simulated yet",
        "run `kubev-ha plan` once the HA planner lands",
    )]
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
                (Some(EvictionStrategy::LiveMigrate), _) => j.pass(subject, "evictionStrategy LiveMigrate: drains move it"),
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
                        format!("evictionStrategy {strategy:?}: a node drain shuts the VM down instead of migrating it"),
                    )
                    .fix(format!("set evictionStrategy: LiveMigrate on {} (its disks must be ReadWriteMany)", w.name)),
            };
            finding.at(w.at)
        })
        .collect()
}
