//! `kubev-ha net serve|check|matrix|bandwidth`.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use kubev_ha_model::Facts;
use kubev_ha_model::measure::{Bandwidth, MatrixCell, NetworkMeasurements};
use kubev_ha_net::cells::matrix_cells;
use kubev_ha_net::check::{CheckOptions as NetOptions, check_from};
use kubev_ha_net::matrix::{MatrixOptions, Progress, run_matrix};
use kubev_ha_net::probe::ProbeOptions;
use kubev_ha_net::responder::{ServeOptions, ServeReport, bind, serve};
use kubev_ha_probe::remote::SshOptions;
use kubev_ha_report::{TextOptions, text};
use kubev_ha_rules::ports::{Features, listening_for};
use kubev_ha_rules::{CheckOptions, check};
use tokio::sync::Notify;

use super::Outcome;
use super::check::load;
use crate::cli::{BandwidthArgs, ColorChoice, MatrixArgs, NetCheckArgs, NetCommand, ReportFormat, ServeArgs};
use crate::output;

/// The rules the network checks feed.
const NET_RULES: [&str; 4] = ["NET-PORTS", "NET-MTU", "NET-DNS", "NET-NODELOCAL-DNS"];
// The bandwidth sink's port, opened by `net matrix --bandwidth`.
use kubev_ha_net::wire::BANDWIDTH_PORT;

fn runtime() -> miette::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| miette::miette!("cannot start the async runtime: {e}"))
}

pub fn run(command: NetCommand, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    match command {
        NetCommand::Serve(args) => serve_cmd(args),
        NetCommand::Check(args) => check_cmd(args, color, max_input),
        NetCommand::Matrix(args) => matrix_cmd(args, color, max_input),
        NetCommand::Bandwidth(args) => bandwidth_cmd(args),
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this-host".into())
}

fn serve_cmd(args: ServeArgs) -> miette::Result<Outcome> {
    let features = Features::from_names(args.feature.iter().map(String::as_str))?;
    let options = ServeOptions {
        node: args.name.clone().unwrap_or_else(hostname),
        ports: listening_for(&args.role, features),
        bind: args.bind,
        ttl: args.ttl.as_duration(),
        max_conns: args.max_conns,
        bandwidth_port: args.bandwidth_port,
    };
    runtime()?.block_on(async {
        let (report, tcp, udp, sink) = bind(&options).await;
        if args.json {
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
        } else {
            print_serve_report(&report, &options);
        }
        let stop = Arc::new(Notify::new());
        if args.stop_on_eof {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
                stop.notify_one();
            });
        }
        {
            let stop = stop.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                stop.notify_one();
            });
        }
        let stats = serve(&options, report.max_conns, tcp, udp, sink, stop).await;
        eprintln!(
            "kubev-ha net serve: stopped; {} connections answered, {} refused over the limit, {} datagrams answered",
            stats.connections, stats.refused_over_limit, stats.datagrams_answered
        );
    });
    Ok(Outcome::Ok)
}

fn print_serve_report(report: &ServeReport, options: &ServeOptions) {
    let ports: Vec<String> = report.listening.iter().map(|l| format!("{}/{}", l.port, l.protocol)).collect();
    println!("kubev-ha net serve as {} on {} ports: {}", report.node, ports.len(), ports.join(" "));
    for t in &report.taken {
        println!(
            "  could not take {}/{} ({}): {}{}",
            t.port,
            t.protocol,
            t.component,
            t.error,
            t.holder.as_deref().map(|h| format!(", held by {h}")).unwrap_or_default()
        );
    }
    if let Some(p) = report.bandwidth_port {
        println!("  bandwidth sink on {p}/tcp");
    }
    println!(
        "  stops by itself in {} (at most {} connections at once{}; Ctrl-C stops it now)",
        kubev_ha_model::Interval::from_secs(options.ttl.as_secs()),
        report.max_conns,
        if report.max_conns < options.max_conns {
            format!(", not the {} asked for: the open-file limit leaves no more room", options.max_conns)
        } else {
            String::new()
        }
    );
}

fn unknown_node(inventory: &kubev_ha_model::Inventory, name: &str) -> miette::Report {
    let hint = kubev_ha_model::suggest::did_you_mean(name, inventory.nodes.iter().map(|n| n.name.as_str()))
        .map(|h| format!("did you mean `{h}`?"))
        .unwrap_or_else(|| {
            format!("the nodes are {}", inventory.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", "))
        });
    miette::miette!(help = hint, "no node `{name}` in the inventory")
}

fn check_cmd(args: NetCheckArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = load(&args.file, max_input)?;
    if loaded.inventory.node(&args.from).is_none() {
        return Err(unknown_node(&loaded.inventory, &args.from));
    }
    let options = NetOptions {
        probe: ProbeOptions { timeout: args.timeout.as_duration(), concurrency: args.concurrency },
        skip_mtu: args.no_mtu,
        dns_port: args.dns_port,
        ..NetOptions::default()
    };
    let measured = runtime()?.block_on(check_from(&loaded.inventory, &args.from, options));
    if args.measurements_only {
        println!("{}", serde_json::to_string(&measured).map_err(|e| miette::miette!("{e}"))?);
        return Ok(Outcome::Ok);
    }
    let mut facts = Facts::from(loaded);
    facts.measurements.network = Some(measured.clone());
    let shown = Shown { format: args.format, profile: args.profile, color, verbose: args.verbose };
    judge_and_print(&facts, &measured, shown, "net check", None)
}

/// How the judged measurements are printed.
struct Shown {
    format: ReportFormat,
    profile: Option<kubev_ha_model::Profile>,
    color: ColorChoice,
    /// Every probe and answer, and the passing findings.
    verbose: bool,
}

