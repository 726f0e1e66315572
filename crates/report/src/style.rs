//! Colour for terminals, nothing when piped: the caller decides, this
//! module only paints.

use anstyle::{AnsiColor, Style};
use kubev_ha_rules::Severity;

/// Paints text with ANSI styles when enabled, returns it unchanged when not.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paint {
    enabled: bool,
}

impl Paint {
    pub(crate) fn new(enabled: bool) -> Self {
        Paint { enabled }
    }

    fn apply(&self, style: Style, text: &str) -> String {
        if self.enabled { format!("{style}{text}{style:#}") } else { text.to_string() }
    }

    pub(crate) fn bold(&self, text: &str) -> String {
        self.apply(Style::new().bold(), text)
    }

    pub(crate) fn dim(&self, text: &str) -> String {
        self.apply(Style::new().dimmed(), text)
    }

    pub(crate) fn heading(&self, text: &str) -> String {
        self.apply(Style::new().bold().underline(), text)
    }

    pub(crate) fn waived(&self, text: &str) -> String {
        self.apply(AnsiColor::Cyan.on_default(), text)
    }

    pub(crate) fn severity(&self, severity: Severity, text: &str) -> String {
        let style = match severity {
            Severity::Pass => AnsiColor::Green.on_default(),
            Severity::Info => AnsiColor::Blue.on_default(),
            Severity::Warn => AnsiColor::Yellow.on_default().bold(),
            Severity::Fail => AnsiColor::Red.on_default().bold(),
            Severity::Unknown => AnsiColor::Magenta.on_default(),
        };
        self.apply(style, text)
    }
}
