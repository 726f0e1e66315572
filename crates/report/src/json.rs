//! The report for machines. The shape is documented in
//! docs/report-format.md and kept stable: fields are added, and a field
//! renamed only to mend an inconsistency, listed in that page's "Changes".

use kubev_ha_rules::Report;
use serde::Serialize;

/// One JSON object, pretty-printed, ending in a newline.
pub(crate) fn render(report: &Report) -> String {
    pretty(report)
}

/// Any serialisable value (the catalog, the inventory schema) as pretty
/// JSON ending in a newline.
pub fn pretty(value: &impl Serialize) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        Err(e) => error_object(&e),
    }
}

/// What a renderer prints when a value cannot be written as JSON (a map
/// with non-string keys, a number JSON cannot hold): still one valid JSON
/// object, naming the error.
pub(crate) fn error_object(e: &serde_json::Error) -> String {
    format!("{}\n", serde_json::json!({ "error": e.to_string() }))
}
