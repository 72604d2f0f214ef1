//! The language of messages, mails and pages: a validated language code.
//!
//! Which languages are *offered* is not the domain's to say: it is the set of
//! languages the adapters have catalogues for (`locales/<code>/*.ftl`). The
//! domain only checks the shape of a code; whoever lets a language in from
//! outside passes the offered set ([`Language::offered`],
//! [`Language::from_accept_language`]).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A language code: two or three lowercase ASCII letters (`en`, `nl`, `tlh`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Language {
    /// The letters, unused ones zero.
    letters: [u8; 3],
}

impl Language {
    pub const EN: Language = Language::known(*b"en\0");
    pub const NL: Language = Language::known(*b"nl\0");
    pub const FR: Language = Language::known(*b"fr\0");
    pub const DE: Language = Language::known(*b"de\0");
    pub const ES: Language = Language::known(*b"es\0");

    /// The languages this repository ships catalogues for, in their
    /// historical order (which is also how they sort). The languages a
    /// running server offers are its catalogues'.
    pub const BUILT_IN: [Language; 5] = [Language::EN, Language::NL, Language::FR, Language::DE, Language::ES];

    const fn known(letters: [u8; 3]) -> Self {
        Self { letters }
    }

    pub fn code(&self) -> &str {
        let len = self.letters.iter().position(|b| *b == 0).unwrap_or(3);
        // Only ASCII letters are ever stored.
        std::str::from_utf8(self.letters.get(..len).unwrap_or_default()).unwrap_or_default()
    }

    /// A well-formed code, case-insensitive (`"NL"` → `nl`): two or three
    /// ASCII letters. Says nothing about whether the language is offered.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().as_bytes();
        if !(2..=3).contains(&code.len()) || !code.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let mut letters = [0; 3];
        for (to, from) in letters.iter_mut().zip(code) {
            *to = from.to_ascii_lowercase();
        }
        Some(Self { letters })
    }

    /// [`Language::from_code`], if the language is one of `offered`.
    pub fn offered(code: &str, offered: &[Language]) -> Option<Self> {
        Self::from_code(code).filter(|l| offered.contains(l))
    }

    /// Picks the best offered language from an `Accept-Language` header,
    /// honouring q-values (`nl-BE,fr;q=0.8`); ties keep header order.
    /// `None` when nothing in the header is offered.
    pub fn from_accept_language(header: &str, offered: &[Language]) -> Option<Self> {
        let mut best: Option<(f32, usize, Language)> = None;
        for (index, part) in header.split(',').enumerate().take(32) {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default().trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").map(|v| v.trim().parse::<f32>().ok()))
                .unwrap_or(Some(1.0));
            let Some(q) = q.filter(|q| q.is_finite() && *q > 0.0 && *q <= 1.0) else {
                continue;
            };
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            let Some(language) = Self::offered(primary, offered) else {
                continue;
            };
            if best.is_none_or(|(bq, _, _)| q > bq) {
                best = Some((q, index, language));
            }
        }
        best.map(|(_, _, l)| l)
    }

    /// The built-in languages first, in their order; then the others by code.
    fn rank(&self) -> (usize, [u8; 3]) {
        let built_in = Self::BUILT_IN.iter().position(|l| l == self);
        (built_in.unwrap_or(Self::BUILT_IN.len()), self.letters)
    }
}

impl Ord for Language {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for Language {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Language({})", self.code())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl FromStr for Language {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::from_code(s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &[Language] = &Language::BUILT_IN;

    #[test]
    fn picks_by_q_value_then_order() {
        assert_eq!(
            Language::from_accept_language("en-US,en;q=0.5", OURS),
            Some(Language::EN)
        );
        assert_eq!(Language::from_accept_language("nl-BE", OURS), Some(Language::NL));
        assert_eq!(
            Language::from_accept_language("fr;q=0.4, de;q=0.9", OURS),
            Some(Language::DE)
        );
        assert_eq!(Language::from_accept_language("ja, es;q=0.1", OURS), Some(Language::ES));
        assert_eq!(Language::from_accept_language("ja, zh", OURS), None);
        assert_eq!(Language::from_accept_language("de;q=0, fr", OURS), Some(Language::FR));
        assert_eq!(Language::from_accept_language("*", OURS), None);
        assert_eq!(Language::from_accept_language("", OURS), None);
    }

    #[test]
    fn a_code_is_two_or_three_letters_and_offered_is_a_separate_question() {
        assert_eq!(
            Language::from_code(" NL ").map(|l| l.code().to_owned()),
            Some("nl".into())
        );
        assert_eq!(
            Language::from_code("tlh").map(|l| l.code().to_owned()),
            Some("tlh".into())
        );
        for bad in ["", "e", "engl", "e1", "é", "en-GB"] {
            assert_eq!(Language::from_code(bad), None, "{bad:?}");
        }
        assert_eq!(Language::offered("ja", OURS), None);
        assert_eq!(Language::offered("DE", OURS), Some(Language::DE));
        let xx = Language::from_code("xx").expect("well-formed");
        assert_eq!(
            Language::from_accept_language("xx, en;q=0.5", &[Language::EN, xx]),
            Some(xx)
        );
    }

    #[test]
    fn built_in_languages_sort_first_in_their_order() {
        let mut all = vec![Language::from_code("aa").expect("code")];
        all.extend(Language::BUILT_IN.iter().rev());
        all.sort();
        let codes: Vec<&str> = all.iter().map(Language::code).collect();
        assert_eq!(codes, ["en", "nl", "fr", "de", "es", "aa"]);
    }
}
