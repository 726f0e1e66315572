//! `kubev-ha probe FILE`: every node's facts over SSH, then `check`.

use kubev_ha_model::Facts;
use kubev_ha_model::HostProbe;
use kubev_ha_probe::{SshOptions, SshTarget, probe_all};
use kubev_ha_report::{CommandReport, Design, Evidence, RenderOptions};
use kubev_ha_rules::{CheckOptions, check};
use miette::{IntoDiagnostic, WrapErr};

use super::Outcome;
use crate::cli::{ColorChoice, ProbeArgs};
use crate::{output, progress, runtime, this_binary};

pub fn run(args: ProbeArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = super::load_to_judge(&args.file, max_input)?;
    let binary = this_binary::read()?;
    let targets: Vec<SshTarget> = loaded.inventory.nodes.iter().map(|n| SshTarget::of_node(n)).collect();
    let options = SshOptions { etcd_path: args.etcd_path.clone(), ..super::ssh_options(&args.ssh) };

    let bar = progress::count(targets.len() as u64, "probing nodes");
    let progress = bar.clone();
    let hosts = runtime::runtime()?.block_on(probe_all(targets, &options, binary, move |node, probe| {
        let state = match probe {
            HostProbe::Probed { .. } => "ok",
            HostProbe::Unreachable { .. } => "unreachable",
        };
        progress.set_message(format!("{node}: {state}"));
        progress.inc(1);
    }));
    bar.finish_and_clear();

    let facts = Facts::from(loaded).with_probes(hosts);
    for (node, probe) in &facts.hosts {
        if let HostProbe::Unreachable { reason } = probe {
            eprintln!("kubev-ha: {node} unreachable: {reason}");
        }
    }
    if let Some(path) = &args.write {
        let yaml = kubev_ha_model::to_yaml(&facts.inventory)?;
        std::fs::write(path, yaml).into_diagnostic().wrap_err_with(|| format!("cannot write {}", path.display()))?;
    }
    let (judge, show) = (args.judge, args.show);
    let report = check(
        &facts,
        &CheckOptions { profile: judge.profile, waivers: judge.waive.clone(), ..CheckOptions::default() },
    );
    let options = RenderOptions {
        color: output::stdout_color(color),
        verbose: show.verbose,
        quiet: show.quiet,
        ..RenderOptions::default()
    };
    let nodes = facts.hosts.keys().cloned().collect();
    super::evidence::save(&args.save, facts.declared.as_ref(), nodes, || kubev_ha_model::Measured::Hosts {
        hosts: facts.hosts.clone(),
    })?;
    let design = Design { inventory: facts.inventory.clone(), source: facts.source_name.clone(), plan: None };
    let shown = CommandReport::judged("probe", report.clone(), Evidence::Probe(facts.hosts)).with_design(design);
    output::emit(&shown, judge.format, args.output.output.as_deref(), &options)?;
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}
