//! The few etcd metrics this tool judges, from the Prometheus text format,
//! with percentiles computed from histogram buckets the way Prometheus'
//! `histogram_quantile` does (linear interpolation inside the bucket).

/// What a member's /metrics says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// p99 of `etcd_disk_wal_fsync_duration_seconds` in milliseconds; `None` when the histogram is
    /// absent or empty.
    pub wal_fsync_p99_ms: Option<f64>,
    /// p99 of `etcd_disk_backend_commit_duration_seconds` in milliseconds; `None` when absent or
    /// empty.
    pub backend_commit_p99_ms: Option<f64>,
    /// `etcd_server_leader_changes_seen_total`: leader changes the member has seen since it
    /// started.
    pub leader_changes: Option<f64>,
    /// `etcd_server_has_leader`: whether the member knows a leader.
    pub has_leader: Option<bool>,
}

/// The metrics of a /metrics page in Prometheus' text format; lines it does not know are skipped.
pub fn parse(text: &str) -> Metrics {
    let mut wal = Vec::new();
    let mut commit = Vec::new();
    let mut metrics = Metrics::default();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((name_labels, value)) = line.rsplit_once(' ') else { continue };
        let Ok(value) = value.trim().parse::<f64>() else { continue };
        let (name, labels) = match name_labels.split_once('{') {
            Some((n, l)) => (n, l.trim_end_matches('}')),
            None => (name_labels, ""),
        };
        let le = || {
            labels
                .split(',')
                .find_map(|kv| kv.strip_prefix("le="))
                .map(|v| v.trim_matches('"'))
                .and_then(|v| if v == "+Inf" { Some(f64::INFINITY) } else { v.parse().ok() })
        };
        match name {
            "etcd_disk_wal_fsync_duration_seconds_bucket" => wal.extend(le().map(|b| (b, value))),
            "etcd_disk_backend_commit_duration_seconds_bucket" => commit.extend(le().map(|b| (b, value))),
            "etcd_server_leader_changes_seen_total" => metrics.leader_changes = Some(value),
            "etcd_server_has_leader" => metrics.has_leader = Some(value >= 1.0),
            _ => {}
        }
    }
    metrics.wal_fsync_p99_ms = quantile(0.99, &mut wal).map(|s| s * 1000.0);
    metrics.backend_commit_p99_ms = quantile(0.99, &mut commit).map(|s| s * 1000.0);
    metrics
}

/// The q-quantile of a cumulative histogram given as (upper bound, count).
/// `None` when it has no observations.
pub(crate) fn quantile(q: f64, buckets: &mut [(f64, f64)]) -> Option<f64> {
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total = buckets.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q * total;
    let mut lower_bound = 0.0;
    let mut lower_count = 0.0;
    for &(bound, count) in buckets.iter() {
        if count >= rank {
            if bound.is_infinite() {
                // Prometheus answers the highest finite bound here.
                return Some(lower_bound);
            }
            let in_bucket = count - lower_count;
            if in_bucket <= 0.0 {
                return Some(bound);
            }
            return Some(lower_bound + (bound - lower_bound) * (rank - lower_count) / in_bucket);
        }
        lower_bound = bound;
        lower_count = count;
    }
    Some(lower_bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_like_histogram_quantile() {
        // 100 observations: 90 below 1 ms, 10 between 1 and 2 ms.
        let mut b = vec![(0.001, 90.0), (0.002, 100.0), (f64::INFINITY, 100.0)];
        let p99 = quantile(0.99, &mut b).unwrap();
        assert!((p99 - 0.0019).abs() < 1e-9, "{p99}");
        assert_eq!(quantile(0.5, &mut [(1.0, 0.0)]), None);
    }

    #[test]
    fn reads_the_metrics_etcd_exposes() {
        let text = r#"# HELP etcd_disk_wal_fsync_duration_seconds ...
# TYPE etcd_disk_wal_fsync_duration_seconds histogram
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 10
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.002"} 20
etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 20
etcd_disk_wal_fsync_duration_seconds_sum 0.02
etcd_disk_wal_fsync_duration_seconds_count 20
etcd_server_has_leader 1
etcd_server_leader_changes_seen_total 2
"#;
        let m = parse(text);
        assert_eq!(m.has_leader, Some(true));
        assert_eq!(m.leader_changes, Some(2.0));
        let p99 = m.wal_fsync_p99_ms.unwrap();
        assert!((p99 - 1.98).abs() < 1e-9, "{p99}");
        assert_eq!(m.backend_commit_p99_ms, None);
    }
}
