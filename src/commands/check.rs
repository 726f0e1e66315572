//! `kubev-ha check FILE`: load, judge, print.

use std::io::Read;

use kubev_ha_model::{Facts, LoadError, LoadedInventory};
use kubev_ha_report::{TextOptions, json, text};
use kubev_ha_rules::{CheckOptions, check, waiver_problems};

use super::Outcome;
use crate::cli::{CheckArgs, ColorChoice, ReportFormat};
use crate::output;

pub fn run(args: CheckArgs, color: ColorChoice) -> miette::Result<Outcome> {
    let loaded = load(&args.file)?;
    let problems = waiver_problems(&loaded.inventory);
    if !problems.is_empty() {
        return Err(loaded.input_error(problems).into());
    }
    let facts = Facts::from(loaded);
    let options = CheckOptions { profile: args.profile, waivers: args.waive, ..CheckOptions::default() };
    let report = check(&facts, &options);
    let rendered = match args.format {
        ReportFormat::Json => json::render(&report),
        ReportFormat::Text => text::render(
            &report,
            "check",
            TextOptions { color: output::stdout_color(color), verbose: args.verbose, quiet: args.quiet },
        ),
    };
    print!("{rendered}");
    super::say_why_strict_failed(&report, args.strict);
    Ok(if report.failed(args.strict) { Outcome::RequirementFailed } else { Outcome::Ok })
}

/// Loads the file, or standard input for `-`.
pub fn load(path: &std::path::Path) -> miette::Result<LoadedInventory> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|error| LoadError::Io { path: "<stdin>".into(), error })?;
        return Ok(kubev_ha_model::parse_bytes("<stdin>", &bytes).map_err(LoadError::Input)?);
    }
    Ok(kubev_ha_model::load_file(path)?)
}
