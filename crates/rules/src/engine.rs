//! Runs the catalog over the facts, applies waivers and counts the result.

use std::fmt;
use std::str::FromStr;

use kubev_ha_model::{Facts, Inventory, Problem, Profile};
use serde::Serialize;

use crate::catalog::{self, CATALOG};
use crate::finding::{AppliedWaiver, Finding, WaiverOrigin};
use crate::judge::Judge;
use crate::severity::Severity;
use crate::thresholds::Thresholds;

/// An accepted exception: waive `rule` for `subject` (or every subject).
#[derive(Debug, Clone, PartialEq)]
pub struct WaiverSpec {
    /// The rule ID, upper case (IDs match case-insensitively).
    pub rule: String,
    /// `node/cp-1` or the bare `cp-1`; None waives every subject of the rule.
    pub subject: Option<String>,
    /// Why the exception is accepted, shown beside each waived finding.
    pub reason: String,
    /// Whether the inventory or `--waive` declared it.
    pub origin: WaiverOrigin,
}

impl WaiverSpec {
    fn matches(&self, finding: &Finding) -> bool {
        finding.rule.eq_ignore_ascii_case(&self.rule)
            && self.subject.as_deref().is_none_or(|s| finding.subject.matches(s))
    }
}

impl fmt::Display for WaiverSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rule)?;
        if let Some(s) = &self.subject {
            write!(f, ":{s}")?;
        }
        Ok(())
    }
}

/// `RULE[:SUBJECT][=REASON]`, as `--waive` takes it.
impl FromStr for WaiverSpec {
    type Err = UnknownRule;
    fn from_str(text: &str) -> Result<Self, UnknownRule> {
        let (spec, reason) = match text.split_once('=') {
            Some((spec, reason)) if !reason.trim().is_empty() => (spec, reason.trim().to_string()),
            Some((spec, _)) => (spec, String::new()),
            None => (text, String::new()),
        };
        let (rule, subject) = match spec.split_once(':') {
            Some((rule, subject)) if !subject.is_empty() => (rule, Some(subject.to_string())),
            Some((rule, _)) => (rule, None),
            None => (spec, None),
        };
        let rule = rule.trim();
        check_rule_id(rule)?;
        let reason =
            if reason.is_empty() { "waived on the command line (no reason given)".to_string() } else { reason };
        Ok(WaiverSpec { rule: rule.to_ascii_uppercase(), subject, reason, origin: WaiverOrigin::CommandLine })
    }
}

/// An ID that names no rule, with the closest one when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("`{id}` is not a rule ID; {}", match suggestion {
    Some(r) => format!("did you mean `{r}`?"),
    None => "`kubev-ha rules` lists them".to_string(),
})]
pub struct UnknownRule {
    /// The ID as given.
    pub id: String,
    /// The closest rule ID, or None when none is close enough to suggest.
    pub suggestion: Option<String>,
}

impl UnknownRule {
    /// `id` is not a rule ID: finds the closest one.
    pub fn new(id: &str) -> Self {
        let suggestion = kubev_ha_model::did_you_mean(id, catalog::rule_ids()).map(str::to_string);
        UnknownRule { id: id.to_string(), suggestion }
    }
}

/// Ok when `id` names a rule; else which it is not, with the closest ID.
pub(crate) fn check_rule_id(id: &str) -> Result<(), UnknownRule> {
    if catalog::rule(id).is_some() {
        return Ok(());
    }
    Err(UnknownRule::new(id))
}

/// Problems with the waivers an inventory declares (unknown rule IDs).
pub fn waiver_problems(inventory: &Inventory) -> Vec<Problem> {
    inventory
        .waivers
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            check_rule_id(&w.rule).err().map(|msg| Problem::maybe_at(w.at, format!("waivers[{i}].rule: {msg}")))
        })
        .collect()
}

