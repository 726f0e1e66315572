//! Progress bars on standard error, one constructor per kind. indicatif
//! draws nothing when standard error is not a terminal, so piped and
//! captured runs (and the tests) see no bar.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// How often a spinner turns while nothing else moves the bar.
const TICK: Duration = Duration::from_millis(120);

/// Bytes done of `total`, after `label` (the `disk` test's writes).
pub fn bytes(total: u64, label: &str) -> ProgressBar {
    bar(total, "{spinner} {prefix} {bar:30} {bytes}/{total_bytes} [{elapsed}]", label)
}

/// Steps done of `total`, after `label`, then the latest message (nodes
/// probed, matrix steps); the spinner turns between steps.
pub fn count(total: u64, label: &str) -> ProgressBar {
    let bar = bar(total, "{spinner} {prefix} {pos}/{len} [{elapsed}] {msg}", label);
    bar.enable_steady_tick(TICK);
    bar
}

fn bar(total: u64, template: &str, label: &str) -> ProgressBar {
    // A template is a constant, but one indicatif would not take must cost
    // the bar its looks, not the run.
    let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    let bar = ProgressBar::new(total).with_style(style);
    bar.set_prefix(label.to_string());
    bar
}

/// The bar of `kubev-ha audit`: request families done of all, and the
/// objects read so far with the resource last read.
pub struct ClusterRead {
    bar: ProgressBar,
    objects: std::sync::atomic::AtomicUsize,
}

impl ClusterRead {
    /// A bar that waits for the reader to say how many reads there are.
    pub fn new() -> Self {
        ClusterRead { bar: count(0, "reading the cluster"), objects: std::sync::atomic::AtomicUsize::new(0) }
    }

    /// Removes the bar, before the report prints.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl kubev_ha_cluster::ReadProgress for ClusterRead {
    fn started(&self, reads: usize) {
        self.bar.set_length(reads as u64);
    }

    fn page(&self, read: &kubev_ha_spec::ApiRead, objects: usize) {
        let total = self.objects.fetch_add(objects, std::sync::atomic::Ordering::Relaxed) + objects;
        self.bar.set_message(format!("{total} objects · {}", read.qualified()));
    }

    fn finished(&self, _: &kubev_ha_spec::ApiRead) {
        self.bar.inc(1);
    }
}
