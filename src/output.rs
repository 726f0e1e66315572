//! Where output goes and how it looks: colour detection, terminal width,
//! and miette's error rendering.

use std::io::IsTerminal;

use crate::cli::ColorChoice;

/// Whether to colour what goes to standard output.
pub fn stdout_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never,
    }
}

/// Columns to fit tables into: the terminal's, else a wide default for files.
pub fn width() -> u16 {
    if std::io::stdout().is_terminal()
        && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size()
    {
        return w.max(60);
    }
    140
}

/// Errors print with miette: the message, the offending line, the help.
pub fn install_error_hook(choice: ColorChoice) {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never,
    };
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().color(color).unicode(color).terminal_links(false).width(100).build())
    }));
}

/// The report crate's format for `--format`.
pub fn format(format: crate::cli::ReportFormat) -> kubev_ha_report::Format {
    match format {
        crate::cli::ReportFormat::Text => kubev_ha_report::Format::Text,
        crate::cli::ReportFormat::Json => kubev_ha_report::Format::Json,
    }
}

/// Renders a command's report in the chosen format to standard output.
pub fn print(
    report: &kubev_ha_report::CommandReport,
    format: kubev_ha_report::Format,
    options: &kubev_ha_report::RenderOptions,
) {
    print!("{}", kubev_ha_report::render(report, format, options));
}
