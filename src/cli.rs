//! The command line, as clap reads it. Help text teaches: every command
//! says what it reads, what it prints and what its exit code means.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kubev_ha_model::Profile;
use kubev_ha_rules::WaiverSpec;

const EXIT_CODES: &str = "Exit codes: 0 no requirement failed, 1 at least one failed, 2 the tool could not do its job (bad input, usage, I/O).";

#[derive(Debug, Parser)]
#[command(
    name = "kubev-ha",
    version,
    about = "Plan, check and verify Kubermatic Virtualization (Kube-V) high-availability deployments",
    long_about = "kubev-ha turns the requirements of Kube-V's \"High-Availability Deployment\" page into checks.\n\n\
Facts come from an inventory file (or Kube-V's own KubeVCluster manifest); the same rule catalog judges them \
and the same renderers print the findings.\n\n\
Start with:\n  kubev-ha check examples/ha-reference.yaml\n  kubev-ha rules\n  kubev-ha schema > inventory.schema.json",
    after_help = EXIT_CODES,
)]
pub struct Cli {
    /// When to colour the output: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge a declared inventory (or KubeVCluster manifest) against the requirement catalog.
    #[command(
        long_about = "Judge a declared inventory (kind: Inventory) or a Kube-V installer manifest (kind: KubeVCluster) \
against every rule of the catalog and print the findings, grouped by area.\n\n\
Facts the file does not give (CPU, memory, VT-x, disks and NIC speeds of a KubeVCluster manifest, say) \
come out unknown: never as a pass. Measurements (fsync latency, port reachability, host facts) are unknown \
until the commands that measure them have run.",
        after_help = "Examples:\n  kubev-ha check examples/ha-reference.yaml\n  kubev-ha check lab.yaml --profile minimum\n  kubev-ha check cluster.yaml --format json | jq '.summary'\n  kubev-ha check cluster.yaml --waive 'CP-SPREAD=two rooms only until Q3' --waive W-CPU:node/w-3\n\n\
Exit codes: 0 no requirement failed, 1 at least one failed (with --strict also a warn or unknown), 2 the tool could not do its job (bad input, usage, I/O)."
    )]
    Check(CheckArgs),

    /// List the requirement catalog, or explain one rule.
    #[command(
        after_help = "Examples:\n  kubev-ha rules\n  kubev-ha rules CP-SPREAD\n  kubev-ha rules --ports\n  kubev-ha rules --format markdown > docs/rules.md"
    )]
    Rules(RulesArgs),

    /// Print the inventory's JSON Schema (for editor completion and validation).
    #[command(
        after_help = "Example, for the YAML language server:\n  kubev-ha schema > inventory.schema.json\n  # then at the top of an inventory:\n  # yaml-language-server: $schema=./inventory.schema.json"
    )]
    Schema,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Grouped, readable; coloured on a terminal.
    Text,
    /// One JSON object (docs/report-format.md).
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The inventory or KubeVCluster manifest (YAML or JSON); `-` reads standard input.
    pub file: PathBuf,

    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Judge with this profile instead of the file's own (production or minimum).
    #[arg(long, value_parser = parse_profile)]
    pub profile: Option<Profile>,

    /// Also fail (exit 1) on warn and unknown findings.
    #[arg(long)]
    pub strict: bool,

    /// Accept a finding: RULE, RULE:SUBJECT (node/cp-1 or just cp-1), with an optional =REASON that stays in the report. Repeatable.
    #[arg(long, value_name = "RULE[:SUBJECT][=REASON]", value_parser = parse_waiver)]
    pub waive: Vec<WaiverSpec>,

    /// Show the requirement's source text for every rule, not only failing ones.
    #[arg(long, short)]
    pub verbose: bool,

    /// Hide passing findings (they still count in the summary).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Text,
    Json,
    /// The Markdown of docs/rules.md.
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A rule ID to explain at length (e.g. CP-SPREAD).
    pub rule: Option<String>,

    /// Show the port matrix instead of the rules.
    #[arg(long, conflicts_with = "rule")]
    pub ports: bool,

    #[arg(long, value_enum, default_value_t = CatalogFormat::Text)]
    pub format: CatalogFormat,
}

fn parse_profile(text: &str) -> Result<Profile, String> {
    text.parse()
}

fn parse_waiver(text: &str) -> Result<WaiverSpec, String> {
    text.parse()
}
