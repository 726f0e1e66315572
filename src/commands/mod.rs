//! One module per subcommand; each calls library code and prints.

mod audit;
mod check;
mod completions;
mod disk;
mod etcd;
mod evidence;
mod generate;
mod host;
mod net;
mod plan;
mod probe;
mod render;
mod rules;
mod schema;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Loads the file, or standard input for `-`, refusing more than
/// `max_input` bytes (`--max-input`) and input that is not text before
/// reading it all.
fn load(
    path: &std::path::Path,
    max_input: kubev_ha_model::ByteSize,
) -> miette::Result<kubev_ha_model::LoadedInventory> {
    Ok(kubev_ha_model::load_input(path, max_input)?)
}

/// An inventory to judge: loaded, then refused (exit 2, at the waiver's
/// line) when one of its waivers names no rule, since a waiver that
/// matches nothing would silently waive nothing.
fn load_to_judge(
    path: &std::path::Path,
    max_input: kubev_ha_model::ByteSize,
) -> miette::Result<kubev_ha_model::LoadedInventory> {
    let loaded = load(path, max_input)?;
    let problems = kubev_ha_rules::waiver_problems(&loaded.inventory);
    if !problems.is_empty() {
        return Err(loaded.input_error(problems).into());
    }
    Ok(loaded)
}

/// A node name the inventory does not have (`--from`, `--node`), with the
/// closest name as help, else the names there are.
fn unknown_node(inventory: &kubev_ha_model::Inventory, name: &str) -> miette::Report {
    let names = || inventory.nodes.iter().map(|n| n.name.as_str());
    let help = match kubev_ha_model::did_you_mean(name, names()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("the nodes are {}", names().collect::<Vec<_>>().join(", ")),
    };
    miette::miette!(help = help, "no node `{name}` in the inventory")
}

/// The SSH options `probe` and `net matrix` share, read one way: at least
/// one node at a time, and a deadline of at least a second (a zero
/// deadline would fail every node before ssh starts).
fn ssh_options(args: &crate::cli::SshArgs) -> kubev_ha_probe::SshOptions {
    kubev_ha_probe::SshOptions {
        timeout: args.timeout.as_duration().max(std::time::Duration::from_secs(1)),
        parallel: args.parallel.max(1),
        config: args.ssh_config.clone(),
        options: args.ssh_option.clone(),
        sudo: args.sudo,
        remote_dir: args.remote_dir.clone(),
        ..kubev_ha_probe::SshOptions::default()
    }
}

/// How a command ended when it did its job.
pub enum Outcome {
    /// Nothing failed.
    Ok,
    /// A requirement failed (exit 1).
    RequirementFailed,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Ok => ExitCode::SUCCESS,
            Outcome::RequirementFailed => ExitCode::from(1),
        }
    }
}

pub fn run(cli: Cli) -> miette::Result<Outcome> {
    match cli.command {
        Command::Audit(args) => audit::run(args, cli.color, cli.max_input),
        Command::Check(args) => check::run(args, cli.color, cli.max_input),
        Command::Plan(args) => plan::run(args, cli.color, cli.max_input),
        Command::Generate(args) => generate::run(args),
        Command::Host(args) => host::run(args, cli.color),
        Command::Disk(args) => disk::run(args, cli.color),
        Command::Etcd(args) => etcd::run(args, cli.color, cli.max_input),
        Command::Net(command) => net::run(command, cli.color, cli.max_input),
        Command::Render(command) => render::run(command, cli.max_input),
        Command::Probe(args) => probe::run(args, cli.color, cli.max_input),
        Command::Rules(args) => rules::run(args, cli.color),
        Command::Schema => schema::run(),
        Command::Completions(args) => completions::run(args),
        Command::Man => completions::man(),
    }
}

/// How a judging command ends: exit 1 when its findings fail (with
/// `--strict`, also on warn and unknown; with `--allow-unmeasured`, not on
/// unknowns awaiting a measurement), saying why when only `--strict` made
/// it fail.
fn outcome(report: &kubev_ha_rules::Report, strict: bool, allow_unmeasured: bool) -> Outcome {
    if let Some(note) = kubev_ha_report::strict_note(report, strict, allow_unmeasured) {
        eprintln!("kubev-ha: {note}");
    }
    if failed(report, strict, allow_unmeasured) { Outcome::RequirementFailed } else { Outcome::Ok }
}

/// The exit decision of a command with `--strict` and `--allow-unmeasured`.
fn failed(report: &kubev_ha_rules::Report, strict: bool, allow_unmeasured: bool) -> bool {
    if allow_unmeasured { report.failed_allowing_unmeasured() } else { report.failed(strict) }
}
