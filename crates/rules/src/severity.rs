//! How bad a finding is.

use std::fmt;

use serde::Serialize;

/// The verdict of one rule on one subject. `Unknown` means a fact was
/// missing: it is never shown, counted or exited on as a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The requirement is met, and the facts that show it were seen.
    Pass,
    /// Worth knowing, not a problem: never fails a run, even with `--strict`.
    Info,
    /// Below the recommendation but not the hard floor; fails only with
    /// `--strict`.
    Warn,
    /// A fact the rule needs is missing, so it could not judge. Fails with
    /// `--strict` (unless `--allow-unmeasured` and the finding awaits a
    /// measurement).
    Unknown,
    /// The requirement is not met: the run exits 1.
    Fail,
}

impl Severity {
    /// The lower-case word reports print and JSON carries (`"pass"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Pass => "pass",
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Unknown => "unknown",
            Severity::Fail => "fail",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
