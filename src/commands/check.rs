//! `kubev-ha check FILE`: load, judge, print.

use kubev_ha_model::{ByteSize, Facts};
use kubev_ha_report::{CommandReport, Evidence, RenderOptions};
use kubev_ha_rules::{CheckOptions, check};

use super::Outcome;
use crate::cli::{CheckArgs, ColorChoice};
use crate::output;

pub fn run(args: CheckArgs, color: ColorChoice, max_input: ByteSize) -> miette::Result<Outcome> {
    let loaded = super::load_to_judge(&args.file, max_input)?;
    let facts = Facts::from(loaded);
    let (judge, show) = (args.judge, args.show);
    let options = CheckOptions { profile: judge.profile, waivers: judge.waive, ..CheckOptions::default() };
    let report = check(&facts, &options);
    let render_options = RenderOptions {
        color: output::stdout_color(color),
        verbose: show.verbose,
        quiet: show.quiet,
        ..RenderOptions::default()
    };
    output::print(
        &CommandReport::judged("check", report.clone(), Evidence::None),
        output::format(judge.format),
        &render_options,
    );
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}
