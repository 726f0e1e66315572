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
//!
//! Silence is only ever proven by waiting, so how long to wait decides
//! the cost of a sweep. Like nmap, the wait adapts to the host: once a
//! host has answered any probe (connected, refused, echoed), a silent port
//! of that host is given [`ADAPTIVE_FACTOR`] times the slowest answer seen
//! from it, never less than [`ADAPTIVE_FLOOR`], and asked twice (one lost
//! SYN or datagram is not a verdict) before it is called filtered. A host
//! that has answered nothing gets the full `--timeout`. Either way no
//! probe waits past `--timeout`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kubev_ha_model::{PortProbe, PortState};
use kubev_ha_spec::{ProbeTarget, Protocol};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Semaphore;

use crate::wire;

/// How the port probes of one sweep are bounded.
#[derive(Debug, Clone, Copy)]
pub struct ProbeOptions {
    /// The longest any one probe waits for an answer (`--timeout`); a
    /// host that has answered before gets a shorter, adaptive wait.
    pub timeout: Duration,
    /// Probes in flight at once (0 is taken as 1).
    pub concurrency: usize,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions { timeout: Duration::from_secs(2), concurrency: 256 }
    }
}

/// A silent port waits this many times the host's slowest answer...
pub(crate) const ADAPTIVE_FACTOR: u32 = 10;
/// ...but never less than this (nmap's --min-rtt-timeout is 100 ms; a
/// loaded host's stack answers well within 250 ms).
pub(crate) const ADAPTIVE_FLOOR: Duration = Duration::from_millis(250);

/// The slowest answer seen from each address during one sweep.
#[derive(Debug, Default)]
pub(crate) struct AnswerTimes {
    slowest: Mutex<HashMap<IpAddr, Duration>>,
}

impl AnswerTimes {
    /// Notes that `addr` answered (a handshake, a reset, an echo, an ICMP
    /// error) after `elapsed`.
    pub(crate) fn answered(&self, addr: IpAddr, elapsed: Duration) {
        if let Ok(mut map) = self.slowest.lock() {
            let slot = map.entry(addr).or_default();
            *slot = (*slot).max(elapsed);
        }
    }

    /// How long a silent probe of `addr` waits per try: adaptive once the
    /// host has answered anything, else the whole deadline.
    pub(crate) fn wait_for(&self, addr: IpAddr, deadline: Duration) -> (Duration, bool) {
        let seen = self.slowest.lock().ok().and_then(|m| m.get(&addr).copied());
        match seen {
            Some(slowest) => ((slowest * ADAPTIVE_FACTOR).max(ADAPTIVE_FLOOR).min(deadline), true),
            None => (deadline, false),
        }
    }
}

/// Waits for `attempt` until it resolves, or until the host's adaptive
/// wait (re-read every few milliseconds, since answers from other ports
/// arrive meanwhile) or `deadline` has passed since `start`.
async fn within<F: std::future::Future>(
    times: &AnswerTimes,
    addr: IpAddr,
    start: Instant,
    deadline: Duration,
    attempt: F,
) -> Option<F::Output> {
    tokio::pin!(attempt);
    loop {
        let (wait, _) = times.wait_for(addr, deadline);
        let left = wait.saturating_sub(start.elapsed());
        if left.is_zero() {
            return None;
        }
        tokio::select! {
            out = &mut attempt => return Some(out),
            _ = tokio::time::sleep(left.min(Duration::from_millis(20))) => {}
        }
    }
}