fn judge_and_print(
    facts: &Facts,
    measured: &NetworkMeasurements,
    shown: Shown,
    title: &str,
    matrix: Option<(String, Vec<MatrixCell>)>,
) -> miette::Result<Outcome> {
    let Shown { format, profile, color, verbose } = shown;
    let mut only: Vec<&'static str> = NET_RULES.to_vec();
    if !measured.bandwidth.is_empty() {
        only.push("HA-DRAIN-TIME");
    }
    let report = check(facts, &CheckOptions { profile, only, ..CheckOptions::default() });
    match format {
        ReportFormat::Json => {
            let mut value = serde_json::to_value(&report).map_err(|e| miette::miette!("{e}"))?;
            if let Some(obj) = value.as_object_mut() {
                obj.insert("measurements".into(), serde_json::json!({ "network": measured }));
                // Every cell of the matrix, failing or not, beside the probes.
                if let Some((_, cells)) = &matrix {
                    obj.insert("cells".into(), serde_json::to_value(cells).map_err(|e| miette::miette!("{e}"))?);
                }
            }
            println!("{}", serde_json::to_string_pretty(&value).map_err(|e| miette::miette!("{e}"))?);
        }
        ReportFormat::Text => {
            if let Some((m, _)) = matrix {
                print!("{m}");
            } else {
                print!("{}", kubev_ha_report::net::probe_table(&measured.probes, output::width(), verbose));
            }
            print!("{}", kubev_ha_report::net::measurements_text(measured, output::width(), verbose));
            for b in &measured.bandwidth {
                println!(
                    "bandwidth {} → {}: {:.2} Gbit/s over {} stream(s), RTT {}",
                    b.from,
                    b.to,
                    b.total_bps / 1e9,
                    b.streams,
                    b.rtt_ms.map_or("?".into(), |r| format!("{r:.2} ms"))
                );
            }
            print!(
                "{}",
                text::render(
                    &report,
                    title,
                    TextOptions { color: output::stdout_color(color), verbose, quiet: !verbose }
                )
            );
        }
    }
    Ok(if report.failed(false) { Outcome::RequirementFailed } else { Outcome::Ok })
}

fn matrix_cmd(args: MatrixArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = load(&args.file, max_input)?;
    let inventory = loaded.inventory.clone();
    let binary = std::env::current_exe()
        .and_then(std::fs::read)
        .map_err(|e| miette::miette!("cannot read this program to send it to the nodes: {e}"))?;
    let ssh = SshOptions {
        timeout: args.timeout.as_duration(),
        parallel: args.parallel.max(1),
        config: args.ssh_config.clone(),
        options: args.ssh_option.clone(),
        sudo: args.sudo,
        remote_dir: args.remote_dir.clone(),
        ..SshOptions::default()
    };
    let options = MatrixOptions {
        probe_timeout: args.probe_timeout.as_duration(),
        responder_ttl: (args.timeout.as_duration() * 4).max(Duration::from_secs(120)),
        bandwidth: args.bandwidth.then(|| args.bandwidth_duration.as_duration()),
        dns_port: args.dns_port,
    };
    let bar = ProgressBar::new(inventory.nodes.len() as u64 * 2);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let shown = bar.clone();
    let measured =
        runtime()?.block_on(run_matrix(&inventory, &loaded.source_text, &ssh, binary, &options, move |p| match p {
            Progress::Phase(what) => shown.set_message(what),
            Progress::Step => shown.inc(1),
        }));
    bar.finish_and_clear();
    for note in measured.notes.iter().filter(|n| n.starts_with("bandwidth ")) {
        eprintln!("kubev-ha: {note}");
    }

    let nodes: Vec<String> = inventory.nodes.iter().map(|n| n.name.clone()).collect();
    let cells = matrix_cells(&inventory, &measured);
    let matrix = kubev_ha_report::net::matrix_text(&nodes, &measured, &cells, args.verbose);
    let mut facts = Facts::from(loaded);
    facts.measurements.network = Some(measured.clone());
    let shown = Shown { format: args.format, profile: args.profile, color, verbose: args.verbose };
    judge_and_print(&facts, &measured, shown, "net matrix", Some((matrix, cells)))
}

fn bandwidth_cmd(args: BandwidthArgs) -> miette::Result<Outcome> {
    let runtime = runtime()?;
    let addr = runtime.block_on(kubev_ha_net::bandwidth::sink_address(&args.to, BANDWIDTH_PORT))?;
    let result = runtime.block_on(kubev_ha_net::bandwidth::measure(
        addr,
        args.streams.max(1),
        args.duration.as_duration().max(Duration::from_secs(1)),
    ))?;
    let b = Bandwidth {
        from: hostname(),
        to: args.to.clone(),
        streams: args.streams.max(1),
        total_bps: result.total_bps,
        per_stream_bps: result.per_stream_bps.clone(),
        rtt_ms: result.rtt_ms,
        seconds: result.seconds,
    };
    match args.format {
        ReportFormat::Json => println!("{}", serde_json::to_string(&b).map_err(|e| miette::miette!("{e}"))?),
        ReportFormat::Text => {
            println!("to {} ({}), {} stream(s), {:.1} s:", args.to, addr, b.streams, b.seconds);
            for (i, s) in b.per_stream_bps.iter().enumerate() {
                println!("  stream {}: {:.3} Gbit/s", i + 1, s / 1e9);
            }
            println!("  total:    {:.3} Gbit/s", b.total_bps / 1e9);
            println!(
                "  round trip (TCP handshake, median of 5): {}",
                b.rtt_ms.map_or("unknown".into(), |r| format!("{r:.3} ms"))
            );
        }
    }
    Ok(Outcome::Ok)
}
