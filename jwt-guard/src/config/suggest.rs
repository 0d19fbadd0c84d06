//! "Did you mean": the known name closest to a misspelt one, by edit distance.

/// The Levenshtein distance between `a` and `b`, in characters: the fewest insertions,
/// deletions and substitutions that turn one into the other.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate closest to `name`, when it is close enough to be a likely misspelling:
/// at most two edits away, or a third of the name's length for a long name. Ties go to
/// the first candidate.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let allowed = (name.chars().count().div_ceil(3)).max(2);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// `; did you mean "x"?`, or nothing.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    closest(name, candidates)
        .map(|known| format!("; did you mean {known:?}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("isuer", "issuer"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("é", "e"), 1, "characters, not bytes");
    }

    #[test]
    fn closest_is_close_enough() {
        let known = ["issuer", "audience", "leeway"];
        assert_eq!(closest("isuer", known), Some("issuer"));
        assert_eq!(closest("audiance", known), Some("audience"));
        assert_eq!(closest("leway", known), Some("leeway"));
        assert_eq!(closest("color", known), None);
        assert_eq!(closest("RS265", ["RS256", "ES256"]), Some("RS256"));
        assert_eq!(closest("strategy", ["strategies"]), Some("strategies"));
        assert_eq!(did_you_mean("issur", known), "; did you mean \"issuer\"?");
        assert_eq!(did_you_mean("zzz", known), "");
    }
}
