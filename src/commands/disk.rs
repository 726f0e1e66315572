//! `kubev-ha disk [PATH]`: fdatasync latency for etcd, judged by CP-ETCD-FSYNC.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use kubev_ha_model::{Address, Facts, Inventory, Metadata, Node, Role, SourceFormat};
use kubev_ha_probe::{DEFAULT_BLOCK, DiskOptions, run_disk_test as run_test};
use kubev_ha_report::{CommandReport, DiskEvidence, DiskRun, Evidence, RenderOptions};
use kubev_ha_rules::{CheckOptions, check};
use miette::{IntoDiagnostic, WrapErr};

use super::Outcome;
use crate::cli::{ColorChoice, DiskArgs};
use crate::{output, progress};

pub fn run(args: DiskArgs, color: ColorChoice) -> miette::Result<Outcome> {
    let dir = match &args.path {
        Some(p) => p.clone(),
        None if std::path::Path::new(kubev_ha_probe::DEFAULT_ETCD_PATH).is_dir() => {
            PathBuf::from(kubev_ha_probe::DEFAULT_ETCD_PATH)
        }
        None => std::env::current_dir().into_diagnostic().wrap_err("cannot tell the current directory")?,
    };
    if !dir.is_dir() {
        return Err(miette::miette!("{}: not a directory", dir.display()));
    }
    let options = DiskOptions {
        dir: dir.clone(),
        size: args.size.as_u64(),
        block: DEFAULT_BLOCK,
        deadline: args.timeout.as_duration(),
    };

    // Ctrl-C (or a TERM) stops the writes; the test file is removed either way.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, stop.clone()).into_diagnostic().wrap_err("cannot handle signals")?;
    }
    let done = Arc::new(AtomicU64::new(0));
    let bar = progress::bytes(options.size, &format!("fdatasync test in {}", dir.display()));
    let (ticker_done, ticker_bar, ticker_stop) = (done.clone(), bar.clone(), Arc::new(AtomicBool::new(false)));
    let ticker_quit = ticker_stop.clone();
    let ticker = std::thread::spawn(move || {
        while !ticker_quit.load(Ordering::Relaxed) {
            ticker_bar.set_position(ticker_done.load(Ordering::Relaxed));
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let result = run_test(&options, stop, done);
    ticker_stop.store(true, Ordering::Relaxed);
    let _ = ticker.join();
    bar.finish_and_clear();
    let result = result?;

    let source = format!("kubev-ha disk {}", dir.display());
    let stats = result.stats(&source);
    let name = args.node.clone().unwrap_or_else(|| kubev_ha_model::THIS_HOST.to_string());
    let node = Node::new(name.clone(), Address::Name(name.clone()), vec![Role::ControlPlane]);
    let mut facts =
        Facts::from_inventory(Inventory::single_node(Metadata::named(&name), node), dir.display().to_string());
    facts.format = SourceFormat::Host;
    facts.measurements.fdatasync.insert(name.clone(), stats.clone());
    let judge = args.judge;
    let report = check(
        &facts,
        &CheckOptions {
            profile: judge.profile,
            waivers: judge.waive.clone(),
            only: vec!["CP-ETCD-FSYNC"],
            ..CheckOptions::default()
        },
    );

    let run = DiskRun {
        directory: dir.display().to_string(),
        block_size: DEFAULT_BLOCK as u64,
        writes: result.writes,
        bytes_written: result.bytes,
        seconds: result.elapsed.as_secs_f64(),
        writes_per_second: result.writes_per_second(),
    };
    // Every rule quote: one rule is judged, and its words are the point.
    let options = RenderOptions { color: output::stdout_color(color), verbose: true, ..RenderOptions::default() };
    super::evidence::save(&args.save, None, vec![name.clone()], || kubev_ha_model::Measured::Fdatasync {
        by_node: std::collections::BTreeMap::from([(name.clone(), stats.clone())]),
    })?;
    let evidence = Evidence::Disk(DiskEvidence { node: name, fdatasync: stats, run });
    output::emit(
        &CommandReport::judged("disk", report.clone(), evidence),
        judge.format,
        args.output.output.as_deref(),
        &options,
    )?;
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}
