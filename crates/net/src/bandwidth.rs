//! TCP throughput to a responder's bandwidth sink, one or more streams at
//! once, and the round-trip time of a TCP handshake.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::resolve::{ResolveError, resolve};
use crate::wire;

/// How long a stream may take to connect, and the receiver to take in one
/// write; a name lookup of the sink gets the same.
const STEP_DEADLINE: Duration = Duration::from_secs(5);
/// How long the receiver may take to report what it counted.
const REPORT_DEADLINE: Duration = Duration::from_secs(10);

/// Why a bandwidth run measured nothing.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BandwidthError {
    /// The sink's address is not of a form [`sink_address`] reads.
    #[error("`{0}` is not HOST, HOST:PORT or [IPv6]:PORT")]
    Target(String),
    /// The sink's name did not resolve (in time).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Resolve(#[from] ResolveError),
    #[error("{addr}")]
    #[diagnostic(help("is `kubev-ha net serve --bandwidth-port PORT` running there?"))]
    /// A stream could not connect: refused, or unreachable.
    Connect {
        /// The sink's address.
        addr: SocketAddr,
        /// Why the connection failed.
        #[source]
        source: std::io::Error,
    },
    #[error("{addr}: no answer within {} s", STEP_DEADLINE.as_secs())]
    #[diagnostic(help("is `kubev-ha net serve --bandwidth-port PORT` running there?"))]
    /// A stream's connection was not answered within the step deadline
    /// (5 s): silence, as from a firewall that drops.
    ConnectTimeout {
        /// The sink's address.
        addr: SocketAddr,
    },
    /// Writing the stream failed (the sink closed it, or the link went).
    #[error(transparent)]
    Send(std::io::Error),
    /// One write took longer than the step deadline: the receiver holds
    /// the connection open but does not read.
    #[error("the receiver stopped reading for {} s", STEP_DEADLINE.as_secs())]
    Stalled,
    /// The sink sent no byte count within its deadline (10 s) after the
    /// stream ended.
    #[error("no report from the receiver")]
    NoReport,
    /// Reading the sink's byte count failed.
    #[error(transparent)]
    Report(std::io::Error),
    /// The peer answered, but not with a sink's report: some other
    /// service holds the port. The line is what it sent.
    #[error("unexpected report `{0}`")]
    #[diagnostic(help("is `kubev-ha net serve --bandwidth-port PORT` running there?"))]
    Unexpected(String),
    /// A stream's task panicked or was cancelled: a bug, reported instead
    /// of a number.
    #[error("internal error: a bandwidth stream panicked: {0}")]
    Panicked(String),
}

/// The address of the sink `to` names: `HOST`, `HOST:PORT`, an IPv6
/// address, or one in brackets with a port (`[fd00::1]:5201`); without a
/// port, `default_port`. The lookup of a name has a deadline.
pub async fn sink_address(to: &str, default_port: u16) -> Result<SocketAddr, BandwidthError> {
    let (host, port) = host_and_port(to, default_port).ok_or_else(|| BandwidthError::Target(to.to_string()))?;
    Ok(resolve(host, port, STEP_DEADLINE).await?)
}

fn host_and_port(to: &str, default_port: u16) -> Option<(&str, u16)> {
    let to = to.trim();
    if let Some(rest) = to.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after {
            "" => Some((host, default_port)),
            _ => Some((host, after.strip_prefix(':')?.parse().ok()?)),
        };
    }
    match to.split_once(':') {
        // One colon: HOST:PORT. More: an IPv6 address without a port.
        Some((host, port)) if !port.contains(':') => Some((host, port.parse().ok()?)),
        _ if to.is_empty() => None,
        _ => Some((to, default_port)),
    }
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Throughput {
    /// Bits per second of each stream, as the receiver counted them.
    pub per_stream_bps: Vec<f64>,
    /// Bits per second of all streams together (the sum of the above).
    pub total_bps: f64,
    /// The median TCP handshake time to the sink in milliseconds, over 5
    /// connections before the run; `None` when none of them connected.
    pub rtt_ms: Option<f64>,
    /// Wall-clock seconds from the first stream's start to the last
    /// report.
    pub seconds: f64,
}

