//! What a rule sees while it judges: the facts, the profile's thresholds,
//! and itself (so the findings it makes carry its ID and requirement).

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;

use kubev_ha_model::{Facts, Inventory};
use kubev_ha_plan::{CannotSimulate, LivePlacement, Plan, PlanOptions};
use kubev_ha_plan::{ClassUnderFailure, storage_under_failure};

use crate::catalog::Rule;
use crate::finding::{Evidence, Finding, Subject};
use crate::severity::Severity;
use crate::thresholds::Thresholds;

pub(crate) struct Judge<'a> {
    pub facts: &'a Facts,
    pub thresholds: &'static Thresholds,
    pub rule: &'static Rule,
    /// The HA plan of these facts, computed once for all the rules that need it.
    pub plan: &'a OnceCell<Result<Plan, CannotSimulate>>,
}

impl<'a> Judge<'a> {
    pub(crate) fn inventory(&self) -> &'a Inventory {
        &self.facts.inventory
    }

    /// The simulation of these facts (placement, failures, drains).
    pub(crate) fn plan(&self) -> &'a Result<Plan, CannotSimulate> {
        let facts = self.facts;
        self.plan.get_or_init(|| {
            kubev_ha_plan::plan(
                &facts.inventory,
                PlanOptions {
                    search_fix: true,
                    measured_bandwidth: measured_bandwidth(facts),
                    live: facts.live.as_ref().map(live_placement),
                    ..PlanOptions::default()
                },
            )
        })
    }

    /// Each storage class under the worst tolerated failure: the plan's,
    /// computed once for all the rules, or, where the inventory cannot be
    /// simulated (the storage model needs no placement), from the inventory.
    pub(crate) fn storage_under_failure(&self) -> Cow<'a, [ClassUnderFailure]> {
        match self.plan() {
            Ok(plan) => Cow::Borrowed(&plan.storage),
            Err(_) => Cow::Owned(storage_under_failure(self.inventory())),
        }
    }

    /// A finding of this rule.
    pub(crate) fn finding(&self, subject: Subject, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.rule.id,
            area: self.rule.area,
            subject,
            severity,
            message: message.into(),
            requirement: self.rule.title,
            remediation: None,
            location: None,
            waived: None,
            awaits: None,
        }
    }

    pub(crate) fn pass(&self, subject: Subject, message: impl Into<String>) -> Finding {
        self.finding(subject, Severity::Pass, message)
    }

    /// An unknown finding; `how_to_learn` goes in the remediation.
    pub(crate) fn unknown(
        &self,
        subject: Subject,
        message: impl Into<String>,
        how_to_learn: impl Into<String>,
    ) -> Finding {
        self.finding(subject, Severity::Unknown, message).fix(how_to_learn)
    }

    /// An unknown that only a measurement can fill (`evidence`), with the
    /// command that takes it.
    pub(crate) fn not_measured(
        &self,
        evidence: Evidence,
        subject: Subject,
        message: impl Into<String>,
        how_to_measure: impl Into<String>,
    ) -> Finding {
        self.unknown(subject, message, how_to_measure).awaiting(evidence)
    }

    /// Whether the facts were read from a running cluster (`kubev-ha audit`).
    pub(crate) fn is_live(&self) -> bool {
        self.facts.live.is_some()
    }

    /// On live facts whose VMs (or, with `with_claims`, their PVCs) could
    /// not be read, the unknown finding of a rule that judges the running
    /// VMs: an unread VMI list leaves an inventory with no workloads, and
    /// an empty cluster survives every failure, which must not read as a pass.
    pub(crate) fn unread_vms(&self, with_claims: bool) -> Option<Vec<Finding>> {
        let live = self.facts.live.as_ref()?;
        let unread = live.vmis.as_ref().err().or(live.vms.as_ref().err()).or(if with_claims {
            live.pvcs.as_ref().err()
        } else {
            None
        })?;
        Some(vec![crate::rules::live::unreadable(self, Subject::Cluster, unread)])
    }

    /// On live facts read with `--namespace`, the unknown finding of a rule
    /// that needs every VM of the cluster (what the survivors of a failure
    /// have room for depends on the VMs of every namespace).
    pub(crate) fn namespace_filtered(&self) -> Option<Vec<Finding>> {
        let namespace = self.facts.live.as_ref()?.namespace.as_ref()?;
        Some(vec![self.unknown(
            Subject::Cluster,
            format!(
                "only namespace {namespace}'s VMs were read (--namespace): the room left after a failure depends on every namespace's VMs"
            ),
            "audit without --namespace to simulate failures",
        )])
    }

    /// Whether `node`'s facts were read from the host itself.
    pub(crate) fn probed(&self, node: &str) -> bool {
        matches!(self.facts.hosts.get(node), Some(kubev_ha_model::HostProbe::Probed { .. }))
    }

    /// "memory not declared", or, for a probed node, that the probe could
    /// not tell.
    pub(crate) fn lacks(&self, node: &str, noun: &str) -> String {
        if self.is_live() {
            format!("{noun} unknown: the cluster does not report it")
        } else if self.probed(node) {
            format!("{noun} unknown: the probe could not tell")
        } else {
            format!("{noun} not declared")
        }
    }

    /// The inventory as a hint's command line should name it: the file as
    /// the user gave it, or `FILE` when the facts came from no file that
    /// can be named again: `kubev-ha host` judges this machine (its
    /// hostname is not a file), and standard input is gone once read.
    pub(crate) fn inventory_arg(&self) -> &'a str {
        let facts = self.facts;
        if facts.format == kubev_ha_model::SourceFormat::Host || facts.source_name == kubev_ha_model::STDIN_NAME {
            "FILE"
        } else {
            &facts.source_name
        }
    }

    /// How to ask running etcd, for hints: with the inventory, or, where
    /// there is none (`kubev-ha host`), at an endpoint.
    pub(crate) fn etcd_command(&self) -> String {
        if self.facts.format == kubev_ha_model::SourceFormat::Host {
            "kubev-ha etcd --endpoints URL".to_string()
        } else {
            format!("kubev-ha etcd {}", self.inventory_arg())
        }
    }

    /// How to learn facts of several nodes a probe can read.
    pub(crate) fn cluster_probe_hint(&self, what: &str) -> String {
        format!(
            "declare {what} in the inventory, or read them from the hosts with `kubev-ha probe {}`",
            self.inventory_arg()
        )
    }

    /// How to learn a fact of `node` a probe can read.
    pub(crate) fn probe_hint(&self, node: &str, what: &str) -> String {
        if self.probed(node) {
            format!("declare {what} for {node} in the inventory")
        } else {
            format!(
                "declare {what} in the inventory, or read it from the hosts with `kubev-ha probe {}`",
                self.inventory_arg()
            )
        }
    }
}

