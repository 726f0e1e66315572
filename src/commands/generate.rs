//! `kubev-ha generate`: a synthetic inventory on standard output.

use kubev_ha_plan::{Shape, generate};

use super::Outcome;
use crate::cli::GenerateArgs;

pub fn run(args: GenerateArgs) -> miette::Result<Outcome> {
    if args.workers == 0 || args.zones == 0 {
        return Err(miette::miette!("--workers and --zones must be at least 1"));
    }
    let inventory = generate(Shape { workers: args.workers, zones: args.zones, vms: args.vms, seed: args.seed });
    let yaml = kubev_ha_model::to_yaml(&inventory)?;
    print!("{yaml}");
    Ok(Outcome::Ok)
}
