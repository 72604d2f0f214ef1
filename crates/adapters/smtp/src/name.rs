//! The recipient's name as a mail can carry it. Names come from the
//! database, where one may have been stored before input was checked (a line
//! feed, a bare CR, a NUL). A name goes into the `To` header and the greeting
//! of both parts; a control character would break the header (lettre refuses
//! to render CR and LF) or the 8bit body (a bare CR or NUL), and with them
//! every mail to that person. So the name is cleaned first, and a name that
//! cleans to nothing is left out: the mail still goes to the address.

/// The longest name kept, in characters. The greeting stays far below the
/// 998-octet line limit of an 8bit part even when every character is
/// escaped in HTML; a longer name is cut and ends in `…`.
pub(crate) const MAX_NAME_CHARS: usize = 100;

/// `raw` without control characters (C0 and C1, DEL, line and paragraph
/// separators, bidirectional overrides — each becomes a space), with runs of
/// white space as one space, trimmed and at most [`MAX_NAME_CHARS`] long;
/// `None` when nothing is left.
pub(crate) fn clean(raw: Option<&str>) -> Option<String> {
    let spaced: String = raw?.chars().map(|c| if is_unsafe(c) { ' ' } else { c }).collect();
    let mut name = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() > MAX_NAME_CHARS {
        let cut: String = name.chars().take(MAX_NAME_CHARS - 1).collect();
        name = format!("{}…", cut.trim_end());
    }
    (!name.is_empty()).then_some(name)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(clean(Some("Eve\nX")).as_deref(), Some("Eve X"));
        assert_eq!(clean(Some("A\rB")).as_deref(), Some("A B"));
        assert_eq!(clean(Some("Nul\0l")).as_deref(), Some("Nul l"));
        assert_eq!(clean(Some("Line\u{2028}Sep\u{2029}")).as_deref(), Some("Line Sep"));
        assert_eq!(
            clean(Some("\r\n\t Jane \u{85} Doe \u{7f}")).as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(clean(Some("\u{202E}evE")).as_deref(), Some("evE"));
    }

    #[test]
    fn ordinary_names_stay_as_they_are() {
        assert_eq!(
            clean(Some("Harrie van Tiggelen")).as_deref(),
            Some("Harrie van Tiggelen")
        );
        assert_eq!(clean(Some("Zoë O'Brien-Łukasz")).as_deref(), Some("Zoë O'Brien-Łukasz"));
        assert_eq!(clean(Some("\"Rogue\" <x@y>")).as_deref(), Some("\"Rogue\" <x@y>"));
    }

    #[test]
    fn nothing_left_is_no_name() {
        assert_eq!(clean(None), None);
        assert_eq!(clean(Some("")), None);
        assert_eq!(clean(Some("\n\r\0\u{2028}  ")), None);
    }

    #[test]
    fn long_names_are_cut() {
        let name = clean(Some(&"é".repeat(5000))).expect("a name");
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with('…'), "{name}");
    }
}
