//! The merged evidence of `check --evidence`, as text and JSON: which
//! files were judged with, how old each is, and what they held.

use kubev_ha_rules::Report;

use crate::command::MergedEvidence;

/// The files judged with and their ages, before the findings.
pub(crate) fn evidence_text(merged: &MergedEvidence, verbose: bool) -> String {
    let _ = (merged, verbose);
    String::new()
}

/// The findings' object with the evidence beside them (docs/report-format.md).
pub(crate) fn judged_json(findings: &Report, merged: &MergedEvidence) -> String {
    let _ = merged;
    crate::json::render(findings)
}
