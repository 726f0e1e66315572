//! Name resolution from a node, two ways, because they answer different
//! questions.
//!
//! The system resolver (getaddrinfo) says what the node's programs get:
//! kubelet and etcd resolve names through it, /etc/hosts included. But an
//! answer from /etc/hosts says nothing about the DNS servers: a node whose
//! declared servers are down still resolves every name listed there. So
//! [`check_name`] also says where its answer came from ([`HostsFile`]), and
//! [`ask_server`] asks each declared server itself: a real DNS query (type
//! A, or AAAA for an IPv6 address) over UDP, again over TCP when the UDP
//! answer is truncated (RFC 7766 §5), within one deadline per server and
//! name. The node's resolv.conf search domains and `ndots` are applied as
//! its resolver would, so a short node name is looked up as the node's
//! programs look it up. Messages are built and parsed by hickory-proto.
//!
//! Also here: whether the NodeLocal DNSCache address is bound on the node.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use kubev_ha_model::{AnswerSource, DnsCheck, DnsOutcome, DnsServerAnswer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// The port DNS servers listen on (RFC 1035 §4.2).
pub(crate) const DNS_PORT: u16 = 53;

/// A UDP answer without EDNS is at most 512 bytes (RFC 1035 §4.2.1); the
/// buffer is larger so an oversized answer is read whole and parsed.
const UDP_BUFFER: usize = 4096;

/// Resolves `name` with the system resolver, within `timeout`, and says
/// whether `hosts` (the node's /etc/hosts) is where the answer came from.
pub(crate) async fn check_name(
    from: &str,
    name: &str,
    expected: &str,
    timeout: Duration,
    hosts: &HostsFile,
) -> DnsCheck {
    let lookup = tokio::net::lookup_host((name, 0));
    let (resolved, matches, detail) = match tokio::time::timeout(timeout, lookup).await {
        Err(_) => (vec![], None, format!("no answer within {} ms", timeout.as_millis())),
        Ok(Err(e)) => (vec![], Some(false), format!("does not resolve: {e}")),
        Ok(Ok(addrs)) => {
            let mut ips: Vec<String> = addrs.map(|a: SocketAddr| a.ip().to_string()).collect();
            ips.sort();
            ips.dedup();
            let ok = match expected.parse::<IpAddr>() {
                Ok(ip) => ips.contains(&ip.to_string()),
                Err(_) => !ips.is_empty(),
            };
            let detail = if ok {
                format!("resolves to {}", ips.join(", "))
            } else {
                format!("resolves to {}, not {expected}", ips.join(", "))
            };
            (ips, Some(ok), detail)
        }
    };
    let source = (!resolved.is_empty()).then(|| hosts.source_of(name, &resolved));
    DnsCheck { from: from.into(), name: name.into(), expected: expected.into(), resolved, matches, detail, source }
}