/// A live cluster's placement for the planner: each VMI pinned to the node
/// it runs on now, each node offering its allocatable resources.
pub(crate) fn live_placement(live: &kubev_ha_model::LiveCluster) -> LivePlacement {
    LivePlacement {
        running_on: live.running_on(),
        allocatable: live
            .allocatable()
            .into_iter()
            .map(|(node, (cpu, mem, pods))| (node, kubev_ha_plan::Res::new(cpu, mem, pods)))
            .collect(),
    }
}

/// Migration bandwidth measured by `net matrix --bandwidth`, in bytes per
/// second, keyed by the sending worker (a drain is bounded by the link the
/// VMs leave over, which is what the plan's drain model charges).
///
/// A worker measured towards several peers gets the slowest of them: a
/// drain sends VMs to whichever workers have room, so the plan must hold
/// even when they all land behind the slowest path seen; the fastest would
/// promise a drain time that one real path cannot keep. Readings that are
/// not a positive, finite rate are left out: a failed measurement is not a
/// measurement, and the declared NIC speed then stays in force.
pub(crate) fn measured_bandwidth(facts: &Facts) -> BTreeMap<String, f64> {
    let mut by_sender: BTreeMap<String, f64> = BTreeMap::new();
    let Some(network) = &facts.measurements.network else { return by_sender };
    for b in network.bandwidth.iter().filter(|b| b.total_bps.is_finite() && b.total_bps > 0.0) {
        let bytes_per_second = b.total_bps / 8.0;
        by_sender
            .entry(b.from.clone())
            .and_modify(|slowest| *slowest = slowest.min(bytes_per_second))
            .or_insert(bytes_per_second);
    }
    by_sender
}

#[cfg(test)]
mod tests {
    use kubev_ha_model::{Bandwidth, NetworkMeasurements};

    use super::*;

    fn reading(from: &str, to: &str, total_bps: f64) -> Bandwidth {
        Bandwidth {
            from: from.into(),
            to: to.into(),
            streams: 1,
            total_bps,
            per_stream_bps: vec![total_bps],
            rtt_ms: None,
            seconds: 5.0,
        }
    }

    #[test]
    fn measured_bandwidth_is_the_slowest_peer_of_each_sender_in_bytes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ha-reference.yaml");
        let mut facts = Facts::from(kubev_ha_model::load_file(&path).expect("the reference example loads"));
        facts.measurements.network = Some(NetworkMeasurements {
            bandwidth: vec![
                reading("w-1", "w-2", 8e9),
                reading("w-1", "w-3", 4e9),
                reading("w-2", "w-3", 16e9),
                reading("w-3", "w-1", 0.0),
                reading("w-3", "w-2", f64::NAN),
            ],
            ..NetworkMeasurements::default()
        });
        let m = measured_bandwidth(&facts);
        assert_eq!(m.get("w-1"), Some(&5e8));
        assert_eq!(m.get("w-2"), Some(&2e9));
        assert_eq!(m.get("w-3"), None, "no usable reading: the declared NIC stays");
    }
}
