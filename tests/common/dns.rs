//! A small DNS server for the tests: A/AAAA records from a table, over UDP
//! and TCP on one address and port, built and parsed with hickory-proto.
//! It can answer every UDP query truncated, so a client must ask again
//! over TCP. Threads with short read timeouts serve it; dropping it stops
//! them.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};

/// Names (without the trailing dot, lower case) and their addresses.
pub type Records = BTreeMap<String, Vec<IpAddr>>;

pub struct TestDns {
    pub addr: SocketAddr,
    records: Arc<Mutex<Records>>,
    truncate_udp: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    /// Queries answered over UDP and over TCP.
    pub udp_queries: Arc<AtomicUsize>,
    pub tcp_queries: Arc<AtomicUsize>,
    threads: Vec<JoinHandle<()>>,
}

impl TestDns {
    /// Serves `records` on `ip`, port `port` (0: any free port, the same
    /// for UDP and TCP).
    pub fn start(ip: IpAddr, port: u16, records: Records) -> std::io::Result<TestDns> {
        let (udp, tcp) = bind_both(ip, port)?;
        let addr = udp.local_addr()?;
        udp.set_read_timeout(Some(Duration::from_millis(50)))?;
        tcp.set_nonblocking(true)?;
        let records = Arc::new(Mutex::new(records));
        let (truncate_udp, stop) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let (udp_queries, tcp_queries) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut threads = Vec::new();
        {
            let (records, truncate, stop, count) =
                (records.clone(), truncate_udp.clone(), stop.clone(), udp_queries.clone());
            threads.push(std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while !stop.load(Ordering::Relaxed) {
                    let Ok((n, peer)) = udp.recv_from(&mut buf) else { continue };
                    let truncated = truncate.load(Ordering::Relaxed);
                    if let Some(answer) = answer(&buf[..n], &records, truncated) {
                        count.fetch_add(1, Ordering::Relaxed);
                        let _ = udp.send_to(&answer, peer);
                    }
                }
            }));
        }
        {
            let (records, stop, count) = (records.clone(), stop.clone(), tcp_queries.clone());
            threads.push(std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match tcp.accept() {
                        Ok((mut stream, _)) => {
                            let _ = stream.set_nonblocking(false);
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                            let mut len = [0u8; 2];
                            if stream.read_exact(&mut len).is_err() {
                                continue;
                            }
                            let mut query = vec![0u8; u16::from_be_bytes(len) as usize];
                            if stream.read_exact(&mut query).is_err() {
                                continue;
                            }
                            if let Some(answer) = answer(&query, &records, false) {
                                count.fetch_add(1, Ordering::Relaxed);
                                let mut framed = (answer.len() as u16).to_be_bytes().to_vec();
                                framed.extend_from_slice(&answer);
                                let _ = stream.write_all(&framed);
                            }
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            }));
        }
        Ok(TestDns { addr, records, truncate_udp, stop, udp_queries, tcp_queries, threads })
    }

    /// From now on every UDP answer is truncated (TC set, no records).
    pub fn truncate_udp(&self) {
        self.truncate_udp.store(true, Ordering::Relaxed);
    }

    /// Forgets `name`: it is NXDOMAIN from now on.
    pub fn forget(&self, name: &str) {
        if let Ok(mut r) = self.records.lock() {
            r.remove(name);
        }
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// A UDP and a TCP socket on the same address and port.
fn bind_both(ip: IpAddr, port: u16) -> std::io::Result<(UdpSocket, TcpListener)> {
    let mut last = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind((ip, port))?;
        match TcpListener::bind((ip, udp.local_addr()?.port())) {
            Ok(tcp) => return Ok((udp, tcp)),
            // Another test took that TCP port: try another pair.
            Err(e) if port == 0 => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free port pair")))
}

/// The response to `query`, or `None` when it is not a query.
fn answer(query: &[u8], records: &Mutex<Records>, truncated: bool) -> Option<Vec<u8>> {
    let request = Message::from_vec(query).ok()?;
    if request.metadata.message_type != MessageType::Query {
        return None;
    }
    let question = request.queries.first()?.clone();
    let mut response = Message::response(request.metadata.id, OpCode::Query);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.authoritative = true;
    response.add_query(question.clone());
    if truncated {
        response.metadata.truncation = true;
        return response.to_vec().ok();
    }
    let key = question.name().to_ascii().trim_end_matches('.').to_ascii_lowercase();
    let known = records.lock().ok()?.get(&key).cloned();
    match known {
        None => response.metadata.response_code = ResponseCode::NXDomain,
        Some(ips) => {
            for ip in ips {
                let data = match (ip, question.query_type()) {
                    (IpAddr::V4(v4), RecordType::A) => RData::A(A(v4)),
                    (IpAddr::V6(v6), RecordType::AAAA) => RData::AAAA(AAAA(v6)),
                    _ => continue,
                };
                response.add_answer(Record::from_rdata(question.name().clone(), 60, data));
            }
        }
    }
    response.to_vec().ok()
}
