//! The html renderer of a [`CommandReport`](crate::CommandReport).

use crate::command::{CommandReport, RenderOptions};

/// The report as html.
pub(crate) fn render(report: &CommandReport, options: &RenderOptions) -> String {
    let _ = (report, options);
    String::from("html: not yet written\n")
}