async fn one_stream(addr: SocketAddr, duration: Duration) -> Result<(u64, f64), BandwidthError> {
    let mut stream = tokio::time::timeout(STEP_DEADLINE, TcpStream::connect(addr))
        .await
        .map_err(|_| BandwidthError::ConnectTimeout { addr })?
        .map_err(|source| BandwidthError::Connect { addr, source })?;
    stream
        .write_all(wire::bandwidth_header(duration.as_secs().max(1)).as_bytes())
        .await
        .map_err(BandwidthError::Send)?;
    // 1 MiB writes: on a fast link the sender's system calls, not the
    // path, bound a 128 KiB writer (iperf3's default) on a busy host, and
    // this measures the path. BENCHMARKS.md compares both sizes.
    let chunk = vec![0x5au8; 1024 * 1024];
    let end = Instant::now() + duration;
    while Instant::now() < end {
        match tokio::time::timeout(STEP_DEADLINE, stream.write_all(&chunk)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(BandwidthError::Send(e)),
            Err(_) => return Err(BandwidthError::Stalled),
        }
    }
    stream.shutdown().await.map_err(BandwidthError::Send)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    tokio::time::timeout(REPORT_DEADLINE, reader.read_line(&mut line))
        .await
        .map_err(|_| BandwidthError::NoReport)?
        .map_err(BandwidthError::Report)?;
    wire::parse_bandwidth_report(&line).ok_or_else(|| BandwidthError::Unexpected(line.trim().to_string()))
}

/// The median TCP handshake time to `addr` over `tries` connections.
pub(crate) async fn handshake_rtt(addr: SocketAddr, tries: usize) -> Option<f64> {
    let mut times = Vec::new();
    for _ in 0..tries {
        let start = Instant::now();
        if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied()
}

/// Sends `streams` streams for `duration` to the sink at `addr`.
pub async fn measure(addr: SocketAddr, streams: u32, duration: Duration) -> Result<Throughput, BandwidthError> {
    let rtt_ms = handshake_rtt(addr, 5).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..streams.max(1)).map(|_| tokio::spawn(one_stream(addr, duration))).collect();
    let mut per_stream_bps = Vec::new();
    for t in tasks {
        let (bytes, seconds) = t.await.map_err(|e| match e.try_into_panic() {
            Ok(payload) => BandwidthError::Panicked(kubev_ha_model::panic_message(payload.as_ref())),
            Err(e) => BandwidthError::Panicked(e.to_string()),
        })??;
        per_stream_bps.push(if seconds > 0.0 { bytes as f64 * 8.0 / seconds } else { 0.0 });
    }
    Ok(Throughput {
        total_bps: per_stream_bps.iter().sum(),
        per_stream_bps,
        rtt_ms,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sink_is_read_with_or_without_a_port() {
        assert_eq!(host_and_port("10.0.0.21", 5201), Some(("10.0.0.21", 5201)));
        assert_eq!(host_and_port("10.0.0.21:7000", 5201), Some(("10.0.0.21", 7000)));
        assert_eq!(host_and_port("worker-1", 5201), Some(("worker-1", 5201)));
        assert_eq!(host_and_port("worker-1:7000", 5201), Some(("worker-1", 7000)));
        assert_eq!(host_and_port("fd00::21", 5201), Some(("fd00::21", 5201)));
        assert_eq!(host_and_port("[fd00::21]", 5201), Some(("fd00::21", 5201)));
        assert_eq!(host_and_port("[fd00::21]:7000", 5201), Some(("fd00::21", 7000)));
        // A port that is no port is refused, not replaced by the default.
        assert_eq!(host_and_port("worker-1:http", 5201), None);
        assert_eq!(host_and_port("[fd00::21]7000", 5201), None);
        assert_eq!(host_and_port("", 5201), None);
    }

    #[tokio::test]
    async fn a_sink_that_does_not_resolve_is_an_error_not_a_hang() {
        // Refused locally: a NUL byte never reaches a name server.
        let e = sink_address("no\0such-worker", 5201).await.unwrap_err();
        assert!(matches!(e, BandwidthError::Resolve(ResolveError::Lookup { .. })), "{e:?}");
        assert_eq!(sink_address("[fd00::21]:7000", 5201).await.unwrap(), "[fd00::21]:7000".parse().unwrap());
    }
}
