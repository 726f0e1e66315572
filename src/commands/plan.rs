//! `kubev-ha plan FILE`: simulate failures and print the plan.

use kubev_ha_model::Facts;
use kubev_ha_plan::{PlanOptions, SetLimits};
use kubev_ha_report::{CommandReport, Design, PlanEvidence, RenderOptions};
use kubev_ha_rules::{CheckOptions, check_with_plan};

use super::Outcome;
use crate::cli::{ColorChoice, PlanArgs};
use crate::output;

/// The verdicts a plan gives, whose findings decide its exit code.
const PLAN_RULES: [&str; 2] = ["HA-NODE-FAILURE", "HA-ZONE-FAILURE"];

pub fn run(args: PlanArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = super::load_to_judge(&args.file, max_input)?;
    let profile = args.judge.profile.unwrap_or_else(|| loaded.inventory.profile_or_default());
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
                if loaded.source_name == kubev_ha_model::STDIN_NAME { "FILE" } else { &loaded.source_name }
            ),
            "{}: cannot simulate without the size of every worker and workload: {}",
            loaded.source_name,
            missing.join(", ")
        )
    })?;
    // The exit code is the verdicts' findings, judged as `check` judges
    // them (waivers, --strict), on the plan printed.
    let judge = &args.judge;
    let options = CheckOptions {
        profile: judge.profile,
        waivers: judge.waive.clone(),
        only: PLAN_RULES.to_vec(),
        ..CheckOptions::default()
    };
    let inventory = loaded.inventory.clone();
    let source = loaded.source_name.clone();
    let report = check_with_plan(&Facts::from(loaded), &options, plan.clone());
    let render_options = RenderOptions {
        color: output::stdout_color(color),
        all: args.all,
        width: output::width(),
        ..RenderOptions::default()
    };
    let design = Design { inventory, source: source.clone(), plan: None };
    let shown = CommandReport::planned(PlanEvidence { plan, source, profile })
        .with_findings(report.clone())
        .with_design(design);
    output::emit(&shown, judge.format, args.output.output.as_deref(), &render_options)?;
    for finding in report.findings.iter().filter(|f| f.waived.is_some() && f.severity != kubev_ha_rules::Severity::Pass)
    {
        eprintln!("kubev-ha: {} waived: {}", finding.rule, finding.message);
    }
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}
