//! Counts in finding messages: "1 member", "3 members". A message that
//! printed "1 etcd members" read as a bug in the tool, so every count a
//! rule states beside a noun goes through [`plural`].

use std::fmt::Display;

/// `n` followed by `noun`, with an `s` unless `n` is one. Every noun the
/// rules count takes a regular plural ("member", "control-plane node",
/// "failure"), so no irregular forms are needed.
pub(crate) fn plural<N: Copy + Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1) { format!("{n} {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(plural(1u32, "etcd member"), "1 etcd member");
        assert_eq!(plural(0u32, "etcd member"), "0 etcd members");
        assert_eq!(plural(2u32, "member"), "2 members");
        assert_eq!(plural(1usize, "control-plane node"), "1 control-plane node");
        assert_eq!(plural(3u64, "failure"), "3 failures");
    }
}
