//! Renderers: reports and the catalog as text for people, JSON for
//! machines and Markdown for the docs. They take data and return strings;
//! deciding where output goes and whether it is a terminal is the caller's.
//! Every command's output is one [`CommandReport`] rendered by [`render`].
//!
//! The public API is what this root re-exports; the modules are private.
//! - The one report interface: [`CommandReport`], its [`Evidence`] and the
//!   evidence structs, [`render`] in a [`Format`] with [`RenderOptions`].
//! - The catalog of `kubev-ha rules`: [`rules_table`], [`rule_explanation`],
//!   [`rules_json`], [`rules_markdown`] (docs/rules.md) and the port matrix
//!   as [`ports_table`], [`ports_json`] and [`ports_markdown`].
//! - The firewall input of `kubev-ha render`: [`nftables`] and
//!   [`firewalld`] with [`FirewallOptions`], and the checks that refuse an
//!   inventory they cannot render ([`firewall_address_problems`]).
//! - The audit's evidence ([`AuditEvidence`], [`ResourceRead`]) and the
//!   manifests of `kubev-ha render rbac` and `render audit-cronjob`:
//!   [`rbac`] with [`RbacOptions`], [`audit_cronjob`] with [`CronJobOptions`].
//! - Small helpers the binary prints with: [`pretty_json`] and
//!   [`serve_stopped_text`].

#![warn(missing_docs, unreachable_pub)]

mod audit;
mod bandwidth;
mod catalog;
mod command;
mod disk;
mod etcd;
mod evidence;
mod firewall;
mod host;
mod html;
mod json;
mod junit;
mod manifests;
mod markdown;
mod net;
mod plan;
mod sarif;
mod serve;
mod style;
mod text;

pub use audit::{AuditEvidence, ResourceRead};
pub use catalog::{
    ports_json, ports_markdown, ports_table, rule_explanation, rule_json, rules_json, rules_markdown, rules_table,
};
pub use command::{
    BandwidthEvidence, CommandReport, Design, DiskEvidence, Evidence, EvidencePiece, Format, MatrixEvidence,
    MergedEvidence, NetworkEvidence, PlanEvidence, RenderOptions, ServeEvidence, render,
};
pub use disk::DiskRun;
pub use firewall::{FirewallOptions, address_problems as firewall_address_problems, firewalld, nftables};
pub use json::pretty as pretty_json;
pub use manifests::{CronJobOptions, RbacOptions, audit_cronjob, rbac};
pub use serve::stopped_text as serve_stopped_text;
pub use text::strict_note;