/// Asks the DNS server at `server` for `name` directly, as the node's
/// resolver would (search domains of `resolv`), within `timeout` overall.
pub(crate) async fn ask_server(
    from: &str,
    server: SocketAddr,
    name: &str,
    expected: &str,
    resolv: &ResolvConf,
    timeout: Duration,
) -> DnsServerAnswer {
    let expected_ip = expected.parse::<IpAddr>().ok();
    let record_type = if expected_ip.is_some_and(|ip| ip.is_ipv6()) { RecordType::AAAA } else { RecordType::A };
    let deadline = Instant::now() + timeout;
    let mut answer = DnsServerAnswer {
        from: from.into(),
        server: server.to_string(),
        name: name.into(),
        queried: String::new(),
        expected: expected.into(),
        outcome: DnsOutcome::Invalid,
        addresses: vec![],
        transport: "udp".into(),
        rtt_ms: None,
        matches: None,
        detail: String::new(),
    };
    let candidates = resolv.candidates(name);
    let mut not_found = Vec::new();
    for fqdn in &candidates {
        answer.queried = fqdn.clone();
        let started = Instant::now();
        let reply = match Name::from_ascii(fqdn) {
            Ok(qname) => query(server, qname, record_type, deadline).await,
            Err(e) => Err(Failure { outcome: DnsOutcome::Invalid, detail: format!("`{fqdn}` is not a DNS name: {e}") }),
        };
        match reply {
            Err(f) => {
                answer.outcome = f.outcome;
                answer.detail = f.detail;
                return answer;
            }
            Ok(reply) => {
                answer.rtt_ms = Some(started.elapsed().as_secs_f64() * 1e3);
                answer.transport = reply.transport.into();
                match reply.code {
                    ResponseCode::NoError if !reply.addresses.is_empty() => {
                        let mut ips: Vec<String> = reply.addresses.iter().map(IpAddr::to_string).collect();
                        ips.sort();
                        ips.dedup();
                        let ok = expected_ip.is_none_or(|ip| reply.addresses.contains(&ip));
                        answer.outcome = DnsOutcome::Answered;
                        answer.matches = Some(ok);
                        answer.detail = if ok {
                            format!("{fqdn} {record_type} {}", ips.join(", "))
                        } else {
                            format!("{fqdn} {record_type} {}, not {expected}", ips.join(", "))
                        };
                        answer.addresses = ips;
                        return answer;
                    }
                    // Not found under this form: the resolver tries the next
                    // search domain, and so do we.
                    ResponseCode::NoError => {
                        answer.outcome = DnsOutcome::NoAddress;
                        not_found.push(format!("{fqdn} (no {record_type} record)"));
                    }
                    ResponseCode::NXDomain => {
                        answer.outcome = DnsOutcome::NoSuchName;
                        not_found.push(format!("{fqdn} (NXDOMAIN)"));
                    }
                    code => {
                        answer.outcome = DnsOutcome::Error;
                        answer.detail = format!("answered {code} for {fqdn}");
                        return answer;
                    }
                }
            }
        }
    }
    answer.matches = Some(false);
    answer.detail = format!("does not know the name: {}", not_found.join(", "));
    answer
}

/// Why a query got no DNS answer.
struct Failure {
    outcome: DnsOutcome,
    detail: String,
}

/// A server's answer to one query.
struct Reply {
    code: ResponseCode,
    addresses: Vec<IpAddr>,
    transport: &'static str,
}

/// One question to one server: UDP first, TCP when the answer says it was
/// truncated. Answers that are not a response to our question (another
/// id, another name) are ignored, as a resolver ignores them.
async fn query(server: SocketAddr, name: Name, record_type: RecordType, deadline: Instant) -> Result<Reply, Failure> {
    let mut message = Message::query();
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name.clone(), record_type));
    let id = message.metadata.id;
    let bytes = message
        .to_vec()
        .map_err(|e| Failure { outcome: DnsOutcome::Invalid, detail: format!("cannot encode the query: {e}") })?;
    let left = || deadline.saturating_duration_since(Instant::now());
    let silent = |what: &str| Failure {
        outcome: DnsOutcome::Silent,
        detail: format!("no answer over {what} within the deadline"),
    };
    let io = |e: std::io::Error, what: &str| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => Failure {
            outcome: DnsOutcome::Closed,
            detail: format!("{what} port {} refused: nothing listens there", server.port()),
        },
        _ => Failure { outcome: DnsOutcome::Silent, detail: format!("{what}: {e}") },
    };

    let any: IpAddr = if server.is_ipv6() { Ipv6Addr::UNSPECIFIED.into() } else { Ipv4Addr::UNSPECIFIED.into() };
    let socket = UdpSocket::bind(SocketAddr::new(any, 0)).await.map_err(|e| io(e, "udp"))?;
    socket.connect(server).await.map_err(|e| io(e, "udp"))?;
    let mut buf = vec![0u8; UDP_BUFFER];
    // A lost datagram is not a dead server: ask again after a third of the
    // time left, as resolvers retransmit.
    let resend = (left() / 3).max(Duration::from_millis(100));
    let response = 'udp: loop {
        socket.send(&bytes).await.map_err(|e| io(e, "udp"))?;
        let try_until = Instant::now() + resend;
        loop {
            let wait = try_until.min(deadline).saturating_duration_since(Instant::now());
            if wait.is_zero() {
                if left().is_zero() {
                    return Err(silent("udp"));
                }
                continue 'udp;
            }
            match tokio::time::timeout(wait, socket.recv(&mut buf)).await {
                Err(_) => continue,
                Ok(Err(e)) => return Err(io(e, "udp")),
                Ok(Ok(n)) => {
                    if let Some(m) = response_to(&buf[..n], id, &name, record_type) {
                        break 'udp m;
                    }
                }
            }
        }
    };
    if !response.metadata.truncation {
        return Ok(reply(&response, "udp"));
    }

    // Truncated: the same question over TCP, two-byte length first (RFC 1035 §4.2.2).
    let tcp = async {
        let mut stream = TcpStream::connect(server).await.map_err(|e| io(e, "tcp"))?;
        let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&bytes);
        stream.write_all(&framed).await.map_err(|e| io(e, "tcp"))?;
        let mut len = [0u8; 2];
        stream.read_exact(&mut len).await.map_err(|e| io(e, "tcp"))?;
        let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
        stream.read_exact(&mut body).await.map_err(|e| io(e, "tcp"))?;
        response_to(&body, id, &name, record_type).map(|m| reply(&m, "tcp")).ok_or(Failure {
            outcome: DnsOutcome::Invalid,
            detail: "the TCP answer is not a DNS answer to the question".into(),
        })
    };
    tokio::time::timeout(left(), tcp).await.unwrap_or_else(|_| Err(silent("tcp (after a truncated udp answer)")))
}

