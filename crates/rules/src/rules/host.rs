//! HOST-* rules: facts only a probe of the host can give.

use crate::finding::{Finding, Subject};
use crate::judge::Judge;

/// Until a probe has read the hosts, every host rule is unknown.
pub fn not_probed(j: &Judge) -> Vec<Finding> {
    vec![j.unknown(
        Subject::Cluster,
        "hosts not probed",
        format!("run `kubev-ha probe {}` (over SSH) or `kubev-ha host` on each node", j.facts.source_name),
    )]
}
