//! Postal codes: the users API takes Dutch, Belgian and German ones,
//! typed registration takes British ones.

/// A Dutch (`1234 AB`, `1234AB`), Belgian (`4000`) or German (`26133`)
/// postal code, kept as written (trimmed; letters uppercased).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let letters = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_uppercase);
        let ok = match b.len() {
            // NL without space, first digit 1–9
            6 => digits(0..4) && b[0] != b'0' && letters(4..6),
            // NL with one space
            7 => digits(0..4) && b[0] != b'0' && b[4] == b' ' && letters(5..7),
            // BE: 1000–9999
            4 => digits(0..4) && b[0] != b'0',
            // DE: 01067–99998
            5 => digits(0..5) && &s != "00000",
            _ => false,
        };
        ok.then_some(Self(s))
    }
}

crate::text::text_value!(PostalCode, Debug);

/// A United Kingdom postcode (`SW1A 1AA`, `m1 1ae`, `GIR 0AA`), normalized to
/// uppercase with one space before the inward code.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UkPostcode(String);

impl UkPostcode {
    pub fn parse(input: &str) -> Option<Self> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if compact == "GIR0AA" {
            return Some(Self("GIR 0AA".into()));
        }
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return None;
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let i = inward.as_bytes();
        if !(i[0].is_ascii_digit() && i[1].is_ascii_uppercase() && i[2].is_ascii_uppercase()) {
            return None;
        }
        // Outward: A9, A9A, A99, AA9, AA9A, AA99.
        let o = outward.as_bytes();
        let letter = |c: u8| c.is_ascii_uppercase();
        let digit = |c: u8| c.is_ascii_digit();
        let ok = match o {
            [a, b] => letter(*a) && digit(*b),
            [a, b, c] => letter(*a) && ((digit(*b) && (letter(*c) || digit(*c))) || (letter(*b) && digit(*c))),
            [a, b, c, d] => letter(*a) && letter(*b) && digit(*c) && (letter(*d) || digit(*d)),
            _ => false,
        };
        ok.then(|| Self(format!("{outward} {inward}")))
    }
}

crate::text::text_value!(UkPostcode, Debug);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_belgian_and_german_codes() {
        for ok in ["5673RE", "5673 re", " 1234 AB ", "4000", "26133", "01067"] {
            assert!(PostalCode::parse(ok).is_some(), "{ok}");
        }
        assert_eq!(PostalCode::parse("5673re").map(|p| p.0), Some("5673RE".into()));
        for bad in [
            "", "0123AB", "1234  AB", "1234A", "123", "0400", "00000", "ABCDE", "1234-AB", "SW1A 1AA",
        ] {
            assert!(PostalCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn british_postcodes() {
        for (input, normal) in [
            ("SW1A 1AA", "SW1A 1AA"),
            ("sw1a1aa", "SW1A 1AA"),
            ("M1 1AE", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("gir 0aa", "GIR 0AA"),
        ] {
            assert_eq!(UkPostcode::parse(input).map(|p| p.0), Some(normal.into()), "{input}");
        }
        for bad in [
            "",
            "12345",
            "SW1A",
            "1AA 1AA",
            "SW1A 1A1",
            "ABCDE 1AA",
            "5673RE",
            "ÄB1 1AA",
        ] {
            assert!(UkPostcode::parse(bad).is_none(), "{bad}");
        }
    }
}
