//! `kubev-ha generate`: a synthetic inventory on standard output, or with
//! `--cluster-dump DIR` a synthetic cluster dump (one `kubectl get -o json`
//! List per kind) for `kubev-ha audit --from-dump`.

use kubev_ha_cluster::{DumpShape, write_dump};
use kubev_ha_plan::{Shape, generate};

use super::Outcome;
use crate::cli::GenerateArgs;

pub fn run(args: GenerateArgs) -> miette::Result<Outcome> {
    if args.workers == 0 || args.zones == 0 {
        return Err(miette::miette!("--workers and --zones must be at least 1"));
    }
    if let Some(dir) = &args.cluster_dump {
        let shape = DumpShape { workers: args.workers, zones: args.zones, vms: args.vms, seed: args.seed };
        let summary = write_dump(&shape, dir)
            .map_err(|e| miette::miette!("cannot write the cluster dump into {}: {e}", dir.display()))?;
        // What was made goes to stderr: stdout stays empty, as for a file writer.
        eprintln!(
            "wrote {} files into {} ({} nodes, {} VMs and VMIs, {} PVCs, {} PVs, {} pods, {} PodDisruptionBudgets; {} bytes)",
            summary.files.len(),
            dir.display(),
            summary.nodes,
            summary.vms,
            summary.pvcs,
            summary.pvs,
            summary.pods,
            summary.pdbs,
            summary.bytes
        );
        return Ok(Outcome::Ok);
    }
    let inventory = generate(Shape { workers: args.workers, zones: args.zones, vms: args.vms, seed: args.seed });
    let yaml = kubev_ha_model::to_yaml(&inventory)?;
    print!("{yaml}");
    Ok(Outcome::Ok)
}
