//! What etcd's write-ahead log needs from a disk, measured the way etcd's
//! documentation and fio's well-known etcd test do
//! (`fio --rw=write --ioengine=sync --fdatasync=1 --size=22m --bs=2300`):
//! sequential 2300-byte writes, each followed by fdatasync, into a file
//! laid out beforehand (fio lays out its file first, and etcd preallocates
//! its WAL segments), and the latency of every fdatasync recorded in an
//! HDR histogram.
//!
//! The file lives under the given directory and is removed afterwards,
//! also when the run is interrupted. The writes run on their own thread so
//! that a disk that stops answering cannot hold the caller past its
//! deadline.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use kubev_ha_model::FsyncStats;

/// fio's etcd test: 22 MiB in 2300-byte writes (the size of a typical WAL entry).
pub const DEFAULT_SIZE: u64 = 22 << 20;
/// The write size of fio's etcd test, in bytes.
pub const DEFAULT_BLOCK: usize = 2300;

/// What to measure and how.
#[derive(Debug, Clone)]
pub struct DiskOptions {
    /// The directory the test file is written in: one on the disk etcd's WAL would use.
    pub dir: PathBuf,
    /// Bytes to write in total.
    pub size: u64,
    /// Bytes per write (each followed by fdatasync).
    pub block: usize,
    /// The whole run stops here, even if a write never returns.
    pub deadline: Duration,
}

/// Why a run could not measure.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DiskError {
    /// Creating, writing or removing the test file failed.
    #[error("{}", dir.display())]
    Io {
        /// The directory of the test file.
        dir: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file system has too little room for the test file.
    #[error("{} has {free} bytes free; the test needs {needed} (the file plus a margin)", dir.display())]
    #[diagnostic(help("give a directory on the same disk with more room, or a smaller --size"))]
    NoSpace {
        /// The directory of the test file.
        dir: PathBuf,
        /// Bytes free for an unprivileged writer.
        free: u64,
        /// Bytes the run needs.
        needed: u64,
    },
    /// The run would make fewer than [`MIN_WRITES`] writes, too few for a p99.
    #[error(
        "--size {size} makes only {writes} write(s) of {block} bytes; a p99 needs at least {MIN_WRITES} \
         (--size {} or more; fio's etcd test writes 22Mi)",
        MIN_WRITES * *block as u64
    )]
    TooSmall {
        /// Bytes asked for.
        size: u64,
        /// Bytes per write.
        block: usize,
        /// Writes that makes.
        writes: u64,
    },
    /// The caller's stop flag (Ctrl-C in `kubev-ha disk`) ended the run; the test file was removed.
    #[error("interrupted after {writes} writes; the test file was removed")]
    Interrupted {
        /// Writes made before the interruption.
        writes: u64,
    },
    /// The run passed its deadline: a write or fdatasync never returned.
    #[error("a write or fdatasync did not return within {0:?}; the disk may be hung (the test file was removed)")]
    Deadline(Duration),
}

/// The fewest writes a run may make: the 99th percentile of fewer samples
/// is not the slowest 1 % of anything.
pub const MIN_WRITES: u64 = 100;

/// What a run measured.
#[derive(Debug, Clone)]
pub struct DiskResult {
    /// fdatasync latencies in nanoseconds.
    pub histogram: Histogram<u64>,
    /// Writes made, each followed by fdatasync.
    pub writes: u64,
    /// Bytes written.
    pub bytes: u64,
    /// How long the writes took, fdatasync included.
    pub elapsed: Duration,
    /// The test file, removed after the run.
    pub file: PathBuf,
}

