//! One module per subcommand; each calls library code and prints.

mod check;
mod disk;
mod etcd;
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
    }
}

/// With `--strict`, a report with no failed requirement still exits 1 on
/// a warn or an unknown; say so, since its summary line says "no
/// requirement failed".
fn say_why_strict_failed(report: &kubev_ha_rules::Report, strict: bool) {
    if strict && report.failed(true) && !report.failed(false) {
        eprintln!(
            "kubev-ha: --strict: exit 1 for {} warn and {} unknown finding(s)",
            report.summary.warn, report.summary.unknown
        );
    }
}
