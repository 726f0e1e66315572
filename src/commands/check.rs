//! `kubev-ha check FILE`: load, merge any evidence, judge, print.

use kubev_ha_model::{ByteSize, Facts};
use kubev_ha_report::{CommandReport, Design, Evidence, RenderOptions};
use kubev_ha_rules::{CheckOptions, check_and_simulate};

use super::Outcome;
use crate::cli::{CheckArgs, ColorChoice};
use crate::output;

pub fn run(args: CheckArgs, color: ColorChoice, max_input: ByteSize) -> miette::Result<Outcome> {
    let loaded = super::load_to_judge(&args.file, max_input)?;
    let (facts, merged) = super::evidence::merge(Facts::from(loaded), &args)?;
    let (judge, show) = (&args.judge, &args.show);
    let options = CheckOptions { profile: judge.profile, waivers: judge.waive.clone(), ..CheckOptions::default() };
    // The simulation the HA rules judged, kept so that the report can
    // draw it (HTML's topology); `None` where the facts cannot be simulated.
    let (report, plan) = check_and_simulate(&facts, &options);
    let render_options = RenderOptions {
        color: output::stdout_color(color),
        verbose: show.verbose,
        quiet: show.quiet,
        width: output::width(),
        ..RenderOptions::default()
    };
    let evidence = match merged {
        Some(m) => Evidence::Merged(Box::new(m)),
        None => Evidence::None,
    };
    let design = Design { inventory: facts.inventory.clone(), source: facts.source_name.clone(), plan };
    output::emit(
        &CommandReport::judged("check", report.clone(), evidence).with_design(design),
        judge.format,
        args.output.output.as_deref(),
        &render_options,
    )?;
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}
