//! The port responder of `kubev-ha net serve`: it listens on every port of
//! the matrix a node's roles need that is free, says who it is on each
//! connection, and stops by itself.
//!
//! It is built to be left running on a production host for minutes:
//! - it executes nothing and interprets nothing: TCP peers get one identity
//!   line and at most 64 bytes are read (and ignored) before closing; UDP
//!   datagrams get an answer only when they start with the probe prefix,
//!   and the answer is no larger than the probe or a fixed 512 bytes
//!   ([`wire::ANSWER_MAX`], room for any node name), so any reflection is
//!   small and bounded;
//! - at most `max_conns` connections are served at once, fewer when the
//!   open-file limit leaves less room; beyond that new connections are
//!   closed at once, so a flood cannot grow its memory;
//! - an accept error (out of descriptors) backs off for 50 ms instead of
//!   spinning on the error;
//! - every connection has a short deadline, and the whole responder ends
//!   at its TTL (or when asked to stop).
//!
//! The bandwidth sink (opt-in) is the one exception to "reads nothing": it
//! reads and discards a stream for a bounded time, and reports the count.
//! Each of its streams holds half a MiB of buffers, so it has its own small
//! cap ([`SINK_MAX_CONNS`]): a flood of sink connections holds at most
//! 32 MiB, not `max_conns` times that.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kubev_ha_model::{Listened, Protocol, ServeReport, ServeStats, Taken};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Notify, Semaphore};

use crate::wire;

/// Streams the bandwidth sink serves at once (`net bandwidth --streams`
/// rarely needs more than a handful).
pub(crate) const SINK_MAX_CONNS: usize = 64;

/// Descriptors kept free for everything but connections: the listeners
/// themselves, /proc reads, the runtime's own, stdio.
const FD_RESERVE: u64 = 64;

/// How long to wait after a failed accept (EMFILE, ENFILE, ENOBUFS) before
/// trying again: the error persists until a connection closes, and
/// retrying at once only spins a core.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What a responder listens on, as whom, and for how long.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The name to answer with (the node's inventory name).
    pub node: String,
    /// (port, protocol, component) to listen on.
    pub ports: Vec<(u16, Protocol, &'static str)>,
    /// The address every port is bound on (`0.0.0.0` for all of IPv4).
    pub bind: IpAddr,
    /// The responder ends after this long.
    pub ttl: Duration,
    /// Connections served at once; more are closed immediately.
    pub max_conns: usize,
    /// A port for the bandwidth sink, when bandwidth will be measured.
    pub bandwidth_port: Option<u16>,
}

/// Raises the soft open-file limit to the hard one: every port and every
/// connection is a descriptor. Returns the soft limit now in force.
pub(crate) fn raise_fd_limit() -> Option<u64> {
    // SAFETY: getrlimit/setrlimit on a local struct.
    unsafe {
        let mut r: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 {
            return None;
        }
        if r.rlim_cur < r.rlim_max {
            let wanted = libc::rlimit { rlim_cur: r.rlim_max, rlim_max: r.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) == 0 {
                r = wanted;
            }
        }
        Some(r.rlim_cur as u64)
    }
}

/// Connections to serve at once: what was asked for, but no more than the
/// open-file limit leaves after the listeners, the sink's streams and a
/// reserve, so that running out of descriptors refuses connections
/// cleanly instead of failing accepts. At least one.
pub(crate) fn connection_cap(requested: usize, nofile: Option<u64>, listeners: usize) -> usize {
    let Some(limit) = nofile else { return requested.max(1) };
    let used = listeners as u64 + SINK_MAX_CONNS as u64 + FD_RESERVE;
    let room = usize::try_from(limit.saturating_sub(used)).unwrap_or(usize::MAX);
    requested.min(room).max(1)
}

/// Every IP address of this host's interfaces, loopback excluded.
pub(crate) fn local_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs allocates a list we walk read-only and free once.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return out;
        }
        let mut cur = head;
        while !cur.is_null() {
            let addr = (*cur).ifa_addr;
            if !addr.is_null() {
                match i32::from((*addr).sa_family) {
                    libc::AF_INET => {
                        let sin = &*(addr as *const libc::sockaddr_in);
                        out.push(IpAddr::V4(std::net::Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))));
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*(addr as *const libc::sockaddr_in6);
                        out.push(IpAddr::V6(std::net::Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
                    }
                    _ => {}
                }
            }
            cur = (*cur).ifa_next;
        }
        libc::freeifaddrs(head);
    }
    out.retain(|ip| !ip.is_loopback());
    out.sort();
    out.dedup();
    out
}

