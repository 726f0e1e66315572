//! `kubev-ha disk`: the fdatasync latencies and how the test went.

use kubev_ha_model::ByteSize;
use kubev_ha_model::FsyncStats;
use serde::Serialize;

/// How one fdatasync test ran: where, with which writes, how fast.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskRun {
    /// The directory the test file was written in.
    pub directory: String,
    /// Bytes per write, each followed by an fdatasync.
    pub block_size: u64,
    /// How many writes (each one fdatasync) the test made.
    pub writes: u64,
    /// Bytes written in all, `writes` × `block_size`.
    pub bytes_written: u64,
    /// Wall-clock seconds the writes took, fdatasyncs included.
    pub seconds: f64,
    /// `writes` / `seconds`: the fdatasyncs a second this disk sustains.
    pub writes_per_second: f64,
}

/// The percentiles and the run, three lines for people.
pub(crate) fn result_text(stats: &FsyncStats, run: &DiskRun) -> String {
    format!(
        "fdatasync after each {}-byte write, in {}:\n  p50 {:.3} ms   p90 {:.3} ms   p99 {:.3} ms   p99.9 {:.3} ms   max {:.3} ms\n  {} writes, {} written in {:.2} s ({:.0} writes/s)\n",
        run.block_size,
        run.directory,
        stats.p50_ms,
        stats.p90_ms,
        stats.p99_ms,
        stats.p999_ms,
        stats.max_ms,
        run.writes,
        ByteSize::bytes(run.bytes_written).human(),
        run.seconds,
        run.writes_per_second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_result_shows_percentiles_and_the_run() {
        let stats = FsyncStats {
            p50_ms: 1.0,
            p90_ms: 2.0,
            p99_ms: 8.25,
            p999_ms: 9.5,
            max_ms: 12.0,
            samples: 100,
            source: "kubev-ha disk /d".into(),
        };
        let run = DiskRun {
            directory: "/d".into(),
            block_size: 2300,
            writes: 100,
            bytes_written: 230_000,
            seconds: 0.5,
            writes_per_second: 200.0,
        };
        let text = result_text(&stats, &run);
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "fdatasync after each 2300-byte write, in /d:",
                "  p50 1.000 ms   p90 2.000 ms   p99 8.250 ms   p99.9 9.500 ms   max 12.000 ms",
                &format!("  100 writes, {} written in 0.50 s (200 writes/s)", ByteSize::bytes(230_000).human()),
            ]
        );
    }
}
