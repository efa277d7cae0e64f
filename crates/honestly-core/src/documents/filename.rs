//! File names as given by uploaders, made safe to store and to put in a
//! `Content-Disposition` header: no path parts, no control characters, bounded length.

/// Longest stored file name, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// Sanitises an uploaded file name. Never empty: falls back to `document`.
pub fn sanitize(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '"' | ':' | '*' | '?' | '<' | '>' | '|') { '_' } else { c })
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        "document".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;
    use proptest::prelude::*;

    #[test]
    fn path_parts_and_controls_are_removed() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("C:\\Users\\me\\id card.pdf"), "id card.pdf");
        assert_eq!(sanitize("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(sanitize("..."), "document");
        assert_eq!(sanitize("say \"hi\".txt"), "say _hi_.txt");
        assert_eq!(sanitize(""), "document");
    }

    proptest! {
        #[test]
        fn sanitised_names_are_always_safe(raw in "\\PC{0,300}|.{0,300}") {
            let name = sanitize(&raw);
            prop_assert!(!name.is_empty());
            prop_assert!(!name.contains('/') && !name.contains('\\') && !name.contains('"'));
            prop_assert!(!name.chars().any(char::is_control));
            prop_assert!(name.chars().count() <= super::MAX_FILE_NAME_CHARS);
            prop_assert!(!name.starts_with('.'));
        }
    }
}
