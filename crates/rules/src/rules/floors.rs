//! Judging one value against a profile's floors ("fail < 4Gi, warn < 8Gi"),
//! the shape most hardware rules share.

use std::fmt::Display;

use crate::finding::{Finding, Subject};
use crate::judge::Judge;
use crate::thresholds::{Floor, floor_for};

/// The finding for `value` against `floors`, with `what` naming the fact
/// ("memory", "physical cores") in the message.
pub fn judge_floor<T: PartialOrd + Copy + Display>(
    j: &Judge,
    subject: Subject,
    value: T,
    floors: &[Floor<T>],
    what: &str,
) -> Finding {
    let Some(minimum) = floors.first() else {
        return j.pass(subject, format!("{what}: {value}"));
    };
    match floor_for(value, floors) {
        None => {
            let recommended = floors.last().filter(|_| floors.len() > 1);
            let message = match recommended {
                Some(rec) => {
                    format!("{what} {value} meets the minimum {} and the recommended {}", minimum.below, rec.below)
                }
                None => format!("{what} {value} meets the minimum {}", minimum.below),
            };
            j.pass(subject, message)
        }
        Some(hit) if hit.below == minimum.below => {
            j.finding(subject, hit.severity, format!("{what} {value} is below the minimum {}", minimum.below))
        }
        Some(hit) => j.finding(
            subject,
            hit.severity,
            format!("{what} {value} meets the minimum {} but is below the recommended {}", minimum.below, hit.below),
        ),
    }
}
