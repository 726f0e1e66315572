//! etcd quorum arithmetic for CP-SPREAD. The formula itself lives in the
//! HA simulation (`kubev_ha_plan::quorum`, which this crate depends on),
//! so the rules and the plan can never count a majority differently.

use std::collections::BTreeMap;

pub(crate) use kubev_ha_plan::quorum;

/// What losing the worst single failure domain does to quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DomainLoss {
    /// Quorum holds whichever domain is lost, even if every member without
    /// a declared domain shares the largest one.
    Survives { largest: u32, left: u32 },
    /// Quorum is lost when the domain of `domain_size` members goes, even
    /// if every member without a declared domain sits alone.
    Loses { domain_size: u32, left: u32 },
    /// It depends on where the members without a declared domain are.
    Undecided,
}

/// Judges the loss of one domain, given members per declared domain and
/// how many members declare none.
pub(crate) fn worst_domain_loss(domains: &BTreeMap<&str, u32>, undeclared: u32, quorum: u32) -> DomainLoss {
    let members = domains.values().sum::<u32>() + undeclared;
    let largest = domains.values().copied().max().unwrap_or(0);
    // Worst case: the undeclared members share the largest domain.
    let worst = largest + undeclared;
    if members - worst >= quorum {
        return DomainLoss::Survives { largest: worst, left: members - worst };
    }
    // Best case: each undeclared member is alone in its own domain.
    let best = largest.max(undeclared.min(1));
    if members - best < quorum {
        return DomainLoss::Loses { domain_size: best, left: members - best };
    }
    DomainLoss::Undecided
}

#[cfg(test)]
mod tests {
    use kubev_ha_plan::fault_tolerance;

    use super::*;

    fn layout(counts: &[u32]) -> BTreeMap<&'static str, u32> {
        const NAMES: [&str; 5] = ["a", "b", "c", "d", "e"];
        counts.iter().enumerate().map(|(i, c)| (NAMES[i], *c)).collect()
    }

    #[test]
    fn quorum_by_member_count() {
        assert_eq!([1, 2, 3, 4, 5, 6, 7].map(quorum), [1, 2, 2, 3, 3, 4, 4]);
        assert_eq!([1, 2, 3, 4, 5, 6, 7].map(fault_tolerance), [0, 0, 1, 1, 2, 2, 3]);
    }

    #[test]
    fn zone_layouts() {
        // 3 in 3 zones: any zone loss leaves 2 of 3.
        assert_eq!(worst_domain_loss(&layout(&[1, 1, 1]), 0, 2), DomainLoss::Survives { largest: 1, left: 2 });
        // 3 in 2 zones (2+1): losing the pair leaves 1.
        assert_eq!(worst_domain_loss(&layout(&[2, 1]), 0, 2), DomainLoss::Loses { domain_size: 2, left: 1 });
        // 5 in 3 zones (2+2+1): losing a pair leaves 3 of 5.
        assert_eq!(worst_domain_loss(&layout(&[2, 2, 1]), 0, 3), DomainLoss::Survives { largest: 2, left: 3 });
        // 5 as 3+1+1: losing the three leaves 2 of 5.
        assert_eq!(worst_domain_loss(&layout(&[3, 1, 1]), 0, 3), DomainLoss::Loses { domain_size: 3, left: 2 });
        // 4 as 2+2: losing either leaves 2 of 4, below 3.
        assert_eq!(worst_domain_loss(&layout(&[2, 2]), 0, 3), DomainLoss::Loses { domain_size: 2, left: 2 });
        // All in one zone.
        assert_eq!(worst_domain_loss(&layout(&[3]), 0, 2), DomainLoss::Loses { domain_size: 3, left: 0 });
    }

    #[test]
    fn undeclared_members_are_counted_both_ways() {
        // 1+1 declared, 1 undeclared: it may share a zone (2 lost) or not.
        assert_eq!(worst_domain_loss(&layout(&[1, 1]), 1, 2), DomainLoss::Undecided);
        // 2 declared together, 1 undeclared: the pair alone already breaks quorum.
        assert_eq!(worst_domain_loss(&layout(&[2]), 1, 2), DomainLoss::Loses { domain_size: 2, left: 1 });
        // 5 members: 1+1+1 declared, 2 undeclared; worst case 3 lost, best case 1.
        assert_eq!(worst_domain_loss(&layout(&[1, 1, 1]), 2, 3), DomainLoss::Undecided);
        // Nothing declared at all: three nodes could all be in one room.
        assert_eq!(worst_domain_loss(&layout(&[]), 3, 2), DomainLoss::Undecided);
    }
}