impl DiskResult {
    /// Writes (each with its fdatasync) per second over the run.
    pub fn writes_per_second(&self) -> f64 {
        self.writes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The percentiles in milliseconds, with `source` saying what was measured.
    pub fn stats(&self, source: &str) -> FsyncStats {
        let ms = |q: f64| self.histogram.value_at_quantile(q) as f64 / 1e6;
        FsyncStats {
            p50_ms: ms(0.50),
            p90_ms: ms(0.90),
            p99_ms: ms(0.99),
            p999_ms: ms(0.999),
            max_ms: self.histogram.max() as f64 / 1e6,
            samples: self.histogram.len(),
            source: source.to_string(),
        }
    }
}

/// Free bytes for an unprivileged writer on the file system of `dir`.
pub(crate) fn free_space(dir: &Path) -> std::io::Result<u64> {
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    // SAFETY: statvfs only writes into the struct we pass; c is a valid C string.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((s.f_bavail as u64).saturating_mul(s.f_frsize as u64))
}

/// Removes the test file when dropped.
struct TestFile(PathBuf);

impl Drop for TestFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs the test. `stop` ends it early (Ctrl-C); `done` counts bytes
/// written so far, for a progress bar.
pub fn run(options: &DiskOptions, stop: Arc<AtomicBool>, done: Arc<AtomicU64>) -> Result<DiskResult, DiskError> {
    let io = |source| DiskError::Io { dir: options.dir.clone(), source };
    let writes = options.size / options.block.max(1) as u64;
    if writes < MIN_WRITES {
        return Err(DiskError::TooSmall { size: options.size, block: options.block, writes });
    }
    let margin = 64 << 20;
    let free = free_space(&options.dir).map_err(io)?;
    let needed = options.size.saturating_add(margin);
    if free < needed {
        return Err(DiskError::NoSpace { dir: options.dir.clone(), free, needed });
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let path = options.dir.join(format!(".kubev-ha-fsync-{}-{nanos}", std::process::id()));
    let file = OpenOptions::new().write(true).create_new(true).open(&path).map_err(io)?;
    let guard = TestFile(path.clone());

    let (tx, rx) = std::sync::mpsc::channel();
    let (size, block) = (options.size, options.block.max(1));
    let worker_stop = stop.clone();
    std::thread::Builder::new()
        .name("fsync-test".into())
        .spawn(move || {
            let _ = tx.send(write_loop(file, size, block, &worker_stop, &done));
        })
        .map_err(io)?;

    let result = match rx.recv_timeout(options.deadline) {
        Ok(r) => r.map_err(io),
        Err(_) => {
            stop.store(true, Ordering::Relaxed);
            Err(DiskError::Deadline(options.deadline))
        }
    };
    drop(guard);
    let (histogram, writes, elapsed) = result?;
    if stop.load(Ordering::Relaxed) {
        return Err(DiskError::Interrupted { writes });
    }
    Ok(DiskResult { histogram, writes, bytes: writes * block as u64, elapsed, file: path })
}

type Measured = (Histogram<u64>, u64, Duration);

fn write_loop(
    mut file: File,
    size: u64,
    block: usize,
    stop: &AtomicBool,
    done: &AtomicU64,
) -> std::io::Result<Measured> {
    // Lay the file out first, as fio does, so the writes overwrite
    // allocated blocks instead of growing the file.
    // SAFETY: posix_fallocate on an open descriptor we own.
    let rc = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, size as libc::off_t) };
    if rc != 0 && rc != libc::EOPNOTSUPP && rc != libc::EINVAL {
        return Err(std::io::Error::from_raw_os_error(rc));
    }
    file.sync_all()?;
    // 1 µs to 60 s with 3 significant digits.
    let mut histogram = Histogram::<u64>::new_with_bounds(1_000, 60_000_000_000, 3)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let buffer: Vec<u8> = (0..block).map(|i| (i % 251) as u8).collect();
    let writes = size / block as u64;
    let start = Instant::now();
    let mut written = 0;
    while written < writes {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        file.write_all(&buffer)?;
        let t = Instant::now();
        file.sync_data()?;
        let ns = t.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64;
        histogram.saturating_record(ns.max(1_000));
        written += 1;
        done.store(written * block as u64, Ordering::Relaxed);
    }
    Ok((histogram, written, start.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_and_removes_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let options =
            DiskOptions { dir: dir.path().into(), size: 200 * 2300, block: 2300, deadline: Duration::from_secs(120) };
        let r = run(&options, Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0))).unwrap();
        assert_eq!(r.writes, 200);
        assert_eq!(r.histogram.len(), 200);
        assert!(!r.file.exists(), "the test file must be removed");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let s = r.stats("test");
        assert!(s.p50_ms <= s.p99_ms && s.p99_ms <= s.max_ms);
    }

    #[test]
    fn refuses_a_size_too_small_for_a_p99() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1, 2300 * (MIN_WRITES - 1)] {
            let options = DiskOptions { dir: dir.path().into(), size, block: 2300, deadline: Duration::from_secs(5) };
            let e = run(&options, Default::default(), Default::default()).unwrap_err();
            assert!(matches!(e, DiskError::TooSmall { .. }), "{size}: {e}");
            assert!(e.to_string().contains("a p99 needs at least 100"), "{e}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
    }

    #[test]
    fn refuses_when_space_is_short() {
        let dir = tempfile::tempdir().unwrap();
        let options =
            DiskOptions { dir: dir.path().into(), size: u64::MAX / 2, block: 2300, deadline: Duration::from_secs(5) };
        let e = run(&options, Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0))).unwrap_err();
        assert!(matches!(e, DiskError::NoSpace { .. }), "{e}");
    }

    #[test]
    fn stops_when_asked_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let options =
            DiskOptions { dir: dir.path().into(), size: 1 << 20, block: 2300, deadline: Duration::from_secs(60) };
        let e = run(&options, Arc::new(AtomicBool::new(true)), Arc::new(AtomicU64::new(0))).unwrap_err();
        assert!(matches!(e, DiskError::Interrupted { writes: 0 }), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