/// How to run a check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Overrides the inventory's profile.
    pub profile: Option<Profile>,
    /// Waivers from the command line, added to the inventory's own.
    pub waivers: Vec<WaiverSpec>,
    /// Only the rules of this scope (`kubev-ha host` judges one host).
    pub scope: Option<crate::catalog::Scope>,
    /// Only these rules (`kubev-ha disk` judges CP-ETCD-FSYNC alone); all when empty.
    pub only: Vec<&'static str>,
}

/// Counts of findings by severity; a waived finding counts only as waived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Findings that passed (a waived pass still counts here).
    pub pass: usize,
    /// Open informational findings.
    pub info: usize,
    /// Open warnings.
    pub warn: usize,
    /// Open failures: any makes the run exit 1.
    pub fail: usize,
    /// Open findings that could not be judged for want of a fact.
    pub unknown: usize,
    /// Findings other than passes that a waiver accepted.
    pub waived: usize,
    /// Of the open unknowns, those only a measurement can fill (a finding
    /// with `awaits`). Already counted in `unknown`: not a seventh count.
    #[serde(rename = "awaitingEvidence")]
    pub awaiting_evidence: usize,
}

impl Summary {
    /// Counts these findings.
    pub(crate) fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            if f.waived.is_some() && f.severity != Severity::Pass {
                s.waived += 1;
                continue;
            }
            match f.severity {
                Severity::Pass => s.pass += 1,
                Severity::Info => s.info += 1,
                Severity::Warn => s.warn += 1,
                Severity::Fail => s.fail += 1,
                Severity::Unknown => {
                    s.unknown += 1;
                    if f.awaits.is_some() {
                        s.awaiting_evidence += 1;
                    }
                }
            }
        }
        s
    }
}

/// The result of a check: every finding, in catalog order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always `kubev-ha`, so a stored JSON report says what wrote it.
    pub tool: &'static str,
    /// The version of the rules crate that judged, which is the tool's.
    pub version: &'static str,
    /// The file the facts came from.
    pub source: String,
    /// The profile whose thresholds were applied (the option's, else the
    /// inventory's).
    pub profile: Profile,
    /// Every finding, waived ones included, in catalog order.
    pub findings: Vec<Finding>,
    /// The findings counted by severity.
    pub summary: Summary,
    /// Remarks about the run itself: waivers that matched nothing, keys of
    /// a KubeVCluster manifest that were ignored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Report {
    /// Whether the run failed: an open fail, or with `strict` also an open
    /// warn or unknown.
    pub fn failed(&self, strict: bool) -> bool {
        self.summary.fail > 0 || (strict && (self.summary.warn > 0 || self.summary.unknown > 0))
    }

    /// Whether the run failed with `--strict --allow-unmeasured`: an open
    /// fail or warn, or an open unknown the inventory could have stated.
    /// Unknowns that await a measurement do not fail it; they stay in the
    /// report, counted in `awaitingEvidence`.
    pub fn failed_allowing_unmeasured(&self) -> bool {
        let s = &self.summary;
        s.fail > 0 || s.warn > 0 || s.unknown > s.awaiting_evidence
    }
}

/// Runs every rule of the catalog over `facts`.
pub fn check(facts: &Facts, options: &CheckOptions) -> Report {
    check_in(facts, options, &std::cell::OnceCell::new())
}

/// [`check`], and the simulation its HA rules judged: `None` when no rule
/// needed one or the facts cannot be simulated. A report draws it (HTML's
/// topology) without simulating the facts a second time.
pub fn check_and_simulate(facts: &Facts, options: &CheckOptions) -> (Report, Option<kubev_ha_plan::Plan>) {
    let plan = std::cell::OnceCell::new();
    let report = check_in(facts, options, &plan);
    (report, plan.into_inner().and_then(Result::ok))
}

/// [`check`], with the rules that read the HA plan reading `plan` (what
/// `kubev-ha plan` computed with its own limits) instead of simulating the
/// facts again.
pub fn check_with_plan(facts: &Facts, options: &CheckOptions, plan: kubev_ha_plan::Plan) -> Report {
    check_in(facts, options, &std::cell::OnceCell::from(Ok(plan)))
}

