//! `kubev-ha plan FILE`: simulate failures and print the plan.

use kubev_ha_plan::{PlanOptions, SetLimits, Status};
use kubev_ha_report::plan::{PlanTextOptions, render, render_json};

use super::Outcome;
use super::check::load;
use crate::cli::{ColorChoice, PlanArgs, ReportFormat};
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
    match args.format {
        ReportFormat::Json => {
            let json = render_json(&plan, &loaded.source_name, loaded.inventory.profile_or_default())
                .map_err(|e| miette::miette!("cannot write the plan as JSON: {e}"))?;
            print!("{json}")
        }
        ReportFormat::Text => print!(
            "{}",
            render(
                &plan,
                &loaded.source_name,
                PlanTextOptions {
                    color: output::stdout_color(color),
                    profile: loaded.inventory.profile_or_default(),
                    all: args.all,
                    width: output::width()
                }
            )
        ),
    }
    let failed = [&plan.node_failure, &plan.zone_failure].iter().any(|v| v.status == Status::Fails);
    Ok(if failed { Outcome::RequirementFailed } else { Outcome::Ok })
}
