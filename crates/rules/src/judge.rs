//! What a rule sees while it judges: the facts, the profile's thresholds,
//! and itself (so the findings it makes carry its ID and requirement).

use std::cell::OnceCell;

use kubev_ha_model::{Facts, Inventory, Profile};
use kubev_ha_plan::{CannotSimulate, Plan, PlanOptions};

use crate::catalog::Rule;
use crate::finding::{Finding, Subject};
use crate::severity::Severity;
use crate::thresholds::Thresholds;

pub struct Judge<'a> {
    pub facts: &'a Facts,
    pub profile: Profile,
    pub thresholds: &'static Thresholds,
    pub rule: &'static Rule,
    /// The HA plan of these facts, computed once for all the rules that need it.
    pub plan: &'a OnceCell<Result<Plan, CannotSimulate>>,
}

impl<'a> Judge<'a> {
    pub fn inventory(&self) -> &'a Inventory {
        &self.facts.inventory
    }

    /// The simulation of these facts (placement, failures, drains).
    pub fn plan(&self) -> &'a Result<Plan, CannotSimulate> {
        let facts = self.facts;
        self.plan.get_or_init(|| {
            kubev_ha_plan::plan(&facts.inventory, PlanOptions { search_fix: true, ..PlanOptions::default() })
        })
    }

    /// A finding of this rule.
    pub fn finding(&self, subject: Subject, severity: Severity, message: impl Into<String>) -> Finding {
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
        }
    }

    pub fn pass(&self, subject: Subject, message: impl Into<String>) -> Finding {
        self.finding(subject, Severity::Pass, message)
    }

    /// An unknown finding; `how_to_learn` goes in the remediation.
    pub fn unknown(&self, subject: Subject, message: impl Into<String>, how_to_learn: impl Into<String>) -> Finding {
        self.finding(subject, Severity::Unknown, message).fix(how_to_learn)
    }

    /// Whether `node`'s facts were read from the host itself.
    pub fn probed(&self, node: &str) -> bool {
        matches!(self.facts.hosts.get(node), Some(kubev_ha_model::host::HostProbe::Probed { .. }))
    }

    /// "memory not declared", or, for a probed node, that the probe could
    /// not tell.
    pub fn lacks(&self, node: &str, noun: &str) -> String {
        if self.probed(node) {
            format!("{noun} unknown: the probe could not tell")
        } else {
            format!("{noun} not declared")
        }
    }

    /// How to learn facts of several nodes a probe can read.
    pub fn cluster_probe_hint(&self, what: &str) -> String {
        format!(
            "declare {what} in the inventory, or read them from the hosts with `kubev-ha probe {}`",
            self.facts.source_name
        )
    }

    /// How to learn a fact of `node` a probe can read.
    pub fn probe_hint(&self, node: &str, what: &str) -> String {
        if self.probed(node) {
            format!("declare {what} for {node} in the inventory")
        } else {
            format!(
                "declare {what} in the inventory, or read it from the hosts with `kubev-ha probe {}`",
                self.facts.source_name
            )
        }
    }
}
