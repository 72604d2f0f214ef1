//! The five languages of messages, mails and pages.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Nl,
    Fr,
    De,
    Es,
}

impl Language {
    pub const ALL: [Language; 5] = [Language::En, Language::Nl, Language::Fr, Language::De, Language::Es];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Nl => "nl",
            Language::Fr => "fr",
            Language::De => "de",
            Language::Es => "es",
        }
    }

    /// Exact two-letter code, case-insensitive (`"NL"` → `Nl`).
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Picks the best supported language from an `Accept-Language` header,
    /// honouring q-values (`nl-BE,fr;q=0.8`); ties keep header order.
    /// `None` when nothing in the header is supported.
    pub fn from_accept_language(header: &str) -> Option<Self> {
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
            let Some(language) = Self::from_code(primary) else {
                continue;
            };
            if best.is_none_or(|(bq, _, _)| q > bq) {
                best = Some((q, index, language));
            }
        }
        best.map(|(_, _, l)| l)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
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

    #[test]
    fn picks_by_q_value_then_order() {
        assert_eq!(Language::from_accept_language("en-US,en;q=0.5"), Some(Language::En));
        assert_eq!(Language::from_accept_language("nl-BE"), Some(Language::Nl));
        assert_eq!(Language::from_accept_language("fr;q=0.4, de;q=0.9"), Some(Language::De));
        assert_eq!(Language::from_accept_language("ja, es;q=0.1"), Some(Language::Es));
        assert_eq!(Language::from_accept_language("ja, zh"), None);
        assert_eq!(Language::from_accept_language("de;q=0, fr"), Some(Language::Fr));
        assert_eq!(Language::from_accept_language("*"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }
}
