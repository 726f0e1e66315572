//! `kubev-ha completions SHELL` and `kubev-ha man`: both generated from
//! the one clap definition, so they cannot drift from the options.

use std::io::Write;

use clap::CommandFactory;
use miette::IntoDiagnostic;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: CompletionsArgs) -> miette::Result<Outcome> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "kubev-ha", &mut out);
    std::io::stdout().lock().write_all(&out).into_diagnostic()?;
    Ok(Outcome::Ok)
}

/// One page for the whole tool: clap_mangen's page of the top command,
/// then each subcommand's (and `net`'s and `render`'s own) as sections.
pub fn man() -> miette::Result<Outcome> {
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out).into_diagnostic()?;
    for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
        render_subcommand(&mut out, sub, "kubev-ha")?;
    }
    std::io::stdout().lock().write_all(&out).into_diagnostic()?;
    Ok(Outcome::Ok)
}

fn render_subcommand(out: &mut Vec<u8>, command: &clap::Command, parent: &str) -> miette::Result<()> {
    let name = format!("{parent} {}", command.get_name());
    writeln!(out, ".SH \"{}\"", name.to_uppercase()).into_diagnostic()?;
    let man = clap_mangen::Man::new(command.clone().name(name.clone()));
    man.render_synopsis_section(out).into_diagnostic()?;
    man.render_description_section(out).into_diagnostic()?;
    man.render_options_section(out).into_diagnostic()?;
    if command.get_after_help().is_some() || command.get_after_long_help().is_some() {
        man.render_extra_section(out).into_diagnostic()?;
    }
    for sub in command.get_subcommands().filter(|c| !c.is_hide_set() && c.get_name() != "help") {
        render_subcommand(out, sub, &name)?;
    }
    Ok(())
}
