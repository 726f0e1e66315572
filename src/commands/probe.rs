//! `kubev-ha probe FILE`: every node's facts over SSH, then `check`.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use kubev_ha_model::Facts;
use kubev_ha_model::host::HostProbe;
use kubev_ha_probe::remote::{SshOptions, SshTarget, probe_all};
use kubev_ha_report::{TextOptions, text};
use kubev_ha_rules::{CheckOptions, check, waiver_problems};
use miette::{IntoDiagnostic, WrapErr};

use super::Outcome;
use super::check::load;
use crate::cli::{ColorChoice, ProbeArgs, ReportFormat};
use crate::output;

pub fn run(args: ProbeArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = load(&args.file, max_input)?;
    let problems = waiver_problems(&loaded.inventory);
    if !problems.is_empty() {
        return Err(loaded.input_error(problems).into());
    }
    let binary = std::env::current_exe()
        .and_then(std::fs::read)
        .map_err(|e| miette::miette!("cannot read this program to send it to the nodes: {e}"))?;
    let targets: Vec<SshTarget> = loaded.inventory.nodes.iter().map(|n| SshTarget::of_node(n)).collect();
    let options = SshOptions {
        timeout: args.timeout.as_duration().max(Duration::from_secs(1)),
        parallel: args.parallel.max(1),
        config: args.ssh_config.clone(),
        options: args.ssh_option.clone(),
        sudo: args.sudo,
        remote_dir: args.remote_dir.clone(),
        etcd_path: args.etcd_path.clone(),
        ..SshOptions::default()
    };

    let bar = ProgressBar::new(targets.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} probing {pos}/{len} nodes [{elapsed}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let progress = bar.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| miette::miette!("cannot start the async runtime: {e}"))?;
    let hosts = runtime.block_on(probe_all(targets, &options, binary, move |node, probe| {
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
        let yaml = kubev_ha_model::write::to_yaml(&facts.inventory)?;
        std::fs::write(path, yaml).into_diagnostic().wrap_err_with(|| format!("cannot write {}", path.display()))?;
    }
    let report = check(&facts, &CheckOptions { profile: args.profile, waivers: args.waive, ..CheckOptions::default() });
    let rendered = match args.format {
        ReportFormat::Json => {
            let mut value = serde_json::to_value(&report).map_err(|e| miette::miette!("{e}"))?;
            if let Some(obj) = value.as_object_mut() {
                obj.insert("hosts".into(), serde_json::to_value(&facts.hosts).map_err(|e| miette::miette!("{e}"))?);
            }
            format!("{}\n", serde_json::to_string_pretty(&value).map_err(|e| miette::miette!("{e}"))?)
        }
        ReportFormat::Text => text::render(
            &report,
            "probe",
            TextOptions { color: output::stdout_color(color), verbose: false, quiet: args.quiet },
        ),
    };
    print!("{rendered}");
    super::say_why_strict_failed(&report, args.strict, args.allow_unmeasured);
    let failed = super::failed(&report, args.strict, args.allow_unmeasured);
    Ok(if failed { Outcome::RequirementFailed } else { Outcome::Ok })
}
