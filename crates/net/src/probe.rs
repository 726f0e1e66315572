//! Probing the ports a node must reach: each (node, port, protocol) with
//! its own deadline, many at once but a bounded number in flight.
//!
//! TCP: connected and greeted by our responder with the expected name is
//! open; greeted with another name is a wrong host (duplicate IP, NAT);
//! connected but not greeted is open by another service (after install,
//! the real component); refused is closed; no answer is filtered.
//! UDP: a probe datagram on a connected socket; an answer is open (or a
//! wrong host), ICMP port unreachable comes back as "refused" (closed),
//! silence is filtered.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kubev_ha_model::measure::{PortProbe, PortState};
use kubev_ha_rules::ports::{ProbeTarget, Protocol};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Semaphore;

use crate::wire;

#[derive(Debug, Clone, Copy)]
pub struct ProbeOptions {
    pub timeout: Duration,
    pub concurrency: usize,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions { timeout: Duration::from_secs(2), concurrency: 256 }
    }
}

fn address(target: &ProbeTarget) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let host = target.address.trim_start_matches('[').trim_end_matches(']');
    (host, target.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host} has no address"))
}

fn classify_io(e: &std::io::Error) -> (PortState, String) {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => (PortState::Closed, "refused".into()),
        HostUnreachable | NetworkUnreachable => (PortState::Unreachable, e.to_string()),
        TimedOut => (PortState::Filtered, "no answer".into()),
        _ if e.raw_os_error() == Some(libc::EHOSTUNREACH) || e.raw_os_error() == Some(libc::ENETUNREACH) => {
            (PortState::Unreachable, e.to_string())
        }
        _ => (PortState::Filtered, e.to_string()),
    }
}

fn verdict_from_identity(target: &ProbeTarget, text: &str) -> (PortState, String) {
    match wire::parse_identity(text) {
        Some(id) if id.node == target.node => (PortState::Open, format!("kubev-ha responder of {}", id.node)),
        Some(id) => (PortState::WrongHost, format!("{} answered instead of {}", id.node, target.node)),
        None => (PortState::OpenOther, "another service answered".into()),
    }
}

async fn probe_tcp(target: &ProbeTarget, addr: SocketAddr, timeout: Duration) -> (PortState, String, Option<f64>) {
    let start = Instant::now();
    let stream = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Err(_) => return (PortState::Filtered, format!("no answer within {} ms", timeout.as_millis()), None),
        Ok(Err(e)) => {
            let (state, detail) = classify_io(&e);
            return (state, detail, None);
        }
        Ok(Ok(s)) => s,
    };
    let rtt = start.elapsed().as_secs_f64() * 1000.0;
    let mut stream = stream;
    let mut buf = [0u8; wire::ANSWER_MAX];
    let left = timeout.saturating_sub(start.elapsed()).max(Duration::from_millis(300));
    let greeting = match tokio::time::timeout(left, stream.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => String::from_utf8_lossy(&buf[..n]).into_owned(),
        _ => String::new(),
    };
    let (state, detail) = verdict_from_identity(target, &greeting);
    (state, detail, Some(rtt))
}

async fn probe_udp(target: &ProbeTarget, addr: SocketAddr, timeout: Duration) -> (PortState, String, Option<f64>) {
    let local: SocketAddr =
        if addr.is_ipv6() { "[::]:0".parse().unwrap_or(addr) } else { "0.0.0.0:0".parse().unwrap_or(addr) };
    let socket = match UdpSocket::bind(local).await {
        Ok(s) => s,
        Err(e) => return (PortState::Filtered, format!("cannot open a UDP socket: {e}"), None),
    };
    // Connected, so ICMP port unreachable surfaces as ECONNREFUSED.
    if let Err(e) = socket.connect(addr).await {
        let (state, detail) = classify_io(&e);
        return (state, detail, None);
    }
    let mut datagram = wire::PROBE_PREFIX.to_vec();
    datagram.resize(64, b'.');
    let start = Instant::now();
    let mut buf = [0u8; wire::ANSWER_MAX];
    // Two tries within the deadline: one lost datagram is not a verdict.
    for attempt in 0..2u32 {
        if let Err(e) = socket.send(&datagram).await {
            let (state, detail) = classify_io(&e);
            return (state, detail, None);
        }
        let wait = timeout / 2;
        match tokio::time::timeout(wait, socket.recv(&mut buf)).await {
            Ok(Ok(n)) => {
                let rtt = start.elapsed().as_secs_f64() * 1000.0;
                let (state, detail) = verdict_from_identity(target, &String::from_utf8_lossy(&buf[..n]));
                return (state, detail, Some(rtt));
            }
            Ok(Err(e)) => {
                let (state, detail) = classify_io(&e);
                return (state, detail, None);
            }
            Err(_) if attempt == 1 => {}
            Err(_) => continue,
        }
    }
    (PortState::Filtered, format!("no answer within {} ms", timeout.as_millis()), None)
}

/// Probes one target.
pub async fn probe(from: &str, target: &ProbeTarget, timeout: Duration) -> PortProbe {
    let (state, detail, rtt_ms) = match address(target) {
        Err(e) => (PortState::Unreachable, e, None),
        Ok(addr) => match target.protocol {
            Protocol::Tcp => probe_tcp(target, addr, timeout).await,
            Protocol::Udp => probe_udp(target, addr, timeout).await,
        },
    };
    PortProbe {
        from: from.to_string(),
        to: target.node.clone(),
        address: target.address.clone(),
        port: target.port,
        protocol: target.protocol.to_string(),
        component: target.component.to_string(),
        state,
        detail,
        rtt_ms,
    }
}

/// Probes every target, `options.concurrency` at a time, in target order.
pub async fn probe_all(from: &str, targets: &[ProbeTarget], options: ProbeOptions) -> Vec<PortProbe> {
    crate::responder::raise_fd_limit();
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, target) in targets.iter().cloned().enumerate() {
        let (permits, from) = (permits.clone(), from.to_string());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (i, probe(&from, &target, options.timeout).await)
        });
    }
    let mut results: Vec<(usize, PortProbe)> = Vec::with_capacity(targets.len());
    while let Some(done) = tasks.join_next().await {
        if let Ok(r) = done {
            results.push(r);
        }
    }
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, p)| p).collect()
}
