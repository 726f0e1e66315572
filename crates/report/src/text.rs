//! The report for people: findings grouped by area and rule, the value
//! against the threshold, the requirement, the fix, and a closing summary.

use std::fmt::Write;

use kubev_ha_rules::{Area, CATALOG, Finding, Report, Severity, Summary};

use crate::style::Paint;

/// How to print a report.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TextOptions {
    pub(crate) color: bool,
    /// Show the page quote for every rule, not only those with something to say.
    pub(crate) verbose: bool,
    /// Hide passing findings (they still count in the summary).
    pub(crate) quiet: bool,
}

/// Renders `report` as text; `title` names the run (e.g. "check").
pub(crate) fn render(report: &Report, title: &str, options: TextOptions) -> String {
    let p = Paint::new(options.color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {} {} {}",
        p.bold(&format!("kubev-ha {title}")),
        p.dim("of"),
        report.source,
        p.dim("· profile"),
        report.profile
    );

    let subject_width = report.findings.iter().map(|f| f.subject.to_string().len()).max().unwrap_or(7).clamp(7, 32);

    for area in Area::ALL {
        let in_area: Vec<&Finding> = report.findings.iter().filter(|f| f.area == area).collect();
        if in_area.is_empty() {
            continue;
        }
        let shown: Vec<&Finding> = in_area
            .iter()
            .copied()
            .filter(|f| !options.quiet || f.severity != Severity::Pass || f.waived.is_some())
            .collect();
        if shown.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", p.heading(area.title()));
        for rule in CATALOG.iter().filter(|r| r.area == area) {
            let findings: Vec<&Finding> = shown.iter().copied().filter(|f| f.rule == rule.id).collect();
            if findings.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {}  {}", p.bold(rule.id), rule.title);
            // The page's words matter where something is wrong; unknowns
            // say how to learn the fact instead.
            let worth_quoting = options.verbose
                || findings.iter().any(|f| f.is_open() && matches!(f.severity, Severity::Fail | Severity::Warn));
            if worth_quoting {
                let quote = if rule.quote.is_empty() {
                    format!("({})", rule.source)
                } else {
                    format!("“{}” ({})", rule.quote, rule.source)
                };
                for line in textwrap::wrap(&quote, 96) {
                    let _ = writeln!(out, "    {}", p.dim(&line));
                }
            }
            for f in findings {
                write_finding(&mut out, &p, report, f, subject_width);
            }
        }
    }

    if !report.notes.is_empty() {
        let _ = writeln!(out, "\n{}", p.heading("Notes"));
        for note in &report.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(&report.summary, &p, report.summary.fail > 0));
    out
}

fn write_finding(out: &mut String, p: &Paint, report: &Report, f: &Finding, subject_width: usize) {
    let badge = match &f.waived {
        Some(_) => p.waived(&format!("{:<7}", "waived")),
        None => p.severity(f.severity, &format!("{:<7}", f.severity.as_str())),
    };
    let location =
        f.location.map(|l| format!("  {}", p.dim(&format!("{}:{}", report.source, l.line)))).unwrap_or_default();
    let subject = format!("{:<width$}", f.subject.to_string(), width = subject_width);
    let _ = writeln!(out, "    {badge} {subject}  {}{location}", f.message);
    let indent = " ".repeat(4 + 7 + 1);
    if let Some(w) = &f.waived {
        let _ = writeln!(out, "{indent}{} {} ({}; waived)", p.dim("was:"), f.severity, w.reason);
    }
    if let Some(fix) = f.remediation.as_deref().filter(|_| f.severity != Severity::Pass) {
        let label = match (f.severity, f.awaits) {
            // Only a measurement can tell; the inventory cannot.
            (Severity::Unknown, Some(_)) => "measure:",
            (Severity::Unknown, None) => "learn:",
            _ => "fix:",
        };
        let _ = writeln!(out, "{indent}{} {fix}", p.dim(label));
    }
}

/// "Summary: 30 pass, 1 warn, ... — no requirement failed".
pub(crate) fn summary_line(s: &Summary, p: &Paint, failed: bool) -> String {
    let parts = [
        p.severity(Severity::Pass, &format!("{} pass", s.pass)),
        p.severity(Severity::Info, &format!("{} info", s.info)),
        p.severity(Severity::Warn, &format!("{} warn", s.warn)),
        p.severity(Severity::Fail, &format!("{} fail", s.fail)),
        p.severity(Severity::Unknown, &format!("{} unknown", s.unknown)),
        p.waived(&format!("{} waived", s.waived)),
    ];
    let verdict = if failed {
        p.severity(Severity::Fail, "requirements failed")
    } else if s.unknown > 0 && s.awaiting_evidence > 0 {
        format!("no requirement failed; {} not yet known ({} awaiting a measurement)", s.unknown, s.awaiting_evidence)
    } else if s.unknown > 0 {
        format!("no requirement failed; {} not yet known", s.unknown)
    } else {
        p.severity(Severity::Pass, "no requirement failed")
    };
    format!("{} {} — {verdict}", p.bold("Summary:"), parts.join(", "))
}

/// Why a report with no failed requirement still exits 1: with `--strict`
/// its warn and unknown findings count, though its summary line says "no
/// requirement failed". Says which unknowns only a measurement fills
/// (`--allow-unmeasured` accepts those). `None` when nothing needs saying.
pub fn strict_note(report: &Report, strict: bool, allow_unmeasured: bool) -> Option<String> {
    let s = &report.summary;
    if allow_unmeasured {
        (report.failed_allowing_unmeasured() && !report.failed(false)).then(|| {
            format!(
                "--strict: exit 1 for {} warn and {} unknown finding(s) the inventory could state ({} awaiting a measurement accepted by --allow-unmeasured)",
                s.warn,
                s.unknown - s.awaiting_evidence,
                s.awaiting_evidence
            )
        })
    } else if strict && report.failed(true) && !report.failed(false) {
        let awaiting = if s.awaiting_evidence > 0 {
            format!("; {} of the unknown await a measurement, which --allow-unmeasured accepts", s.awaiting_evidence)
        } else {
            String::new()
        };
        Some(format!("--strict: exit 1 for {} warn and {} unknown finding(s){awaiting}", s.warn, s.unknown))
    } else {
        None
    }
}
