//! `kubev-ha net serve|check|matrix|bandwidth`.

use std::sync::Arc;
use std::time::Duration;

use kubev_ha_model::Bandwidth;
use kubev_ha_model::Facts;
use kubev_ha_net::{
    CheckOptions as NetOptions, MatrixOptions, ProbeOptions, Progress, ServeOptions, bind, check_from, run_matrix,
    serve,
};
use kubev_ha_report::{
    BandwidthEvidence, CommandReport, Design, Evidence, Format, MatrixEvidence, NetworkEvidence, RenderOptions,
    ServeEvidence,
};
use kubev_ha_rules::{CheckOptions, check};
use kubev_ha_spec::{Features, listening_for, matrix_cells};
use tokio::sync::Notify;

use super::Outcome;
use crate::cli::{BandwidthArgs, ColorChoice, JudgeArgs, MatrixArgs, NetCheckArgs, NetCommand, SaveArgs, ServeArgs};
use crate::runtime::runtime;
use crate::{output, progress, this_binary};

/// The rules the network checks feed.
const NET_RULES: [&str; 4] = ["NET-PORTS", "NET-MTU", "NET-DNS", "NET-NODELOCAL-DNS"];

pub fn run(command: NetCommand, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    match command {
        NetCommand::Serve(args) => serve_cmd(args),
        NetCommand::Check(args) => check_cmd(args, color, max_input),
        NetCommand::Matrix(args) => matrix_cmd(args, color, max_input),
        NetCommand::Bandwidth(args) => bandwidth_cmd(args),
    }
}

/// This machine's name in a report when no `--name` is given.
fn hostname() -> String {
    kubev_ha_probe::hostname(&kubev_ha_probe::Root::new("/")).unwrap_or_else(|| kubev_ha_model::THIS_HOST.into())
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
        let serving = ServeEvidence { report: report.clone(), ttl: options.ttl, max_conns_asked: options.max_conns };
        let format = if args.json { Format::Json } else { Format::Text };
        output::print(
            &CommandReport::measured("net serve", Evidence::Serving(serving)),
            format,
            &RenderOptions::default(),
        );
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
        eprintln!("{}", kubev_ha_report::serve_stopped_text(&stats));
    });
    Ok(Outcome::Ok)
}

fn check_cmd(args: NetCheckArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = super::load_to_judge(&args.file, max_input)?;
    if loaded.inventory.node(&args.from).is_none() {
        return Err(super::unknown_node(&loaded.inventory, &args.from));
    }
    let options = NetOptions {
        probe: ProbeOptions { timeout: args.timeout.as_duration(), concurrency: args.concurrency },
        skip_mtu: args.no_mtu,
        dns_port: args.dns_port,
        ..NetOptions::default()
    };
    let measured = runtime()?.block_on(check_from(&loaded.inventory, &args.from, options));
    if args.measurements_only {
        let shown = CommandReport::measured("net check", Evidence::Network(NetworkEvidence { measured, matrix: None }));
        output::print(&shown, Format::Json, &RenderOptions::default());
        return Ok(Outcome::Ok);
    }
    let mut facts = Facts::from(loaded);
    facts.measurements.network = Some(measured.clone());
    let shown = Shown { judge: args.judge, color, verbose: args.verbose, save: args.save, output: args.output.output };
    judge_and_print(&facts, NetworkEvidence { measured, matrix: None }, shown, "net check")
}

/// How the judged measurements are printed.
struct Shown {
    judge: JudgeArgs,
    color: ColorChoice,
    /// Every probe and answer, and the passing findings.
    verbose: bool,
    /// Where `--save` writes the evidence.
    save: SaveArgs,
    /// Where `--output` writes the report.
    output: Option<std::path::PathBuf>,
}

fn judge_and_print(facts: &Facts, evidence: NetworkEvidence, shown: Shown, title: &str) -> miette::Result<Outcome> {
    let Shown { judge, color, verbose, save, output } = shown;
    let save = &save;
    let mut only: Vec<&'static str> = NET_RULES.to_vec();
    if !evidence.measured.bandwidth.is_empty() {
        only.push("HA-DRAIN-TIME");
    }
    let report = check(
        facts,
        &CheckOptions { profile: judge.profile, waivers: judge.waive.clone(), only, ..CheckOptions::default() },
    );
    let options = RenderOptions {
        color: output::stdout_color(color),
        verbose,
        quiet: !verbose,
        width: output::width(),
        ..RenderOptions::default()
    };
    let nodes = evidence.measured.from.clone();
    super::evidence::save(save, Some(&facts.inventory), nodes, || kubev_ha_model::Measured::Network {
        measurements: evidence.measured.clone(),
        matrix: evidence
            .matrix
            .as_ref()
            .map(|m| kubev_ha_model::MatrixCells { nodes: m.nodes.clone(), cells: m.cells.clone() }),
    })?;
    let design = Design { inventory: facts.inventory.clone(), source: facts.source_name.clone(), plan: None };
    output::emit(
        &CommandReport::judged(title, report.clone(), Evidence::Network(evidence)).with_design(design),
        judge.format,
        output.as_deref(),
        &options,
    )?;
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}

fn matrix_cmd(args: MatrixArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = super::load_to_judge(&args.file, max_input)?;
    let inventory = loaded.inventory.clone();
    let binary = this_binary::read()?;
    let ssh = super::ssh_options(&args.ssh);
    let options = MatrixOptions {
        probe_timeout: args.probe_timeout.as_duration(),
        responder_ttl: (args.ssh.timeout.as_duration() * 4).max(Duration::from_secs(120)),
        bandwidth: args.bandwidth.then(|| args.bandwidth_duration.as_duration()),
        dns_port: args.dns_port,
    };
    let bar = progress::count(inventory.nodes.len() as u64 * 2, "");
    let shown = bar.clone();
    let measured =
        runtime()?.block_on(run_matrix(&inventory, &loaded.source_text, &ssh, binary, &options, move |p| match p {
            Progress::Phase(what) => shown.set_prefix(what),
            Progress::Step => shown.inc(1),
        }));
    bar.finish_and_clear();
    for note in measured.notes.iter().filter(|n| n.starts_with("bandwidth ")) {
        eprintln!("kubev-ha: {note}");
    }

    let nodes: Vec<String> = inventory.nodes.iter().map(|n| n.name.clone()).collect();
    let cells = matrix_cells(&inventory, &measured);
    let mut facts = Facts::from(loaded);
    facts.measurements.network = Some(measured.clone());
    let shown = Shown { judge: args.judge, color, verbose: args.verbose, save: args.save, output: args.output.output };
    let evidence = NetworkEvidence { measured, matrix: Some(MatrixEvidence { nodes, cells }) };
    judge_and_print(&facts, evidence, shown, "net matrix")
}

fn bandwidth_cmd(args: BandwidthArgs) -> miette::Result<Outcome> {
    let runtime = runtime()?;
    let addr = runtime.block_on(kubev_ha_net::sink_address(&args.to, kubev_ha_net::BANDWIDTH_PORT))?;
    let result = runtime.block_on(kubev_ha_net::measure(
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
    let shown =
        CommandReport::measured("net bandwidth", Evidence::Bandwidth(BandwidthEvidence { measured: b, address: addr }));
    output::print(&shown, output::measure_format(args.format), &RenderOptions::default());
    Ok(Outcome::Ok)
}
