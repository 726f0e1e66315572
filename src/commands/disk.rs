//! `kubev-ha disk [PATH]`: fdatasync latency for etcd, judged by CP-ETCD-FSYNC.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use kubev_ha_model::{Address, Facts, Inventory, Metadata, Node, Role, SourceFormat};
use kubev_ha_probe::disk::{DEFAULT_BLOCK, DiskOptions, run as run_test};
use kubev_ha_report::{TextOptions, text};
use kubev_ha_rules::{CheckOptions, check};
use miette::{IntoDiagnostic, WrapErr};

use super::Outcome;
use crate::cli::{ColorChoice, DiskArgs, ReportFormat};
use crate::output;

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
    let bar = ProgressBar::new(options.size);
    bar.set_style(
        ProgressStyle::with_template("{spinner} fdatasync test in {msg} {bar:30} {bytes}/{total_bytes} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(dir.display().to_string());
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
    let name = "this-host".to_string();
    let node = Node {
        name: name.clone(),
        address: Address::Name(name.clone()),
        roles: vec![Role::ControlPlane],
        zone: None,
        rack: None,
        cpu: None,
        memory: None,
        disks: None,
        nics: None,
        labels: BTreeMap::new(),
        ssh: None,
    };
    let mut facts =
        Facts::from_inventory(Inventory::single_node(Metadata::named(&name), node), dir.display().to_string());
    facts.format = SourceFormat::Host;
    facts.measurements.fdatasync.insert(name, stats.clone());
    let report = check(
        &facts,
        &CheckOptions { profile: Some(args.profile), only: vec!["CP-ETCD-FSYNC"], ..CheckOptions::default() },
    );

    match args.format {
        ReportFormat::Json => {
            let mut value = serde_json::to_value(&report).map_err(|e| miette::miette!("{e}"))?;
            if let Some(obj) = value.as_object_mut() {
                obj.insert(
                    "measurements".into(),
                    serde_json::json!({
                        "fdatasync": stats,
                        "writes": result.writes,
                        "bytesWritten": result.bytes,
                        "blockSize": DEFAULT_BLOCK,
                        "seconds": result.elapsed.as_secs_f64(),
                        "writesPerSecond": result.writes_per_second(),
                        "directory": dir.display().to_string(),
                    }),
                );
            }
            println!("{}", serde_json::to_string_pretty(&value).map_err(|e| miette::miette!("{e}"))?);
        }
        ReportFormat::Text => {
            println!("fdatasync after each {DEFAULT_BLOCK}-byte write, in {}:", dir.display());
            println!(
                "  p50 {:.3} ms   p90 {:.3} ms   p99 {:.3} ms   p99.9 {:.3} ms   max {:.3} ms",
                stats.p50_ms, stats.p90_ms, stats.p99_ms, stats.p999_ms, stats.max_ms
            );
            println!(
                "  {} writes, {} written in {:.2} s ({:.0} writes/s)",
                result.writes,
                kubev_ha_model::ByteSize::bytes(result.bytes).human(),
                result.elapsed.as_secs_f64(),
                result.writes_per_second()
            );
            print!(
                "{}",
                text::render(
                    &report,
                    "disk",
                    TextOptions { color: output::stdout_color(color), verbose: true, quiet: false }
                )
            );
        }
    }
    Ok(if report.failed(false) { Outcome::RequirementFailed } else { Outcome::Ok })
}
