//! `kubev-ha net bandwidth`: one throughput test, stream by stream.

use std::fmt::Write;
use std::net::SocketAddr;

use kubev_ha_model::Bandwidth;

/// Each stream's throughput, the total and the round trip.
pub(crate) fn result_text(b: &Bandwidth, address: SocketAddr) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "to {} ({}), {} stream(s), {:.1} s:", b.to, address, b.streams, b.seconds);
    for (i, s) in b.per_stream_bps.iter().enumerate() {
        let _ = writeln!(out, "  stream {}: {:.3} Gbit/s", i + 1, s / 1e9);
    }
    let _ = writeln!(out, "  total:    {:.3} Gbit/s", b.total_bps / 1e9);
    let _ = writeln!(
        out,
        "  round trip (TCP handshake, median of 5): {}",
        b.rtt_ms.map_or("unknown".into(), |r| format!("{r:.3} ms"))
    );
    out
}

/// One line per measured pair, below the network measurements.
pub(crate) fn pairs_text(measured: &[Bandwidth]) -> String {
    let mut out = String::new();
    for b in measured {
        let _ = writeln!(
            out,
            "bandwidth {} → {}: {:.2} Gbit/s over {} stream(s), RTT {}",
            b.from,
            b.to,
            b.total_bps / 1e9,
            b.streams,
            b.rtt_ms.map_or("?".into(), |r| format!("{r:.2} ms"))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rtt_ms: Option<f64>) -> Bandwidth {
        Bandwidth {
            from: "a".into(),
            to: "b".into(),
            streams: 2,
            total_bps: 9.5e9,
            per_stream_bps: vec![5e9, 4.5e9],
            rtt_ms,
            seconds: 3.0,
        }
    }

    #[test]
    fn bandwidth_result_lists_every_stream_and_an_unknown_round_trip() {
        let text = result_text(&sample(None), "192.0.2.1:7777".parse().unwrap());
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "to b (192.0.2.1:7777), 2 stream(s), 3.0 s:",
                "  stream 1: 5.000 Gbit/s",
                "  stream 2: 4.500 Gbit/s",
                "  total:    9.500 Gbit/s",
                "  round trip (TCP handshake, median of 5): unknown",
            ]
        );
    }

    #[test]
    fn bandwidth_pairs_are_one_line_each() {
        assert_eq!(
            pairs_text(&[sample(Some(0.25)), sample(None)]),
            "bandwidth a → b: 9.50 Gbit/s over 2 stream(s), RTT 0.25 ms\nbandwidth a → b: 9.50 Gbit/s over 2 stream(s), RTT ?\n"
        );
    }
}
