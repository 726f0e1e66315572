//! How bad a finding is.

use std::fmt;

use serde::Serialize;

/// The verdict of one rule on one subject. `Unknown` means a fact was
/// missing: it is never shown, counted or exited on as a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Pass,
    Info,
    Warn,
    Unknown,
    Fail,
}

impl Severity {
    pub const ALL: [Severity; 5] = [Severity::Pass, Severity::Info, Severity::Warn, Severity::Fail, Severity::Unknown];

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