/// `bytes` parsed, when it is the response to our question.
fn response_to(bytes: &[u8], id: u16, name: &Name, record_type: RecordType) -> Option<Message> {
    let m = Message::from_vec(bytes).ok()?;
    let ours = m.metadata.id == id
        && m.metadata.message_type == MessageType::Response
        && m.metadata.op_code == OpCode::Query
        && m.queries.iter().any(|q| q.query_type() == record_type && q.name().eq_ignore_root_case(name));
    ours.then_some(m)
}

fn reply(m: &Message, transport: &'static str) -> Reply {
    // A CNAME chain comes with the target's addresses in the same answer
    // section; every A/AAAA there is the name's.
    let addresses = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect();
    Reply { code: m.metadata.response_code, addresses, transport }
}

/// The parts of resolv.conf(5) that decide which names are asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvConf {
    /// `search` (or `domain`) domains, in order.
    pub search: Vec<String>,
    /// `options ndots:N`: names with fewer dots try the search list first.
    pub ndots: usize,
}

impl Default for ResolvConf {
    /// No search domains, ndots 1: resolv.conf(5)'s defaults.
    fn default() -> Self {
        ResolvConf { search: vec![], ndots: 1 }
    }
}

impl ResolvConf {
    pub(crate) const PATH: &str = "/etc/resolv.conf";

    /// Reads the node's resolv.conf; a missing or unreadable file is the defaults.
    pub(crate) fn read() -> Self {
        std::fs::read_to_string(Self::PATH).map(|t| Self::parse(&t)).unwrap_or_default()
    }

    /// Parses resolv.conf text. As resolv.conf(5) says, `search` and
    /// `domain` override each other, the last one winning; the
    /// `nameserver` lines are not read: the inventory names the servers.
    pub(crate) fn parse(text: &str) -> Self {
        let mut conf = ResolvConf::default();
        for line in text.lines() {
            let line = line.split(['#', ';']).next().unwrap_or_default();
            let mut words = line.split_whitespace();
            match words.next() {
                Some("search") => conf.search = words.map(|w| w.trim_end_matches('.').to_string()).collect(),
                Some("domain") => conf.search = words.take(1).map(|w| w.trim_end_matches('.').to_string()).collect(),
                Some("options") => {
                    for option in words {
                        if let Some(n) = option.strip_prefix("ndots:").and_then(|n| n.parse::<usize>().ok()) {
                            // glibc caps ndots at 15.
                            conf.ndots = n.min(15);
                        }
                    }
                }
                _ => {}
            }
        }
        conf.search.retain(|d| !d.is_empty());
        conf
    }

    /// The fully qualified names a resolver tries for `name`, in its order:
    /// a name with at least `ndots` dots as given first, then with each
    /// search domain; a shorter one the other way round. A name ending in
    /// a dot is only itself.
    pub(crate) fn candidates(&self, name: &str) -> Vec<String> {
        if let Some(absolute) = name.strip_suffix('.') {
            return vec![format!("{absolute}.")];
        }
        let searched = self.search.iter().map(|d| format!("{name}.{d}."));
        let absolute = format!("{name}.");
        if name.matches('.').count() >= self.ndots {
            std::iter::once(absolute).chain(searched).collect()
        } else {
            searched.chain(std::iter::once(absolute)).collect()
        }
    }
}

