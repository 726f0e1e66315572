//! The kubev-ha requirement catalog and the engine that applies it.
//!
//! Facts → rules → findings: [`check`] runs every [`Rule`] of [`CATALOG`]
//! over a [`Facts`](kubev_ha_model::Facts) and returns a [`Report`]. Rules
//! are pure functions; the thresholds they use live in [`Thresholds`], one
//! table per profile; the port matrix is data in the `kubev-ha-spec` crate.
//!
//! The public API is what this root re-exports; the modules are private so
//! they can move without breaking a caller.

#![warn(missing_docs, unreachable_pub)]

mod catalog;
mod engine;
mod finding;
mod judge;
mod plural;
mod quorum;
mod rules;
mod severity;
mod thresholds;

pub use catalog::{AUDIT_RULES, Area, CATALOG, FactSource, Rule, Scope, audit_rules, rule};
pub use engine::{
    CheckOptions, Report, Summary, UnknownRule, WaiverSpec, check, check_and_simulate, check_with_plan, waiver_problems,
};
pub use finding::{AppliedWaiver, Evidence, Finding, Subject, WaiverOrigin};
pub use severity::Severity;
pub use thresholds::{AcceptedKernels, DriftTolerance, Floor, Thresholds};
