//! The plan for people: the initial placement, the scenario table, the HA
//! verdicts with the worst scenario and the fix, drains and storage; and
//! for machines, the same plan as JSON under the header of `check`'s
//! report (the shape is documented in docs/plan.md, "JSON").

use std::fmt::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use kubev_ha_model::{ByteSize, Interval, Profile};
use kubev_ha_plan::ScenarioKind;
use kubev_ha_plan::{CapacityOutcome, ReplicaOutcome};
use kubev_ha_plan::{Fit, HaVerdict, Plan, ScenarioResult, Status};

use crate::style::Paint;
use kubev_ha_rules::Severity;
use serde::Serialize;

/// The plan for machines: the header `check`'s report has, then every
/// field of the plan at the top level. Fields are added, never renamed.
#[derive(Debug, Serialize)]
pub(crate) struct PlanReport<'a> {
    pub(crate) tool: &'static str,
    pub(crate) version: &'static str,
    /// The file the inventory came from.
    pub(crate) source: &'a str,
    /// The inventory's profile: the plan itself does not depend on it,
    /// the severities `check` gives the HA verdicts do.
    pub(crate) profile: Profile,
    #[serde(flatten)]
    pub(crate) plan: &'a Plan,
}

/// One JSON object, pretty-printed, ending in a newline.
pub(crate) fn render_json(plan: &Plan, source: &str, profile: Profile) -> Result<String, serde_json::Error> {
    let report = PlanReport { tool: "kubev-ha", version: env!("CARGO_PKG_VERSION"), source, profile, plan };
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    Ok(text)
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanTextOptions {
    pub(crate) color: bool,
    /// Whose thresholds colour the storage verdicts (ST-CAPACITY's).
    pub(crate) profile: Profile,
    /// Every node and scenario row, not only the first and the worst.
    pub(crate) all: bool,
    pub(crate) width: u16,
}

const ROWS: usize = 25;

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

fn table(width: u16, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(header.to_vec());
    for i in 1..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn verdict_label(p: &Paint, status: &Status) -> String {
    match status {
        Status::Survives => p.severity(Severity::Pass, "survives"),
        Status::SurvivesSampled => p.severity(Severity::Info, "survives the sample"),
        Status::Fails => p.severity(Severity::Fail, "fails"),
        Status::NotFound => p.severity(Severity::Warn, "no placement found"),
        Status::NotRequired => p.severity(Severity::Info, "not required"),
        Status::Unknown => p.severity(Severity::Unknown, "unknown"),
    }
}

fn fit_label(fit: &Fit) -> &'static str {
    match fit {
        Fit::Fits => "fits",
        Fit::CannotFit { .. } => "cannot fit",
        Fit::NotFound { .. } => "not found",
    }
}

/// A scenario's verdict: without an etcd quorum the control plane restarts
/// nothing, so the VMs' fit is only what would happen once quorum returns.
fn scenario_label(r: &ScenarioResult) -> String {
    match (r.etcd.holds, &r.fit) {
        (true, fit) => fit_label(fit).to_string(),
        (false, Fit::Fits) => "lost quorum".to_string(),
        (false, fit) => format!("lost quorum; {}", fit_label(fit)),
    }
}

pub(crate) fn render(plan: &Plan, source: &str, o: PlanTextOptions) -> String {
    let p = Paint::new(o.color);
    let mut out = String::new();
    let a = &plan.assumptions;
    let _ = writeln!(out, "{} {} {source}", p.bold("kubev-ha plan"), p.dim("of"));
    let _ = writeln!(
        out,
        "{}",
        p.dim(&format!(
            "CPU overcommit {} vCPU per logical CPU, memory overcommit {}, {} reserved per worker, KubeVirt {}'s per-VM overhead added{}{}; \
{} pods per worker for VMs (maxPods {} less {} DaemonSet pods{}). \
Placement as kube-scheduler's LeastAllocated, largest VMs first; failover re-places best-fit decreasing, survivors' VMs stay put.",
            a.cpu_overcommit,
            a.memory_overcommit,
            a.reserved_memory,
            a.kubevirt_version,
            if a.kubevirt_version_declared { "" } else { " (assumed: the newest modelled release; declare kubevirt.version)" },
            if a.additional_guest_memory_overhead_ratio > 1.0 {
                format!(" × {}", a.additional_guest_memory_overhead_ratio)
            } else {
                String::new()
            },
            a.pods_per_worker(),
            a.max_pods,
            a.daemon_set_pods,
            if a.daemon_set_pods_declared { "" } else { ", assumed; declare kubelet.daemonSetPods" },
        ))
    );

    // Initial placement.
    let _ = writeln!(out, "\n{}", p.heading("Initial placement"));
    let mut t =
        table(o.width, &["node", plan.domain_kind, "VMs", "vCPU used / allocatable", "memory requested / allocatable"]);
    let mut hosts: Vec<_> = plan.hosts.iter().collect();
    let shown = if o.all || hosts.len() <= ROWS { hosts.len() } else { ROWS };
    if shown < hosts.len() {
        hosts.sort_by(|a, b| {
            (b.memory_requested * 1000 / b.memory_allocatable.max(1))
                .cmp(&(a.memory_requested * 1000 / a.memory_allocatable.max(1)))
        });
    }
    for h in hosts.iter().take(shown) {
        t.add_row(vec![
            h.name.clone(),
            h.domain.clone().unwrap_or_else(|| "-".into()),
            h.vms.to_string(),
            format!("{} / {}", h.vcpus, h.vcpu_capacity),
            format!("{} / {}", gib(h.memory_requested), gib(h.memory_allocatable)),
        ]);
    }
    let _ = writeln!(out, "{t}");
    if shown < plan.hosts.len() {
        let _ = writeln!(
            out,
            "{}",
            p.dim(&format!("(the {shown} fullest of {} workers; --all shows every one)", plan.hosts.len()))
        );
    }
    if !plan.domains.is_empty() {
        let mut t = table(
            o.width,
            &[plan.domain_kind, "workers", "VMs", "vCPU used / allocatable", "memory requested / allocatable"],
        );
        for d in &plan.domains {
            t.add_row(vec![
                d.name.clone(),
                d.hosts.to_string(),
                d.vms.to_string(),
                format!("{} / {}", d.vcpus, d.vcpu_capacity),
                format!("{} / {}", gib(d.memory_requested), gib(d.memory_allocatable)),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    if !plan.unplaced.is_empty() {
        let list = plan.unplaced.iter().map(|(g, n)| format!("{n} × {g}")).collect::<Vec<_>>().join(", ");
        let _ = writeln!(out, "{}", p.severity(Severity::Fail, &format!("No home even before any failure: {list}")));
    }

    // Scenarios.
    let _ = writeln!(out, "\n{}", p.heading("Failure scenarios"));
    for s in &plan.selections {
        let how = match s.sampled {
            Some(sample) => {
                format!("sampled {} of {} (seed {}, plus the busiest set)", s.chosen, s.possible, sample.seed)
            }
            None => format!("all {}", s.chosen),
        };
        let what = match s.kind {
            ScenarioKind::Node => "single workers".to_string(),
            ScenarioKind::Nodes => format!("sets of {} workers", s.set_size),
            ScenarioKind::Domain => format!("single {}s", plan.domain_kind),
            ScenarioKind::Domains => format!("sets of {} {}s", s.set_size, plan.domain_kind),
        };
        let _ = writeln!(out, "{}", p.dim(&format!("- {what}: {how}")));
    }
    let mut rows: Vec<&ScenarioResult> = plan.scenarios.iter().collect();
    let shown = if o.all || rows.len() <= ROWS { rows.len() } else { ROWS };
    if shown < rows.len() {
        rows.sort_by(|a, b| {
            b.fit
                .rank()
                .cmp(&a.fit.rank())
                .then(a.etcd.holds.cmp(&b.etcd.holds))
                .then(a.headroom_memory_percent.total_cmp(&b.headroom_memory_percent))
        });
    }
    let mut t = table(
        o.width,
        &["lost", "displaced", "re-placed", "no home", "etcd left / quorum", "headroom cpu / mem", "verdict"],
    );
    for r in rows.iter().take(shown) {
        let homeless = if r.homeless.is_empty() {
            "0".to_string()
        } else {
            r.homeless.iter().map(|(g, n)| format!("{n} {g}")).collect::<Vec<_>>().join(", ")
        };
        let etcd = format!("{} / {}{}", r.etcd.left, r.etcd.quorum, if r.etcd.holds { "" } else { " lost" });
        t.add_row(vec![
            r.name.clone(),
            r.displaced.to_string(),
            format!("{} of {}", r.replaced, r.to_restart),
            homeless,
            etcd,
            format!("{:.0} % / {:.0} %", r.headroom_cpu_percent, r.headroom_memory_percent),
            scenario_label(r),
        ]);
    }
    let _ = writeln!(out, "{t}");
    if rows.iter().take(shown).any(|r| !r.etcd.holds) {
        let _ = writeln!(
            out,
            "{}",
            p.dim("(lost quorum: etcd keeps too few members, so nothing restarts until quorum returns; the other columns show the re-placement once it does)")
        );
    }
    if shown < plan.scenarios.len() {
        let fits = plan.scenarios.iter().filter(|r| r.fit == Fit::Fits && r.etcd.holds).count();
        let _ = writeln!(
            out,
            "{}",
            p.dim(&format!(
                "(the {shown} worst of {} scenarios; {fits} fit; --all or --format json shows every one)",
                plan.scenarios.len()
            ))
        );
    }

    // Verdicts.
    let _ = writeln!(out, "\n{}", p.heading("Verdicts"));
    write_verdict(&mut out, &p, "HA-NODE-FAILURE", &plan.node_failure);
    write_verdict(&mut out, &p, "HA-ZONE-FAILURE", &plan.zone_failure);

    // Drains.
    let _ = writeln!(out, "\n{}", p.heading("Maintenance drains"));
    let d = &plan.drain;
    let _ = writeln!(
        out,
        "{}",
        p.dim(&format!(
            "{} migrations per node and {} per cluster at once, {} per migration; memory and block-migrated disks moved once at TCP goodput (a lower bound: busy guests re-send dirtied pages); KubeVirt aborts a migration after {} per GB of memory and containerDisk data, and after {} without progress.",
            d.limits.parallel_outbound_per_node,
            d.limits.parallel_per_cluster,
            d.limits.bandwidth_per_migration.map_or("no cap".to_string(), |b| format!("{}/s", ByteSize::bytes(b as u64).human())),
            seconds_or_never(d.limits.completion_timeout_per_gib),
            seconds_or_never(d.limits.progress_timeout),
        ))
    );
    if !d.unknown.is_empty() {
        let _ = writeln!(out, "  unknown: {}", d.unknown.join("; "));
    }
    if let Some(b) = d.busiest() {
        let _ = writeln!(
            out,
            "  busiest worker: {} — {} VM(s), {} to move, {} over {}",
            p.bold(&b.host),
            b.migrating_vms,
            gib(b.bytes),
            Interval::from_secs_f64(b.seconds.ceil()),
            b.path.describe(),
        );
        if let Some(assumed) = &b.path.assumed {
            let _ = writeln!(out, "    {}", p.dim(&format!("assumed: {assumed}")));
        }
    }
    for (h, o) in d.over_budget() {
        let _ = writeln!(
            out,
            "  {}",
            p.severity(
                Severity::Fail,
                &format!(
                    "aborted: {} on {} takes at least {} for {}, over KubeVirt's completion timeout of {} s",
                    o.workload,
                    h.host,
                    Interval::from_secs_f64(o.seconds.ceil()),
                    gib(o.bytes),
                    o.budget_seconds
                )
            )
        );
    }
    for z in &d.domains {
        let _ = writeln!(
            out,
            "  {} {}: {} worker(s), {} VM(s), {} — {}",
            plan.domain_kind,
            z.domain,
            z.hosts,
            z.migrating_vms,
            gib(z.bytes),
            Interval::from_secs_f64(z.seconds.ceil())
        );
    }

    // Storage.
    if !plan.storage.is_empty() {
        let _ = writeln!(out, "\n{}", p.heading("Storage under the tolerated failures"));
        // ST-CAPACITY's threshold, so the plan and `check` agree.
        let warn_ratio = kubev_ha_rules::Thresholds::for_profile(o.profile).st_capacity_warn_ratio;
        for s in &plan.storage {
            // The verdict in words as well as colour, so it survives a pipe.
            let said =
                |severity: Severity, word: &str, detail: &str| p.severity(severity, &format!("{word}: {detail}"));
            let replication = match &s.replication {
                ReplicaOutcome::Survives { detail } => said(Severity::Pass, "survives", detail),
                ReplicaOutcome::Degraded { detail } => said(Severity::Info, "degraded", detail),
                ReplicaOutcome::MayLoseData { detail } => said(Severity::Fail, "MAY LOSE DATA", detail),
                ReplicaOutcome::Unknown { detail } => said(Severity::Unknown, "unknown", detail),
            };
            let capacity = match &s.capacity {
                CapacityOutcome::Overfull { detail, .. } => said(Severity::Fail, "DOES NOT FIT", detail),
                CapacityOutcome::Fits { ratio, detail } if *ratio > warn_ratio => {
                    said(Severity::Warn, &format!("fits, above {:.0} %", warn_ratio * 100.0), detail)
                }
                CapacityOutcome::Fits { detail, .. } => said(Severity::Pass, "fits", detail),
                CapacityOutcome::Unknown { detail } => said(Severity::Unknown, "unknown", detail),
            };
            let _ = writeln!(out, "  {}\n    replicas: {replication}\n    capacity: {capacity}", p.bold(&s.class));
        }
    }
    out
}

fn seconds_or_never(seconds: u32) -> String {
    if seconds == 0 { "never (0)".to_string() } else { format!("{seconds} s") }
}

fn write_verdict(out: &mut String, p: &Paint, rule: &str, v: &HaVerdict) {
    let _ = writeln!(out, "  {}  {}  {}", p.bold(rule), verdict_label(p, &v.status), v.message);
    if let Some(fix) = &v.fix {
        let _ = writeln!(out, "      {} {fix}", p.dim("fix:"));
    }
}
