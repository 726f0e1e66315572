//! "Did you mean" for names the user mistyped: keys, enum values, rule IDs.

/// The candidate closest to `input`, when it is close enough to be a typo.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = strsim::jaro_winkler(&lowered, &c.to_ascii_lowercase());
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Help for serde's "unknown field `x`, expected one of a, b" and "unknown
/// variant" messages: the closest expected name and the list of them.
pub(crate) fn help_for_serde_message(message: &str) -> Option<String> {
    let (what, name, rest) = unknown_name(message)?;
    let expected = rest.split_once("expected ")?.1;
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    let expected = expected.split(" at line ").next().unwrap_or(expected);
    let candidates: Vec<&str> = expected
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|c| c.trim().trim_matches('`'))
        .filter(|c| !c.is_empty() && !c.starts_with("__serde_saphyr"))
        .collect();
    if candidates.is_empty() {
        return Some(format!("this {what} is not allowed here"));
    }
    let list = candidates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    Some(match did_you_mean(name, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? Allowed here: {list}"),
        None => format!("allowed here: {list}"),
    })
}

/// "unknown key `zoen`" for serde's "unknown field `zoen`, expected one of
/// ..." (the help carries the list), and likewise for values.
pub(crate) fn shorten_unknown_name(message: &str) -> Option<String> {
    let (what, name, _) = unknown_name(message)?;
    Some(format!("unknown {what} `{name}`"))
}

/// What serde's "unknown field `x`..." or "unknown variant `x`..." message
/// names: "key" or "value", the name, and the rest of the message.
fn unknown_name(message: &str) -> Option<(&'static str, &str, &str)> {
    let (what, rest) = if let Some(r) = message.strip_prefix("unknown field `") {
        ("key", r)
    } else if let Some(r) = message.strip_prefix("unknown variant `") {
        ("value", r)
    } else {
        return None;
    };
    let (name, rest) = rest.split_once('`')?;
    Some((what, name, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_typo() {
        assert_eq!(did_you_mean("memroy", ["name", "memory", "cores"]), Some("memory"));
        assert_eq!(did_you_mean("zzz", ["name", "memory"]), None);
    }

    #[test]
    fn reads_serde_messages() {
        let h = help_for_serde_message("unknown field `memroy`, expected one of name, memory, cores").unwrap();
        assert!(h.starts_with("did you mean `memory`?"), "{h}");
        let h = help_for_serde_message("unknown variant `workr`, expected one of `control-plane`, `worker`, `storage`")
            .unwrap();
        assert!(h.starts_with("did you mean `worker`?"), "{h}");
        let h = help_for_serde_message("unknown field `x`, expected `a` or `b`").unwrap();
        assert!(h.contains("`a`, `b`"), "{h}");
    }
}
