//! Which failures to simulate: each single worker, each set of
//! `ha.tolerate.nodes` workers, each failure domain, each set of
//! `ha.tolerate.zones` domains. Sets are enumerated while there are few
//! enough, and sampled with a stated seed when there are not.

use std::collections::BTreeSet;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::cluster::{Cluster, HostId};
use crate::placement::Placement;

/// The families of failures simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScenarioKind {
    /// One worker.
    Node,
    /// A set of `ha.tolerate.nodes` workers.
    Nodes,
    /// One failure domain (zone, else rack).
    Domain,
    /// A set of `ha.tolerate.zones` domains.
    Domains,
}

/// One failure to simulate.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Scenario {
    /// Which family this scenario belongs to.
    pub kind: ScenarioKind,
    /// `w-a1`, `w-a1 + w-b2`, `zone fra-a`.
    pub name: String,
    /// The workers lost.
    pub lost_hosts: Vec<HostId>,
    /// The failure domains lost (empty for worker scenarios).
    pub lost_domains: Vec<u32>,
}

/// How a family of scenarios was chosen.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    /// Which family.
    pub kind: ScenarioKind,
    /// How many elements each set loses.
    pub set_size: u32,
    /// All possible sets (saturating at u64::MAX).
    pub possible: u64,
    /// How many sets were simulated.
    pub chosen: usize,
    /// Present when the sets were sampled rather than enumerated.
    pub sampled: Option<Sampling>,
}

/// How sets were sampled, so the same sample can be drawn again.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Sampling {
    /// The seed of the ChaCha8 generator.
    pub seed: u64,
    /// How many sets were drawn.
    pub count: usize,
}

/// How many sets to enumerate at most, and how to sample beyond that.
#[derive(Debug, Clone, Copy)]
pub struct SetLimits {
    /// Enumerate every set when there are at most this many.
    pub enumerate_up_to: u64,
    /// How many sets to draw when there are more.
    pub sample: usize,
    /// The seed of the ChaCha8 generator the sets are drawn with.
    pub seed: u64,
}

impl Default for SetLimits {
    fn default() -> Self {
        SetLimits { enumerate_up_to: 10_000, sample: 1_000, seed: 1 }
    }
}

/// n choose k, saturating.
pub(crate) fn combinations(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c * u128::from(n - i) / u128::from(i + 1);
        if c > u128::from(u64::MAX) {
            return u64::MAX;
        }
    }
    c as u64
}

/// Every k-subset of 0..n in lexicographic order.
fn all_subsets(n: u32, k: u32) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    if k == 0 || k > n {
        return out;
    }
    let mut idx: Vec<u32> = (0..k).collect();
    loop {
        out.push(idx.clone());
        let mut i = k as usize;
        loop {
            if i == 0 {
                return out;
            }
            i -= 1;
            if idx[i] < n - k + i as u32 {
                idx[i] += 1;
                for j in i + 1..k as usize {
                    idx[j] = idx[j - 1] + 1;
                }
                break;
            }
        }
    }
}

/// `count` distinct k-subsets of 0..n drawn with `seed`, plus `always`
/// (the busiest set), sorted.
/// Drawing stops once every one of the `possible` sets has been drawn.
fn sampled_subsets(n: u32, k: u32, count: usize, seed: u64, always: Vec<u32>, possible: u64) -> Vec<Vec<u32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sets: BTreeSet<Vec<u32>> = BTreeSet::new();
    sets.insert(always);
    let wanted = (count.saturating_add(1) as u64).min(possible) as usize;
    let mut attempts = 0usize;
    while sets.len() < wanted && attempts < count.saturating_mul(20) {
        attempts += 1;
        let mut set = BTreeSet::new();
        while set.len() < k as usize {
            set.insert(rng.random_range(0..n));
        }
        sets.insert(set.into_iter().collect());
    }
    sets.into_iter().collect()
}

/// Sampled sets, and how they were sampled; a sample that drew every one
/// of the `possible` sets is an enumeration after all (no `Sampling`).
fn sample(n: u32, k: u32, limits: SetLimits, always: Vec<u32>, possible: u64) -> (Vec<Vec<u32>>, Option<Sampling>) {
    let sets = sampled_subsets(n, k, limits.sample, limits.seed, always, possible);
    let sampled = (sets.len() as u64) < possible;
    (sets, sampled.then_some(Sampling { seed: limits.seed, count: limits.sample }))
}