/// The words for a port that never answered `tries` tries of at most
/// `per_try` each.
fn silence(times: &AnswerTimes, addr: IpAddr, per_try: Duration, tries: u32) -> String {
    match times.wait_for(addr, per_try) {
        (wait, true) if wait < per_try => format!(
            "no answer to {tries} tries of {} ms each (the host answers other ports; {ADAPTIVE_FACTOR}× its slowest answer)",
            wait.as_millis()
        ),
        _ if tries > 1 => format!("no answer to {tries} tries of {} ms each", per_try.as_millis()),
        _ => format!("no answer within {} ms", per_try.as_millis()),
    }
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

async fn probe_tcp(
    target: &ProbeTarget,
    addr: SocketAddr,
    timeout: Duration,
    times: &AnswerTimes,
) -> (PortState, String, Option<f64>) {
    let began = Instant::now();
    let mut tries = 0;
    let (stream, rtt) = loop {
        tries += 1;
        let start = Instant::now();
        let connect = TcpStream::connect(addr);
        // The second try gets what is left of the deadline at most.
        let budget = timeout.saturating_sub(began.elapsed());
        match within(times, addr.ip(), start, budget, connect).await {
            Some(Ok(s)) => {
                times.answered(addr.ip(), start.elapsed());
                break (s, start.elapsed().as_secs_f64() * 1000.0);
            }
            Some(Err(e)) => {
                let (state, detail) = classify_io(&e);
                if state == PortState::Closed {
                    times.answered(addr.ip(), start.elapsed());
                }
                return (state, detail, None);
            }
            None if tries < 2 && !budget.saturating_sub(start.elapsed()).is_zero() => continue,
            None => return (PortState::Filtered, silence(times, addr.ip(), timeout, tries), None),
        }
    };
    let mut stream = stream;
    let mut buf = [0u8; wire::ANSWER_MAX];
    // Our responder greets as soon as it accepts; a real component (an API
    // server waiting for a TLS hello) never does, so waiting the whole
    // deadline for a greeting would make every such port cost it.
    let (wait, _) = times.wait_for(addr.ip(), timeout);
    // The floor even past the deadline: a handshake made at its last
    // moment still gets to hear the greeting.
    let left = wait.min(timeout.saturating_sub(began.elapsed())).max(ADAPTIVE_FLOOR);
    let greeting = match tokio::time::timeout(left, stream.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => String::from_utf8_lossy(&buf[..n]).into_owned(),
        _ => String::new(),
    };
    let (state, detail) = verdict_from_identity(target, &greeting);
    (state, detail, Some(rtt))
}

async fn probe_udp(
    target: &ProbeTarget,
    addr: SocketAddr,
    timeout: Duration,
    times: &AnswerTimes,
) -> (PortState, String, Option<f64>) {
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
    // Each try waits half the deadline, or the host's adaptive wait.
    for attempt in 0..2u32 {
        let sent = Instant::now();
        if let Err(e) = socket.send(&datagram).await {
            let (state, detail) = classify_io(&e);
            return (state, detail, None);
        }
        match within(times, addr.ip(), sent, timeout / 2, socket.recv(&mut buf)).await {
            Some(Ok(n)) => {
                times.answered(addr.ip(), sent.elapsed());
                let rtt = start.elapsed().as_secs_f64() * 1000.0;
                let (state, detail) = verdict_from_identity(target, &String::from_utf8_lossy(&buf[..n]));
                return (state, detail, Some(rtt));
            }
            Some(Err(e)) => {
                let (state, detail) = classify_io(&e);
                if state == PortState::Closed {
                    times.answered(addr.ip(), sent.elapsed());
                }
                return (state, detail, None);
            }
            None if attempt == 1 => {}
            None => continue,
        }
    }
    (PortState::Filtered, silence(times, addr.ip(), timeout / 2, 2), None)
}

/// Probes one target; `times` is shared by the probes of one sweep.
/// Looking the address up counts against `timeout`, so a name server that
/// does not answer costs the probe's deadline and no more.
pub(crate) async fn probe(from: &str, target: &ProbeTarget, timeout: Duration, times: &AnswerTimes) -> PortProbe {
    let began = Instant::now();
    let resolved = crate::resolve::resolve(&target.address, target.port, timeout).await;
    let timeout = timeout.saturating_sub(began.elapsed());
    let (state, detail, rtt_ms) = match resolved {
        Err(e) => (PortState::Unreachable, kubev_ha_model::chain(&e), None),
        Ok(addr) => match target.protocol {
            Protocol::Tcp => probe_tcp(target, addr, timeout, times).await,
            Protocol::Udp => probe_udp(target, addr, timeout, times).await,
            // The matrix never makes a probe target of a protocol without
            // ports; should one come, it was not measured, so not open.
            Protocol::Vrrp => {
                (PortState::Unreachable, "IP protocol 112 (VRRP) has no port to connect to".to_string(), None)
            }
        },
    };
    port_probe(from, target, state, detail, rtt_ms)
}

fn port_probe(from: &str, target: &ProbeTarget, state: PortState, detail: String, rtt_ms: Option<f64>) -> PortProbe {
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
pub(crate) async fn probe_all(from: &str, targets: &[ProbeTarget], options: ProbeOptions) -> Vec<PortProbe> {
    crate::responder::raise_fd_limit();
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let times = Arc::new(AnswerTimes::default());
    let tasks: Vec<_> = targets
        .iter()
        .cloned()
        .map(|target| {
            let (permits, from, times) = (permits.clone(), from.to_string(), times.clone());
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                probe(&from, &target, options.timeout, &times).await
            })
        })
        .collect();
    // The tasks run side by side; waiting for them in target order keeps
    // the order of the matrix.
    let mut results = Vec::with_capacity(targets.len());
    for (target, task) in targets.iter().zip(tasks) {
        results.push(joined(from, target, task.await));
    }
    results
}

