//! The kubev-ha requirement catalog and the engine that applies it.
//!
//! Facts → rules → findings: [`check`] runs every [`Rule`] of [`CATALOG`]
//! over a [`Facts`](kubev_ha_model::Facts) and returns a [`Report`]. Rules
//! are pure functions; the thresholds they use live in [`thresholds`], one
//! table per profile; the port matrix is data in the `kubev-ha-spec` crate.

pub mod catalog;
pub mod engine;
pub mod finding;
pub mod judge;
pub mod quorum;
mod rules;
pub mod severity;
pub mod thresholds;

pub use catalog::{Area, CATALOG, FactSource, Rule, Scope, rule};
pub use engine::{
    CheckOptions, Report, Summary, UnknownRule, WaiverSpec, check, check_rule_id, check_with_plan, waiver_problems,
};
pub use finding::{AppliedWaiver, Evidence, Finding, Subject, WaiverOrigin};
pub use rules::control_plane::member_on;
pub use severity::Severity;
pub use thresholds::Thresholds;