/// Binds every port it can. Returns the report to show before serving
/// (what listens, which ports are taken and by which process, this host's
/// addresses, and the connection cap the open-file limit allows) and the
/// TCP listeners, UDP sockets and bandwidth sink, each with its port,
/// ready for [`serve`]. A port that is taken is reported, not an error.
/// The soft open-file limit of this process is raised to the hard one
/// first.
pub async fn bind(
    options: &ServeOptions,
) -> (ServeReport, Vec<(TcpListener, u16)>, Vec<(UdpSocket, u16)>, Option<TcpListener>) {
    let nofile = raise_fd_limit();
    let mut report = ServeReport { node: options.node.clone(), addresses: local_addresses(), ..ServeReport::default() };
    let mut tcp = Vec::new();
    let mut udp = Vec::new();
    for &(port, protocol, component) in &options.ports {
        let addr = SocketAddr::new(options.bind, port);
        let result = match protocol {
            Protocol::Tcp => TcpListener::bind(addr).await.map(|l| tcp.push((l, port))),
            Protocol::Udp => UdpSocket::bind(addr).await.map(|s| udp.push((s, port))),
            // No port to bind; the matrix's serving list never holds it.
            Protocol::Vrrp => continue,
        };
        match result {
            Ok(()) => report.listening.push(Listened { port, protocol, component: component.to_string() }),
            Err(e) => report.taken.push(Taken {
                port,
                protocol,
                component: component.to_string(),
                holder: crate::holders::holder_of(options.bind, port, protocol),
                error: e.to_string(),
            }),
        }
    }
    let sink = match options.bandwidth_port {
        Some(port) => match TcpListener::bind(SocketAddr::new(options.bind, port)).await {
            Ok(l) => {
                report.bandwidth_port = Some(port);
                Some(l)
            }
            Err(e) => {
                report.taken.push(Taken {
                    port,
                    protocol: Protocol::Tcp,
                    component: "bandwidth sink".into(),
                    holder: crate::holders::holder_of(options.bind, port, Protocol::Tcp),
                    error: e.to_string(),
                });
                None
            }
        },
        None => None,
    };
    report.max_conns = connection_cap(options.max_conns, nofile, tcp.len() + udp.len() + usize::from(sink.is_some()));
    (report, tcp, udp, sink)
}

/// Serves until the TTL or `stop`, then returns what it did. At most
/// `max_conns` (as [`bind`] capped it in its report) connections at once.
pub async fn serve(
    options: &ServeOptions,
    max_conns: usize,
    tcp: Vec<(TcpListener, u16)>,
    udp: Vec<(UdpSocket, u16)>,
    sink: Option<TcpListener>,
    stop: Arc<Notify>,
) -> ServeStats {
    let permits = Arc::new(Semaphore::new(max_conns.max(1)));
    let stats = Arc::new(std::sync::Mutex::new(ServeStats::default()));
    let node: Arc<str> = options.node.clone().into();
    let mut tasks = tokio::task::JoinSet::new();
    for (listener, port) in tcp {
        let (permits, stats, node) = (permits.clone(), stats.clone(), node.clone());
        tasks.spawn(async move {
            loop {
                let (stream, permit) = accept_within(&listener, &permits, &stats).await;
                if let Ok(mut s) = stats.lock() {
                    s.connections += 1;
                }
                let node = node.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(5), greet(stream, &node, port)).await;
                    drop(permit);
                });
            }
        });
    }
    for (socket, port) in udp {
        let (stats, node) = (stats.clone(), node.clone());
        tasks.spawn(async move {
            // Large enough for a jumbo-frame datagram (path MTU probes).
            let mut buf = vec![0u8; 65_536];
            loop {
                let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                };
                if n < wire::PROBE_PREFIX.len() || &buf[..wire::PROBE_PREFIX.len()] != wire::PROBE_PREFIX {
                    continue;
                }
                let Some(answer) = wire::udp_reply(&node, port, n) else { continue };
                if socket.send_to(answer.as_bytes(), peer).await.is_ok()
                    && let Ok(mut s) = stats.lock()
                {
                    s.datagrams_answered += 1;
                }
            }
        });
    }
    if let Some(listener) = sink {
        // Its own permits: sink streams are the expensive ones.
        let sink_permits = Arc::new(Semaphore::new(SINK_MAX_CONNS.min(max_conns.max(1))));
        let stats = stats.clone();
        tasks.spawn(async move {
            loop {
                let (stream, permit) = accept_within(&listener, &sink_permits, &stats).await;
                let stats = stats.clone();
                tokio::spawn(async move {
                    let bytes = sink_stream(stream).await;
                    if let Ok(mut s) = stats.lock() {
                        s.bandwidth_bytes += bytes;
                    }
                    drop(permit);
                });
            }
        });
    }
    tokio::select! {
        _ = tokio::time::sleep(options.ttl) => {}
        _ = stop.notified() => {}
    }
    tasks.abort_all();
    stats.lock().map(|s| s.clone()).unwrap_or_default()
}

