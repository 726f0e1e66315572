//! The few bytes responder and prober exchange. A TCP responder greets
//! with one identity line; a UDP responder answers a probe datagram with
//! one; the bandwidth sink reads a header, discards the stream, and
//! reports what it received.

/// `kubev-ha NODE tcp PORT\n`: who answered, on which port.
pub(crate) fn identity_line(node: &str, protocol: &str, port: u16) -> String {
    format!("kubev-ha {node} {protocol} {port}\n")
}

/// The start of every probe datagram; a responder answers nothing else, so
/// it can never be used to reflect traffic at someone.
pub(crate) const PROBE_PREFIX: &[u8] = b"kubev-ha-probe ";

/// The UDP answer: the identity and how many bytes arrived (for path MTU).
pub(crate) fn udp_answer(node: &str, port: u16, received: usize) -> String {
    format!("kubev-ha {node} udp {port} {received}\n")
}

/// The most a UDP answer (or a TCP identity line) may be. A probe is 64
/// bytes, and an answer naming a long node (DNS names go to 253) is longer;
/// an answer may therefore exceed the probe, but never this fixed bound,
/// which keeps any reflection small and bounded. Readers use it as their
/// buffer size.
pub(crate) const ANSWER_MAX: usize = 512;

/// The answer to a probe of `received` bytes, unless it would exceed
/// both the probe and [`ANSWER_MAX`].
pub(crate) fn udp_reply(node: &str, port: u16, received: usize) -> Option<String> {
    let answer = udp_answer(node, port, received);
    (answer.len() <= received.max(ANSWER_MAX)).then_some(answer)
}

/// Who an identity line names, and the size a UDP answer confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub node: String,
    pub port: u16,
    pub received: Option<usize>,
}

pub(crate) fn parse_identity(text: &str) -> Option<Identity> {
    let mut parts = text.trim().split(' ');
    if parts.next()? != "kubev-ha" {
        return None;
    }
    let node = parts.next()?.to_string();
    let _protocol = parts.next()?;
    let port = parts.next()?.parse().ok()?;
    let received = parts.next().and_then(|r| r.parse().ok());
    Some(Identity { node, port, received })
}

/// The bandwidth sink's default port (iperf3's), the one `net matrix
/// --bandwidth` opens on workers.
pub const BANDWIDTH_PORT: u16 = 5201;

/// The header a bandwidth client sends first: how long it will send.
pub(crate) fn bandwidth_header(seconds: u64) -> String {
    format!("kubev-ha-bandwidth {seconds}\n")
}

pub(crate) fn parse_bandwidth_header(line: &str) -> Option<u64> {
    line.trim().strip_prefix("kubev-ha-bandwidth ")?.parse().ok()
}

/// The sink's report: bytes received and the seconds they took.
pub(crate) fn bandwidth_report(bytes: u64, seconds: f64) -> String {
    format!("received {bytes} {seconds:.6}\n")
}

pub(crate) fn parse_bandwidth_report(line: &str) -> Option<(u64, f64)> {
    let mut parts = line.trim().strip_prefix("received ")?.split(' ');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        assert_eq!(
            parse_identity(&identity_line("cp-1", "tcp", 6443)),
            Some(Identity { node: "cp-1".into(), port: 6443, received: None })
        );
        assert_eq!(parse_identity(&udp_answer("w-1", 6081, 1472)).unwrap().received, Some(1472));
        assert_eq!(parse_identity("SSH-2.0-OpenSSH_9.2"), None);
        assert_eq!(parse_bandwidth_header(&bandwidth_header(10)), Some(10));
        assert_eq!(parse_bandwidth_report(&bandwidth_report(123, 1.5)), Some((123, 1.5)));
    }

    #[test]
    fn a_long_node_name_is_still_answered_within_the_bound() {
        // A 64-byte probe, a 200-byte name: the answer exceeds the probe
        // (it used to be dropped) but stays within ANSWER_MAX.
        let long = "n".repeat(200);
        let reply = udp_reply(&long, 6081, 64).expect("answered");
        assert!(reply.len() > 64 && reply.len() <= ANSWER_MAX);
        assert_eq!(parse_identity(&reply).unwrap().node, long);
        // An answer beyond the bound is not sent.
        assert_eq!(udp_reply(&"n".repeat(600), 6081, 64), None);
        // A jumbo probe may get a large answer: it is still no larger than the probe.
        assert!(udp_reply(&"n".repeat(600), 6081, 9000).is_some());
    }
}