/// The scenarios of a plan, and how each family was chosen.
pub(crate) fn scenarios(
    cluster: &Cluster,
    placement: &Placement,
    tolerate_nodes: u32,
    tolerate_domains: u32,
    limits: SetLimits,
) -> (Vec<Scenario>, Vec<Selection>) {
    let n = cluster.hosts.len() as u32;
    let mut out = Vec::new();
    let mut selections = Vec::new();
    let host_names =
        |set: &[HostId]| set.iter().map(|&h| cluster.hosts[h as usize].name.as_str()).collect::<Vec<_>>().join(" + ");

    for h in 0..n {
        out.push(Scenario {
            kind: ScenarioKind::Node,
            name: cluster.hosts[h as usize].name.clone(),
            lost_hosts: vec![h],
            lost_domains: vec![],
        });
    }
    selections.push(Selection {
        kind: ScenarioKind::Node,
        set_size: 1,
        possible: u64::from(n),
        chosen: n as usize,
        sampled: None,
    });

    if tolerate_nodes >= 2 && tolerate_nodes <= n {
        let possible = combinations(u64::from(n), u64::from(tolerate_nodes));
        let (sets, sampled) = if possible <= limits.enumerate_up_to {
            (all_subsets(n, tolerate_nodes), None)
        } else {
            // Always include the busiest workers: the set whose loss displaces the most.
            let mut busiest: Vec<HostId> = (0..n).collect();
            busiest.sort_by_key(|&h| (std::cmp::Reverse(placement.used[h as usize].mem), h));
            let mut busiest: Vec<HostId> = busiest.into_iter().take(tolerate_nodes as usize).collect();
            busiest.sort_unstable();
            sample(n, tolerate_nodes, limits, busiest, possible)
        };
        selections.push(Selection {
            kind: ScenarioKind::Nodes,
            set_size: tolerate_nodes,
            possible,
            chosen: sets.len(),
            sampled,
        });
        for set in sets {
            out.push(Scenario {
                kind: ScenarioKind::Nodes,
                name: host_names(&set),
                lost_hosts: set,
                lost_domains: vec![],
            });
        }
    }

    let d = cluster.domains.len() as u32;
    let hosts_in = |domains: &[u32]| -> Vec<HostId> {
        (0..n).filter(|&h| cluster.hosts[h as usize].domain.is_some_and(|x| domains.contains(&x))).collect()
    };
    let domain_names = |set: &[u32]| {
        set.iter()
            .map(|&x| format!("{} {}", cluster.domain_kind, cluster.domains[x as usize]))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    for x in 0..d {
        out.push(Scenario {
            kind: ScenarioKind::Domain,
            name: domain_names(&[x]),
            lost_hosts: hosts_in(&[x]),
            lost_domains: vec![x],
        });
    }
    selections.push(Selection {
        kind: ScenarioKind::Domain,
        set_size: 1,
        possible: u64::from(d),
        chosen: d as usize,
        sampled: None,
    });
    if tolerate_domains >= 2 && tolerate_domains <= d {
        let possible = combinations(u64::from(d), u64::from(tolerate_domains));
        let (sets, sampled) = if possible <= limits.enumerate_up_to {
            (all_subsets(d, tolerate_domains), None)
        } else {
            let first: Vec<u32> = (0..tolerate_domains).collect();
            sample(d, tolerate_domains, limits, first, possible)
        };
        selections.push(Selection {
            kind: ScenarioKind::Domains,
            set_size: tolerate_domains,
            possible,
            chosen: sets.len(),
            sampled,
        });
        for set in sets {
            out.push(Scenario {
                kind: ScenarioKind::Domains,
                name: domain_names(&set),
                lost_hosts: hosts_in(&set),
                lost_domains: set,
            });
        }
    }
    (out, selections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_combinations() {
        assert_eq!(combinations(5, 2), 10);
        assert_eq!(combinations(5000, 2), 12_497_500);
        assert_eq!(combinations(3, 5), 0);
        assert_eq!(combinations(10_000, 5000), u64::MAX);
    }

    #[test]
    fn enumerates_subsets_in_order() {
        assert_eq!(all_subsets(4, 2), vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]);
        assert_eq!(all_subsets(3, 3), vec![vec![0, 1, 2]]);
        assert_eq!(all_subsets(3, 4), Vec::<Vec<u32>>::new());
    }

    #[test]
    fn sampling_is_deterministic() {
        let a = sampled_subsets(1000, 3, 50, 7, vec![0, 1, 2], combinations(1000, 3));
        let b = sampled_subsets(1000, 3, 50, 7, vec![0, 1, 2], combinations(1000, 3));
        assert_eq!(a, b);
        assert_eq!(a.len(), 51);
        assert!(a.contains(&vec![0, 1, 2]));
        assert!(a.iter().all(|s| s.len() == 3 && s.windows(2).all(|w| w[0] < w[1])));
        assert_ne!(a, sampled_subsets(1000, 3, 50, 8, vec![0, 1, 2], combinations(1000, 3)));
        // Asking for more than exist draws each once and stops.
        let all = sampled_subsets(20, 2, 1_000_000, 7, vec![0, 1], combinations(20, 2));
        assert_eq!(all.len() as u64, combinations(20, 2));
    }
}
