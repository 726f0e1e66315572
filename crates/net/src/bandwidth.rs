//! TCP throughput to a responder's bandwidth sink, one or more streams at
//! once, and the round-trip time of a TCP handshake.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::wire;

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Throughput {
    /// Bits per second of each stream, as the receiver counted them.
    pub per_stream_bps: Vec<f64>,
    pub total_bps: f64,
    pub rtt_ms: Option<f64>,
    pub seconds: f64,
}

async fn one_stream(addr: SocketAddr, duration: Duration) -> Result<(u64, f64), String> {
    let mut stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
        .await
        .map_err(|_| format!("{addr}: no answer within 5 s"))?
        .map_err(|e| format!("{addr}: {e}"))?;
    stream.write_all(wire::bandwidth_header(duration.as_secs().max(1)).as_bytes()).await.map_err(|e| e.to_string())?;
    // 1 MiB writes: on a fast link the sender's system calls, not the
    // path, bound a 128 KiB writer (iperf3's default) on a busy host, and
    // this measures the path. BENCHMARKS.md compares both sizes.
    let chunk = vec![0x5au8; 1024 * 1024];
    let end = Instant::now() + duration;
    while Instant::now() < end {
        match tokio::time::timeout(Duration::from_secs(5), stream.write_all(&chunk)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("the receiver stopped reading for 5 s".into()),
        }
    }
    stream.shutdown().await.map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut line))
        .await
        .map_err(|_| "no report from the receiver".to_string())?
        .map_err(|e| e.to_string())?;
    wire::parse_bandwidth_report(&line).ok_or_else(|| format!("unexpected report `{}`", line.trim()))
}

/// The median TCP handshake time to `addr` over `tries` connections.
pub async fn handshake_rtt(addr: SocketAddr, tries: usize) -> Option<f64> {
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
pub async fn measure(addr: SocketAddr, streams: u32, duration: Duration) -> Result<Throughput, String> {
    let rtt_ms = handshake_rtt(addr, 5).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..streams.max(1)).map(|_| tokio::spawn(one_stream(addr, duration))).collect();
    let mut per_stream_bps = Vec::new();
    for t in tasks {
        let (bytes, seconds) = t.await.map_err(|e| e.to_string())??;
        per_stream_bps.push(if seconds > 0.0 { bytes as f64 * 8.0 / seconds } else { 0.0 });
    }
    Ok(Throughput {
        total_bps: per_stream_bps.iter().sum(),
        per_stream_bps,
        rtt_ms,
        seconds: started.elapsed().as_secs_f64(),
    })
}