/// The node's /etc/hosts: name (lower case) → addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostsFile {
    names: BTreeMap<String, Vec<IpAddr>>,
}

impl HostsFile {
    /// Where [`HostsFile::read`] reads.
    pub(crate) const PATH: &str = "/etc/hosts";

    /// Reads the node's /etc/hosts; a missing or unreadable file lists nothing.
    pub fn read() -> Self {
        std::fs::read_to_string(Self::PATH).map(|t| Self::parse(&t)).unwrap_or_default()
    }

    /// Parses hosts(5) text: an address, then names and aliases.
    pub(crate) fn parse(text: &str) -> Self {
        let mut names: BTreeMap<String, Vec<IpAddr>> = BTreeMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut words = line.split_whitespace();
            let Some(ip) = words.next().and_then(|w| w.parse::<IpAddr>().ok()) else { continue };
            for name in words {
                let list = names.entry(name.trim_end_matches('.').to_ascii_lowercase()).or_default();
                if !list.contains(&ip) {
                    list.push(ip);
                }
            }
        }
        HostsFile { names }
    }

    /// The addresses /etc/hosts gives `name`.
    pub fn addresses(&self, name: &str) -> &[IpAddr] {
        self.names.get(&name.trim_end_matches('.').to_ascii_lowercase()).map_or(&[], Vec::as_slice)
    }

    /// Where an answer `resolved` for `name` came from: the hosts file when
    /// it lists the name with exactly those addresses (glibc answers from
    /// the first NSS source that knows the name, and `files` comes first in
    /// every distribution's nsswitch.conf), else some resolver.
    pub(crate) fn source_of(&self, name: &str, resolved: &[String]) -> AnswerSource {
        let listed: Vec<String> = self.addresses(name).iter().map(IpAddr::to_string).collect();
        if !listed.is_empty() && resolved.iter().all(|r| listed.contains(r)) {
            AnswerSource::HostsFile
        } else {
            AnswerSource::Resolver
        }
    }
}

/// Whether `ip` is an address of this host: binding to it succeeds only then.
pub(crate) fn is_local_address(ip: IpAddr) -> bool {
    std::net::UdpSocket::bind((ip, 0)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn localhost_resolves() {
        let hosts = HostsFile::parse("127.0.0.1 localhost\n");
        let r = check_name("here", "localhost", "127.0.0.1", Duration::from_secs(5), &hosts).await;
        assert_eq!(r.matches, Some(true), "{r:?}");
        assert!(is_local_address("127.0.0.1".parse().unwrap()));
        assert!(!is_local_address("192.0.2.77".parse().unwrap()));
    }

    #[test]
    fn resolv_conf_search_order_follows_ndots() {
        let conf = ResolvConf::parse(
            "nameserver 10.0.0.2\ndomain old.example\nsearch corp.example. lab.example # comment\noptions ndots:2 edns0\n",
        );
        assert_eq!(conf, ResolvConf { search: vec!["corp.example".into(), "lab.example".into()], ndots: 2 });
        assert_eq!(conf.candidates("cp-1"), ["cp-1.corp.example.", "cp-1.lab.example.", "cp-1."]);
        assert_eq!(conf.candidates("a.b.c"), ["a.b.c.", "a.b.c.corp.example.", "a.b.c.lab.example."]);
        assert_eq!(conf.candidates("cp-1.example.com."), ["cp-1.example.com."]);
        assert_eq!(ResolvConf::parse("").candidates("cp-1"), ["cp-1."]);
    }

    #[test]
    fn hosts_file_answers_are_told_apart() {
        let hosts = HostsFile::parse("127.0.0.1 localhost\n10.0.0.11 cp-1.example.com CP-1 # node\n");
        assert_eq!(hosts.addresses("cp-1"), ["10.0.0.11".parse::<IpAddr>().unwrap()]);
        assert_eq!(hosts.source_of("cp-1", &["10.0.0.11".into()]), AnswerSource::HostsFile);
        assert_eq!(hosts.source_of("cp-1", &["10.0.0.99".into()]), AnswerSource::Resolver);
        assert_eq!(hosts.source_of("w-1", &["10.0.0.21".into()]), AnswerSource::Resolver);
    }
}
