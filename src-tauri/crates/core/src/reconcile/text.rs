//! Normalising free text (references, counterparties) so that formatting differences between
//! systems do not hide agreement: `" INV-001 "` and `"inv-001"` are the same reference.

/// Lower-cased, trimmed, inner whitespace collapsed to one space; `None` when nothing is left.
pub(crate) fn normalise(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn case_and_spacing_do_not_matter() {
        assert_eq!(normalise("  INV-001 \t paid "), Some("inv-001 paid".to_owned()));
        assert_eq!(normalise("Ärger@X.de"), Some("ärger@x.de".to_owned()));
        assert_eq!(normalise(" \n "), None);
    }
}