/// The next connection that fits under `permits`. One over the limit is
/// closed at once (and counted) rather than queued; an accept error
/// (EMFILE, say) backs off instead of spinning.
async fn accept_within(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
    stats: &std::sync::Mutex<ServeStats>,
) -> (TcpStream, tokio::sync::OwnedSemaphorePermit) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(ACCEPT_BACKOFF).await;
            continue;
        };
        match permits.clone().try_acquire_owned() {
            Ok(permit) => return (stream, permit),
            Err(_) => {
                if let Ok(mut s) = stats.lock() {
                    s.refused_over_limit += 1;
                }
                drop(stream);
            }
        }
    }
}

/// One identity line, then at most 64 bytes read and ignored.
async fn greet(mut stream: TcpStream, node: &str, port: u16) {
    let _ = stream.set_nodelay(true);
    if stream.write_all(wire::identity_line(node, "tcp", port).as_bytes()).await.is_err() {
        return;
    }
    let mut probe = [0u8; 64];
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut probe)).await;
    let _ = stream.shutdown().await;
}

/// The bandwidth sink: header, then discard for at most the announced
/// time plus a margin (never more than two minutes), then report.
async fn sink_stream(stream: TcpStream) -> u64 {
    let mut reader = BufReader::with_capacity(256 * 1024, stream);
    let mut header = String::new();
    let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut header)).await else { return 0 };
    let Some(seconds) = wire::parse_bandwidth_header(&header) else { return 0 };
    let limit = Duration::from_secs(seconds.min(110) + 10);
    let start = Instant::now();
    let mut total = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    let mut first: Option<Instant> = None;
    loop {
        let left = limit.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, reader.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => {
                first.get_or_insert_with(Instant::now);
                total += n as u64;
            }
        }
    }
    let elapsed = first.map_or(0.0, |f| f.elapsed().as_secs_f64());
    let mut stream = reader.into_inner();
    let _ = stream.write_all(wire::bandwidth_report(total, elapsed).as_bytes()).await;
    let _ = stream.shutdown().await;
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_cap_leaves_room_for_listeners_and_the_sink() {
        assert_eq!(connection_cap(1024, None, 30), 1024, "no limit known: as asked");
        assert_eq!(connection_cap(1024, Some(1_048_576), 30), 1024);
        // 1024 descriptors, 30 listeners, 64 sink streams, 64 kept back.
        assert_eq!(connection_cap(4096, Some(1024), 30), 1024 - 30 - 64 - 64);
        assert_eq!(connection_cap(4096, Some(100), 30), 1, "never zero");
        assert_eq!(connection_cap(0, Some(1024), 30), 1);
    }

    #[tokio::test]
    async fn the_sink_closes_streams_over_its_own_cap_at_once() {
        let sink = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = sink.local_addr().unwrap();
        let options = ServeOptions {
            node: "s".into(),
            ports: vec![],
            bind: addr.ip(),
            ttl: Duration::from_secs(30),
            max_conns: 1024,
            bandwidth_port: Some(addr.port()),
        };
        let stop = Arc::new(Notify::new());
        let server = {
            let stop = stop.clone();
            tokio::spawn(async move { serve(&options, 1024, vec![], vec![], Some(sink), stop).await })
        };
        // More streams than the sink's cap, none sending its header: the
        // first SINK_MAX_CONNS wait for it (5 s), the rest are closed.
        let extra = 6;
        let mut streams = Vec::new();
        for _ in 0..SINK_MAX_CONNS + extra {
            streams.push(TcpStream::connect(addr).await.unwrap());
        }
        // A closed stream reads EOF (or a reset) at once; a held one is
        // still waiting when the 1.5 s look ends (the sink waits 5 s for a
        // header). All streams are watched at once, within that window.
        let watches: Vec<_> = streams
            .into_iter()
            .map(|mut s| {
                tokio::spawn(async move {
                    let mut b = [0u8; 1];
                    let closed = matches!(
                        tokio::time::timeout(Duration::from_millis(1500), s.read(&mut b)).await,
                        Ok(Ok(0)) | Ok(Err(_))
                    );
                    (closed, s)
                })
            })
            .collect();
        let mut closed = 0;
        let mut held = Vec::new();
        for w in watches {
            let (c, s) = w.await.unwrap();
            closed += usize::from(c);
            held.push(s);
        }
        stop.notify_one();
        let stats = server.await.unwrap();
        assert_eq!(closed, extra, "only the streams over the cap are closed");
        assert_eq!(stats.refused_over_limit, extra as u64);
    }
}
