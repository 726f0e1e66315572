//! The report for machines. The shape is documented in
//! docs/report-format.md and kept stable: fields are added, never renamed.

use kubev_ha_rules::Report;
use serde::Serialize;

/// One JSON object, pretty-printed, ending in a newline.
pub(crate) fn render(report: &Report) -> String {
    pretty(report)
}

/// Any serialisable value (the catalog, the inventory schema) as pretty
/// JSON ending in a newline.
pub fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