/// More passing VMs than this, in one rule of a live audit, are one pass.
const LIVE_PASSES_LISTED: usize = 10;

/// On a live cluster a rule judged per workload passes once per VM: at
/// 100,000 VMIs that is 100,000 lines nobody reads (and most of the
/// report's memory). Past [`LIVE_PASSES_LISTED`] a rule's passing VMs
/// become one pass that counts them and shows the first; every finding
/// that is not a pass stays as it is.
fn fold_workload_passes(findings: Vec<Finding>) -> Vec<Finding> {
    let mut passes: std::collections::BTreeMap<&'static str, usize> = std::collections::BTreeMap::new();
    for f in &findings {
        if f.severity == Severity::Pass && matches!(f.subject, crate::finding::Subject::Workload(_)) {
            *passes.entry(f.rule).or_default() += 1;
        }
    }
    let mut folded: std::collections::BTreeSet<&'static str> = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(findings.len());
    for mut f in findings {
        let many = passes.get(f.rule).is_some_and(|&n| n > LIVE_PASSES_LISTED);
        if f.severity == Severity::Pass
            && many
            && let crate::finding::Subject::Workload(name) = &f.subject
        {
            if folded.insert(f.rule) {
                let n = passes[f.rule];
                f.message = format!("{n} VMs pass (the first, {name}: {})", f.message);
                f.subject = crate::finding::Subject::Cluster;
                f.location = None;
                out.push(f);
            }
            continue;
        }
        out.push(f);
    }
    out
}

fn check_in(
    facts: &Facts,
    options: &CheckOptions,
    plan: &std::cell::OnceCell<Result<kubev_ha_plan::Plan, kubev_ha_plan::CannotSimulate>>,
) -> Report {
    let profile = options.profile.unwrap_or_else(|| facts.inventory.profile_or_default());
    let thresholds = Thresholds::for_profile(profile);
    let mut findings: Vec<Finding> = CATALOG
        .iter()
        .filter(|rule| options.scope.is_none_or(|scope| rule.scope == scope))
        .filter(|rule| options.only.is_empty() || options.only.contains(&rule.id))
        .flat_map(|rule| (rule.evaluate)(&Judge { facts, thresholds, rule, plan }))
        .collect();
    if facts.live.is_some() {
        findings = fold_workload_passes(findings);
    }

    let waivers: Vec<WaiverSpec> = facts
        .inventory
        .waivers
        .iter()
        .map(|w| WaiverSpec {
            rule: w.rule.clone(),
            subject: w.subject.clone(),
            reason: w.reason.clone(),
            origin: WaiverOrigin::Inventory,
        })
        .chain(options.waivers.iter().cloned())
        .collect();
    let mut notes = facts.notes.clone();
    // The simulation's sizes rest on a KubeVirt release; one the inventory
    // does not state is an assumption the report must show.
    if let Some(Ok(plan)) = plan.get()
        && !plan.assumptions.kubevirt_version_declared
    {
        notes.push(format!(
            "kubevirt.version is not declared: the plan sizes VMs with KubeVirt {}'s per-VM overhead, the newest release kubev-ha models",
            plan.assumptions.kubevirt_version
        ));
    }
    for waiver in &waivers {
        let mut matched = false;
        for finding in findings.iter_mut().filter(|f| waiver.matches(f)) {
            matched = true;
            if finding.severity != Severity::Pass && finding.waived.is_none() {
                finding.waived = Some(AppliedWaiver { reason: waiver.reason.clone(), origin: waiver.origin });
            }
        }
        if !matched {
            notes.push(format!("waiver {waiver} matched no finding"));
        }
    }

    let summary = Summary::of(&findings);
    Report {
        tool: "kubev-ha",
        version: env!("CARGO_PKG_VERSION"),
        source: facts.source_name.clone(),
        profile,
        findings,
        summary,
        notes,
    }
}