/// The result of the task that probed `target`. A task that panicked
/// leaves a probe that proves nothing (unreachable, with the panic's
/// message), never a target silently missing from the matrix.
fn joined(from: &str, target: &ProbeTarget, result: Result<PortProbe, tokio::task::JoinError>) -> PortProbe {
    result.unwrap_or_else(|e| {
        port_probe(from, target, PortState::Unreachable, kubev_ha_probe::task_failure("the probe task", e), None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(port: u16) -> ProbeTarget {
        ProbeTarget {
            node: "here".into(),
            address: "127.0.0.1".into(),
            port,
            protocol: Protocol::Tcp,
            component: "test",
        }
    }

    #[tokio::test]
    async fn a_silent_port_of_a_host_that_answers_elsewhere_waits_adaptively() {
        // An open port (the kernel completes the handshake; nobody greets).
        let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        // A port whose accept queue is full: Linux drops further SYNs, which
        // is what a firewall's drop looks like from outside.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let silent = socket.listen(0).unwrap();
        let silent_port = silent.local_addr().unwrap().port();
        let mut fillers = Vec::new();
        for _ in 0..4 {
            let connect = TcpStream::connect(("127.0.0.1", silent_port));
            if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_millis(300), connect).await {
                fillers.push(s);
            }
        }

        let times = AnswerTimes::default();
        let deadline = Duration::from_secs(30);
        let first = probe("t", &target(open.local_addr().unwrap().port()), deadline, &times).await;
        assert_eq!(first.state, PortState::OpenOther, "{first:?}");
        assert!(first.rtt_ms.is_some());

        let started = Instant::now();
        let second = probe("t", &target(silent_port), deadline, &times).await;
        assert_eq!(second.state, PortState::Filtered, "{second:?}");
        assert!(second.detail.contains("2 tries") && second.detail.contains("answers other ports"), "{second:?}");
        // Whatever the machine's speed, the adaptive wait is well inside
        // the 30 s deadline; this only proves the deadline was not used.
        assert!(started.elapsed() < deadline / 2);
        drop((fillers, silent, open));
    }

    #[tokio::test]
    async fn a_panicked_probe_task_is_a_failed_probe_not_a_missing_one() {
        let panicked = tokio::spawn(async { panic!("unexpected answer") }).await;
        let probe = joined("t", &target(6443), panicked);
        assert_eq!((probe.to.as_str(), probe.port), ("here", 6443));
        assert_eq!(probe.state, PortState::Unreachable);
        assert!(!probe.state.is_open());
        assert_eq!(probe.detail, "internal error: the probe task panicked: unexpected answer");
        let fine = port_probe("t", &target(1), PortState::Closed, "refused".into(), None);
        assert_eq!(joined("t", &target(1), Ok(fine.clone())), fine);
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_is_an_unreachable_probe() {
        // Resolved locally (a NUL byte never reaches a name server).
        let mut unresolvable = target(6443);
        unresolvable.address = "no\0such-node".into();
        let probe = probe("t", &unresolvable, Duration::from_secs(5), &AnswerTimes::default()).await;
        assert_eq!(probe.state, PortState::Unreachable, "{probe:?}");
        assert!(probe.detail.starts_with("cannot resolve no\0such-node: "), "{probe:?}");
    }

    #[tokio::test]
    async fn a_host_that_never_answered_gets_the_whole_deadline() {
        let times = AnswerTimes::default();
        let addr: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(times.wait_for(addr, Duration::from_secs(2)), (Duration::from_secs(2), false));
        times.answered(addr, Duration::from_micros(80));
        assert_eq!(times.wait_for(addr, Duration::from_secs(2)), (ADAPTIVE_FLOOR, true));
        times.answered(addr, Duration::from_millis(90));
        assert_eq!(times.wait_for(addr, Duration::from_secs(2)), (Duration::from_millis(900), true));
        times.answered(addr, Duration::from_millis(500));
        assert_eq!(
            times.wait_for(addr, Duration::from_secs(2)),
            (Duration::from_secs(2), true),
            "capped by the deadline"
        );
    }
}
