//! `kubev-ha plan FILE`: simulate failures and print the plan.

use kubev_ha_plan::{PlanOptions, SetLimits, Status};
use kubev_ha_report::{CommandReport, PlanEvidence, RenderOptions};

use super::Outcome;
use super::check::load;
use crate::cli::{ColorChoice, PlanArgs};
use crate::output;

pub fn run(args: PlanArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = load(&args.file, max_input)?;
    let options = PlanOptions {
        limits: SetLimits { enumerate_up_to: args.enumerate_up_to, sample: args.sample, seed: args.seed },
        search_fix: !args.no_fix,
        ..PlanOptions::default()
    };
    let plan = kubev_ha_plan::plan(&loaded.inventory, options).map_err(|cannot| {
        let missing: Vec<String> = cannot.missing.iter().map(|m| format!("{} has no {}", m.subject, m.fact)).collect();
        miette::miette!(
            help = format!(
                "declare them, or read the hosts' facts with `kubev-ha probe {}`",
                // Standard input cannot be named again.
                if loaded.source_name == kubev_ha_model::input::STDIN_NAME { "FILE" } else { &loaded.source_name }
            ),
            "{}: cannot simulate without the size of every worker and workload: {}",
            loaded.source_name,
            missing.join(", ")
        )
    })?;
    let options = RenderOptions {
        color: output::stdout_color(color),
        all: args.all,
        width: output::width(),
        ..RenderOptions::default()
    };
    let failed = [&plan.node_failure, &plan.zone_failure].iter().any(|v| v.status == Status::Fails);
    let profile = loaded.inventory.profile_or_default();
    let shown = CommandReport::planned(PlanEvidence { plan, source: loaded.source_name, profile });
    output::print(&shown, output::format(args.format), &options);
    Ok(if failed { Outcome::RequirementFailed } else { Outcome::Ok })
}
