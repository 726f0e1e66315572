//! etcd quorum by failure-domain layout: whether losing any `k` domains
//! keeps a majority, and the smallest layout that does.
//!
//! Losing `k` domains takes the members of the `k` fullest ones, so a
//! layout survives when those hold at most `m − quorum(m)` of the `m`
//! members. For a given `m` and number of domains `z`, spreading the
//! members as evenly as possible minimises what the `k` fullest hold (any
//! other spread puts at least as many into some `k` domains), so the
//! search below only looks at even spreads. It follows that surviving `k`
//! losses needs more than `2k` domains: the `k` fullest of `z` hold at
//! least `k·m/z` members, which must stay below `m/2`.
//!
//! The rules crate uses the formula from here (`kubev_ha_rules::quorum`
//! re-exports it), since the rules depend on this crate.

/// Members a majority of `members` needs: floor(m/2) + 1 (etcd's quorum).
pub const fn quorum(members: u32) -> u32 {
    members / 2 + 1
}

/// Members that may be lost while a majority remains.
pub const fn fault_tolerance(members: u32) -> u32 {
    if members == 0 { 0 } else { members - quorum(members) }
}

/// `members` spread as evenly as possible over `zones` failure domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// etcd members.
    pub members: u32,
    /// Failure domains they are spread over.
    pub zones: u32,
}

impl Layout {
    /// Members per domain, fullest first: `[2, 2, 1]` for 5 over 3.
    pub(crate) fn sizes(self) -> Vec<u32> {
        if self.zones == 0 {
            return Vec::new();
        }
        let (q, r) = (self.members / self.zones, self.members % self.zones);
        (0..self.zones).map(|i| q + u32::from(i < r)).collect()
    }

    /// Members the `k` fullest domains hold.
    pub(crate) fn lost_with(self, k: u32) -> u32 {
        if self.zones == 0 {
            return self.members;
        }
        let (q, r) = (self.members / self.zones, self.members % self.zones);
        let k = k.min(self.zones);
        k * q + k.min(r)
    }

    /// Whether losing any `k` domains leaves a quorum.
    pub(crate) fn survives(self, k: u32) -> bool {
        self.members > 0 && self.lost_with(k) <= fault_tolerance(self.members)
    }

    /// `one per zone` or `as 2+2+1`, with `kind` the domain word.
    pub(crate) fn describe(self, kind: &str) -> String {
        let sizes = self.sizes();
        if sizes.iter().all(|&s| s == 1) {
            format!("one per {kind}")
        } else {
            format!("as {}", sizes.iter().map(u32::to_string).collect::<Vec<_>>().join("+"))
        }
    }
}

/// The fewest domains, at most `max_zones`, over which `members` survive
/// the loss of any `k`; `None` when no spread of them does.
pub(crate) fn spread_of(members: u32, k: u32, max_zones: u32) -> Option<Layout> {
    (1..=members.min(max_zones)).map(|zones| Layout { members, zones }).find(|l| l.survives(k))
}

/// The layout with the fewest members (then the fewest domains, at most
/// `max_zones` when given) that survives the loss of any `k` domains.
pub(crate) fn smallest_layout(k: u32, max_zones: Option<u32>) -> Option<Layout> {
    // 2k + 1 members, one per domain, always survive; nothing smaller can
    // (fault tolerance k needs 2k + 1 members), so the search ends there
    // at the latest unless the domains are capped.
    let limit = 2 * k + 1;
    (1..=limit).find_map(|members| spread_of(members, k, max_zones.unwrap_or(u32::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_spreads_and_their_worst_loss() {
        let l = Layout { members: 5, zones: 3 };
        assert_eq!(l.sizes(), vec![2, 2, 1]);
        assert_eq!(l.lost_with(1), 2);
        assert_eq!(l.lost_with(2), 4);
        assert!(l.survives(1));
        assert!(!l.survives(2));
        assert_eq!(Layout { members: 3, zones: 3 }.describe("zone"), "one per zone");
        assert_eq!(l.describe("zone"), "as 2+2+1");
    }

    #[test]
    fn layouts_by_hand() {
        // 3 in 3 zones survive one loss, not two.
        assert!(Layout { members: 3, zones: 3 }.survives(1));
        assert!(!Layout { members: 3, zones: 3 }.survives(2));
        // 3 in 2 zones (2+1): losing the pair leaves 1 of 3.
        assert!(!Layout { members: 3, zones: 2 }.survives(1));
        // 4 in 4 zones survive one loss (3 of 4 left), 2+1+1 does not.
        assert!(Layout { members: 4, zones: 4 }.survives(1));
        assert!(!Layout { members: 4, zones: 3 }.survives(1));
        // 5 in 4 zones (2+1+1+1): losing the two fullest takes 3 > 2.
        assert!(!Layout { members: 5, zones: 4 }.survives(2));
        assert!(Layout { members: 5, zones: 5 }.survives(2));
        // 9 in 5 zones (2+2+2+2+1): the two fullest hold 4 = 9 − 5.
        assert!(Layout { members: 9, zones: 5 }.survives(2));
    }

    #[test]
    fn the_smallest_layout_is_two_k_plus_one_in_as_many_zones() {
        for k in 1..6 {
            assert_eq!(smallest_layout(k, None), Some(Layout { members: 2 * k + 1, zones: 2 * k + 1 }), "k = {k}");
        }
        // With only 4 zones nothing survives losing 2 of them.
        assert_eq!(smallest_layout(2, Some(4)), None);
        assert_eq!(smallest_layout(1, Some(3)), Some(Layout { members: 3, zones: 3 }));
    }

    #[test]
    fn respreading_the_members_there_are() {
        assert_eq!(spread_of(5, 1, 3), Some(Layout { members: 5, zones: 3 }));
        assert_eq!(spread_of(4, 1, 3), None);
        assert_eq!(spread_of(3, 1, 2), None);
        assert_eq!(spread_of(7, 2, 10), Some(Layout { members: 7, zones: 6 }));
    }
}
