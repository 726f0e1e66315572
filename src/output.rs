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
    use crate::cli::ReportFormat as F;
    match format {
        F::Text => kubev_ha_report::Format::Text,
        F::Json => kubev_ha_report::Format::Json,
        F::Markdown => kubev_ha_report::Format::Markdown,
        F::Junit => kubev_ha_report::Format::Junit,
        F::Sarif => kubev_ha_report::Format::Sarif,
        F::Html => kubev_ha_report::Format::Html,
    }
}

/// The report crate's format for a measuring command's `--format`.
pub fn measure_format(format: crate::cli::MeasureFormat) -> kubev_ha_report::Format {
    match format {
        crate::cli::MeasureFormat::Text => kubev_ha_report::Format::Text,
        crate::cli::MeasureFormat::Json => kubev_ha_report::Format::Json,
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

/// Renders a judging command's report as `--format` and `-o` ask: to the
/// file (never coloured), else to standard output.
pub fn emit(
    report: &kubev_ha_report::CommandReport,
    format: crate::cli::ReportFormat,
    output: Option<&std::path::Path>,
    options: &kubev_ha_report::RenderOptions,
) -> miette::Result<()> {
    // Markdown, JUnit, SARIF and HTML are the next renderers of the one
    // model (issue #12); until they exist the options refuse, never print
    // a placeholder as if it were a report.
    use crate::cli::ReportFormat as F;
    if matches!(format, F::Markdown | F::Junit | F::Sarif | F::Html) {
        let name = format!("{format:?}").to_lowercase();
        return Err(miette::miette!(
            help = "use --format text or --format json",
            "--format {name} is not built yet (issue #12)"
        ));
    }
    let format = self::format(format);
    match output {
        None => {
            print(report, format, options);
            Ok(())
        }
        Some(path) => {
            let options = kubev_ha_report::RenderOptions { color: false, ..*options };
            std::fs::write(path, kubev_ha_report::render(report, format, &options))
                .map_err(|e| miette::miette!("{}: cannot write the report: {e}", path.display()))
        }
    }
}
