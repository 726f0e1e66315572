//! Judging one value against a profile's floors ("fail < 4Gi, warn < 8Gi"),
//! the shape most hardware rules share.

use std::fmt::Display;

use kubev_ha_model::{ByteSize, LinkSpeed};

use crate::finding::{Finding, Subject};
use crate::judge::Judge;
use crate::thresholds::{Floor, floor_for};

/// How a measured or declared value reads in a message: sizes rounded
/// (a probed 24684092Ki reads 23.5Gi), thresholds exact.
pub(super) trait Shown: Display {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for u32 {}
impl Shown for LinkSpeed {}
impl Shown for ByteSize {
    fn shown(&self) -> String {
        self.human()
    }
}

/// The finding for `value` against `floors`, with `what` naming the fact
/// ("memory", "physical cores") in the message.
pub(super) fn judge_floor<T: PartialOrd + Copy + Display + Shown>(
    j: &Judge,
    subject: Subject,
    value: T,
    floors: &[Floor<T>],
    what: &str,
) -> Finding {
    let Some(minimum) = floors.first() else {
        return j.pass(subject, format!("{what}: {}", value.shown()));
    };
    let shown = value.shown();
    match floor_for(value, floors) {
        None => {
            let recommended = floors.last().filter(|_| floors.len() > 1);
            let message = match recommended {
                Some(rec) => {
                    format!("{what} {shown} meets the minimum {} and the recommended {}", minimum.below, rec.below)
                }
                None => format!("{what} {shown} meets the minimum {}", minimum.below),
            };
            j.pass(subject, message)
        }
        Some(hit) if hit.below == minimum.below => {
            j.finding(subject, hit.severity, format!("{what} {shown} is below the minimum {}", minimum.below))
        }
        Some(hit) => j.finding(
            subject,
            hit.severity,
            format!("{what} {shown} meets the minimum {} but is below the recommended {}", minimum.below, hit.below),
        ),
    }
}
