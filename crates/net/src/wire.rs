//! The few bytes responder and prober exchange. A TCP responder greets
//! with one identity line; a UDP responder answers a probe datagram with
//! one; the bandwidth sink reads a header, discards the stream, and
//! reports what it received.

/// `kubev-ha NODE tcp PORT\n`: who answered, on which port.
pub fn identity_line(node: &str, protocol: &str, port: u16) -> String {
    format!("kubev-ha {node} {protocol} {port}\n")
}

/// The start of every probe datagram; a responder answers nothing else, so
/// it can never be used to reflect traffic at someone.
pub const PROBE_PREFIX: &[u8] = b"kubev-ha-probe ";

/// The UDP answer: the identity and how many bytes arrived (for path MTU).
pub fn udp_answer(node: &str, port: u16, received: usize) -> String {
    format!("kubev-ha {node} udp {port} {received}\n")
}

/// Who an identity line names, and the size a UDP answer confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub node: String,
    pub port: u16,
    pub received: Option<usize>,
}

pub fn parse_identity(text: &str) -> Option<Identity> {
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

/// The header a bandwidth client sends first: how long it will send.
pub fn bandwidth_header(seconds: u64) -> String {
    format!("kubev-ha-bandwidth {seconds}\n")
}

pub fn parse_bandwidth_header(line: &str) -> Option<u64> {
    line.trim().strip_prefix("kubev-ha-bandwidth ")?.parse().ok()
}

/// The sink's report: bytes received and the seconds they took.
pub fn bandwidth_report(bytes: u64, seconds: f64) -> String {
    format!("received {bytes} {seconds:.6}\n")
}

pub fn parse_bandwidth_report(line: &str) -> Option<(u64, f64)> {
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
}
