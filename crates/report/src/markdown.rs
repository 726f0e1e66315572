//! The markdown renderer of a [`CommandReport`](crate::CommandReport).

use crate::command::{CommandReport, RenderOptions};

/// The report as markdown.
pub(crate) fn render(report: &CommandReport, options: &RenderOptions) -> String {
    let _ = (report, options);
    String::from("markdown: not yet written\n")
}
