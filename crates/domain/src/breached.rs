//! Breached passwords, offline: a membership filter over the SHA-1 hashes of
//! Have I Been Pwned's "Pwned Passwords" list, built once by an operator
//! (`registrar passwords import-breached`) and kept in the database.
//!
//! The filter is a binary fuse filter with 16-bit fingerprints (`xorf`'s
//! `BinaryFuse16`) over the first 64 bits of each SHA-1: about 18 bits an
//! entry, no false negatives, and a false-positive rate near 2⁻¹⁶ (one
//! good password in ~65,000 refused as breached, asked to choose another).
//! Keys are the hash's first 8 bytes, big-endian, so that a list sorted by
//! hash gives sorted keys.
//!
//! The filter travels as bytes in a format of our own ([`BreachedPasswords::to_bytes`]):
//! a header (magic, version, kind, entry count) and the filter's parts,
//! fingerprints little-endian. Reading them back checks every part that a
//! lookup indexes with, so that a corrupt blob is refused, never a panic.

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use xorf::{BinaryFuse16, Filter};

/// The first bytes of every stored filter.
const MAGIC: &[u8; 4] = b"RGBP";
/// The version of the byte format.
const FORMAT: u8 = 1;
/// The kind byte of a filter with no entry (refuses nothing).
const KIND_EMPTY: u8 = 0;
/// The kind byte of a `BinaryFuse16`.
const KIND_FUSE16: u8 = 16;
/// magic, format, kind, two reserved bytes, entry count.
const HEADER: usize = 4 + 1 + 1 + 2 + 8;
/// seed, segment length, its mask, segment count length, fingerprint count.
const FUSE_PARTS: usize = 8 + 4 + 4 + 4 + 8;

/// The key of a SHA-1 hash: its first 64 bits, big-endian.
pub fn key_of_sha1(sha1: &[u8; 20]) -> u64 {
    let mut first = [0_u8; 8];
    first.copy_from_slice(&sha1[..8]);
    u64::from_be_bytes(first)
}

/// The key of a password: of the SHA-1 of its UTF-8 bytes, as Have I Been
/// Pwned hashes them.
pub fn key_of_password(password: &str) -> u64 {
    let mut sha1 = [0_u8; 20];
    sha1.copy_from_slice(&Sha1::digest(password.as_bytes()));
    key_of_sha1(&sha1)
}

/// A password's SHA-1 as Have I Been Pwned lists it: 40 uppercase hex
/// digits (for generated lists in tests and benchmarks).
pub fn hibp_hash(password: &str) -> String {
    hex::encode_upper(Sha1::digest(password.as_bytes()))
}

/// Why a filter could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// More entries than a filter of this kind holds (its indexes are 32-bit).
    #[error("too many entries for one filter: {0}")]
    TooMany(u64),
    /// The construction gave up (it retries with new seeds; this is not
    /// expected with distinct keys).
    #[error("the filter could not be built: {0}")]
    Construction(&'static str),
}

/// Why stored bytes are not a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CorruptFilter {
    #[error("not a breached-password filter (no magic bytes)")]
    NotAFilter,
    #[error("format version {0} is not known to this release")]
    UnknownFormat(u8),
    #[error("filter kind {0} is not known to this release")]
    UnknownKind(u8),
    #[error("truncated or too long: {0}")]
    Length(&'static str),
    #[error("inconsistent filter parts: {0}")]
    Inconsistent(&'static str),
}

/// The parts of a `BinaryFuse16`, in the order its serde form has them:
/// the way in and out of the crate's private fields.
#[derive(Serialize, Deserialize)]
struct FuseParts {
    seed: u64,
    segment_length: u32,
    segment_length_mask: u32,
    segment_count_length: u32,
    fingerprints: Box<[u16]>,
}

impl FuseParts {
    /// Refuses parts a lookup could index out of bounds with: a lookup
    /// reads `h0 < segment_count_length`, and `h1`, `h2` within the next
    /// two segments, so the fingerprints must be exactly that many.
    fn check(&self) -> Result<(), CorruptFilter> {
        let length = self.segment_length;
        if length == 0 || !length.is_power_of_two() {
            return Err(CorruptFilter::Inconsistent("segment length is not a power of two"));
        }
        if self.segment_length_mask != length - 1 {
            return Err(CorruptFilter::Inconsistent("segment mask"));
        }
        if self.segment_count_length == 0 || !self.segment_count_length.is_multiple_of(length) {
            return Err(CorruptFilter::Inconsistent("segment count length"));
        }
        let expected = u64::from(self.segment_count_length) + 2 * u64::from(length);
        if expected > u64::from(u32::MAX) || u64::try_from(self.fingerprints.len()).ok() != Some(expected) {
            return Err(CorruptFilter::Inconsistent("fingerprint count"));
        }
        Ok(())
    }

    fn of(filter: &BinaryFuse16) -> Option<Self> {
        let bytes = postcard::to_allocvec(filter).ok()?;
        postcard::from_bytes(&bytes).ok()
    }

    fn into_filter(self) -> Option<BinaryFuse16> {
        let bytes = postcard::to_allocvec(&self).ok()?;
        postcard::from_bytes(&bytes).ok()
    }
}

/// The breached-password filter: "is this password's SHA-1 on the list?"
/// No false negatives; false positives near 2⁻¹⁶.
pub struct BreachedPasswords {
    /// `None` for a list with no entry.
    filter: Option<BinaryFuse16>,
    /// Distinct keys it was built from.
    entries: u64,
}

impl std::fmt::Debug for BreachedPasswords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BreachedPasswords")
            .field("entries", &self.entries)
            .field("bytes", &self.byte_len())
            .finish()
    }
}

impl BreachedPasswords {
    /// A filter with no entry: refuses nothing.
    pub fn empty() -> Self {
        Self {
            filter: None,
            entries: 0,
        }
    }

    /// Builds the filter from keys ([`key_of_sha1`]) in any order, with
    /// repeats (two hashes that share their first 64 bits are one key).
    pub fn build(mut keys: Vec<u64>) -> Result<Self, BuildError> {
        keys.sort_unstable();
        keys.dedup();
        let entries = u64::try_from(keys.len()).unwrap_or(u64::MAX);
        if keys.is_empty() {
            return Ok(Self::empty());
        }
        // The construction's sizes are u32: ~3.8 billion entries at most,
        // with room for its 1.125× fingerprints.
        if entries > 3_500_000_000 {
            return Err(BuildError::TooMany(entries));
        }
        // The construction's arithmetic wants a few keys at least; pad a
        // tiny list with keys no SHA-1 is likely to start with (each a
        // 2⁻⁶⁴ chance), which changes no answer in practice.
        let mut padding = 0_u64;
        while keys.len() < MIN_KEYS {
            keys.push(padding);
            keys.sort_unstable();
            keys.dedup();
            padding += 1;
        }
        let filter = BinaryFuse16::try_from(&keys).map_err(BuildError::Construction)?;
        Ok(Self {
            filter: Some(filter),
            entries,
        })
    }

    /// Whether `password` is (probably) on the list.
    pub fn contains(&self, password: &str) -> bool {
        self.contains_key(key_of_password(password))
    }

    /// Whether the key ([`key_of_sha1`]) is (probably) on the list.
    pub fn contains_key(&self, key: u64) -> bool {
        self.filter.as_ref().is_some_and(|f| f.contains(&key))
    }

    /// Distinct entries the filter was built from.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// The size of [`Self::to_bytes`], without making them.
    pub fn byte_len(&self) -> usize {
        match &self.filter {
            None => HEADER,
            Some(f) => HEADER + FUSE_PARTS + 2 * f.len(),
        }
    }

    /// The filter as bytes, to be stored; [`Self::from_bytes`] reads them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.byte_len());
        out.extend_from_slice(MAGIC);
        out.push(FORMAT);
        let parts = self.filter.as_ref().and_then(FuseParts::of);
        out.push(if parts.is_some() { KIND_FUSE16 } else { KIND_EMPTY });
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.entries.to_le_bytes());
        if let Some(parts) = parts {
            out.extend_from_slice(&parts.seed.to_le_bytes());
            out.extend_from_slice(&parts.segment_length.to_le_bytes());
            out.extend_from_slice(&parts.segment_length_mask.to_le_bytes());
            out.extend_from_slice(&parts.segment_count_length.to_le_bytes());
            let count = u64::try_from(parts.fingerprints.len()).unwrap_or(u64::MAX);
            out.extend_from_slice(&count.to_le_bytes());
            for fingerprint in parts.fingerprints.iter() {
                out.extend_from_slice(&fingerprint.to_le_bytes());
            }
        }
        out
    }

    /// Reads [`Self::to_bytes`]; every part is checked, so bytes that are
    /// not a filter of this release are an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CorruptFilter> {
        let mut input = Reader(bytes);
        if input.take(4).ok_or(CorruptFilter::NotAFilter)? != MAGIC {
            return Err(CorruptFilter::NotAFilter);
        }
        let format = input.u8().ok_or(CorruptFilter::Length("header"))?;
        if format != FORMAT {
            return Err(CorruptFilter::UnknownFormat(format));
        }
        let kind = input.u8().ok_or(CorruptFilter::Length("header"))?;
        input.take(2).ok_or(CorruptFilter::Length("header"))?;
        let entries = input.u64().ok_or(CorruptFilter::Length("header"))?;
        let filter = match kind {
            KIND_EMPTY => None,
            KIND_FUSE16 => Some(Self::fuse16(&mut input, entries)?),
            other => return Err(CorruptFilter::UnknownKind(other)),
        };
        if !input.0.is_empty() {
            return Err(CorruptFilter::Length("bytes after the filter"));
        }
        Ok(Self { filter, entries })
    }

    fn fuse16(input: &mut Reader<'_>, entries: u64) -> Result<BinaryFuse16, CorruptFilter> {
        let short = CorruptFilter::Length("filter parts");
        let seed = input.u64().ok_or(short)?;
        let segment_length = input.u32().ok_or(short)?;
        let segment_length_mask = input.u32().ok_or(short)?;
        let segment_count_length = input.u32().ok_or(short)?;
        let count = input.u64().ok_or(short)?;
        // Checked against the bytes there before anything is allocated.
        let wanted = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(2))
            .filter(|w| *w == input.0.len())
            .ok_or(CorruptFilter::Length("fingerprints"))?;
        if count < entries {
            return Err(CorruptFilter::Inconsistent("fewer fingerprints than entries"));
        }
        let fingerprints: Box<[u16]> = input
            .take(wanted)
            .ok_or(CorruptFilter::Length("fingerprints"))?
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        let parts = FuseParts {
            seed,
            segment_length,
            segment_length_mask,
            segment_count_length,
            fingerprints,
        };
        parts.check()?;
        parts
            .into_filter()
            .ok_or(CorruptFilter::Inconsistent("the parts do not make a filter"))
    }
}

/// Fewer keys than this are padded (see [`BreachedPasswords::build`]).
const MIN_KEYS: usize = 64;

/// Reads little-endian numbers off the front of a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_le_bytes)
    }
}

/// A line of a Pwned Passwords file that is not `HASH:COUNT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HibpLineError {
    #[error("no ':' between hash and count")]
    NoColon,
    #[error("the hash is not 40 hexadecimal digits (a SHA-1)")]
    NotSha1,
    #[error("the count is not a whole number")]
    BadCount,
}

/// One line of a Pwned Passwords SHA-1 file, `HASH:COUNT` (hex in either
/// case; a trailing carriage return is allowed): the hash's key
/// ([`key_of_sha1`]) and the count.
pub fn parse_hibp_line(line: &[u8]) -> Result<(u64, u64), HibpLineError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let colon = line.iter().position(|b| *b == b':').ok_or(HibpLineError::NoColon)?;
    let (hash, count) = line.split_at(colon);
    let count = &count[1..];
    let mut sha1 = [0_u8; 20];
    if hash.len() != 40 {
        return Err(HibpLineError::NotSha1);
    }
    hex::decode_to_slice(hash, &mut sha1).map_err(|_| HibpLineError::NotSha1)?;
    if count.is_empty() || !count.iter().all(u8::is_ascii_digit) {
        return Err(HibpLineError::BadCount);
    }
    let count = std::str::from_utf8(count)
        .ok()
        .and_then(|c| c.parse::<u64>().ok())
        .ok_or(HibpLineError::BadCount)?;
    Ok((key_of_sha1(&sha1), count))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys from a tiny generator of our own (no randomness in the domain).
    fn keys(n: u64, salt: u64) -> Vec<u64> {
        (0..n)
            .map(|i| {
                let mut x = i.wrapping_add(salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                x ^= x >> 31;
                x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
                x ^ (x >> 29)
            })
            .collect()
    }

    #[test]
    fn the_key_of_a_password_is_the_start_of_its_sha1() {
        // SHA-1("password"), as Have I Been Pwned lists it.
        assert_eq!(hibp_hash("password"), "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
        assert_eq!(key_of_password("password"), 0x5BAA_61E4_C9B9_3F3F);
        let line = format!("{}:3861493", hibp_hash("password"));
        assert_eq!(parse_hibp_line(line.as_bytes()), Ok((0x5BAA_61E4_C9B9_3F3F, 3_861_493)));
    }

    #[test]
    fn lines_in_either_case_and_with_crlf_parse_and_malformed_ones_are_refused() {
        let lower = "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8:12\r";
        assert_eq!(parse_hibp_line(lower.as_bytes()), Ok((0x5BAA_61E4_C9B9_3F3F, 12)));
        for (line, error) in [
            ("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8", HibpLineError::NoColon),
            ("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD:1", HibpLineError::NotSha1),
            ("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FDX:1", HibpLineError::NotSha1),
            // An NTLM list (32 digits) is not the SHA-1 one.
            ("8846F7EAEE8FB117AD06BDD830B7586C:1", HibpLineError::NotSha1),
            ("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:", HibpLineError::BadCount),
            ("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:-1", HibpLineError::BadCount),
            ("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8: 1", HibpLineError::BadCount),
            (
                "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:99999999999999999999999",
                HibpLineError::BadCount,
            ),
            ("é:1", HibpLineError::NotSha1),
        ] {
            assert_eq!(parse_hibp_line(line.as_bytes()), Err(error), "{line}");
        }
    }

    #[test]
    fn a_built_filter_holds_every_password_and_rarely_another() {
        let breached = ["password", "123456", "Tr0ub4dor&3", "correct horse battery staple"];
        let mut all = keys(20_000, 7);
        all.extend(breached.iter().map(|p| key_of_password(p)));
        // Repeats count once.
        all.extend(breached.iter().map(|p| key_of_password(p)));
        let filter = BreachedPasswords::build(all).expect("built");
        assert_eq!(filter.entries(), 20_004);
        for password in breached {
            assert!(filter.contains(password), "{password}");
        }
        assert!(!filter.contains("SweetKittens23#"));
        let false_positives = keys(100_000, 1_000_000)
            .into_iter()
            .filter(|k| filter.contains_key(*k))
            .count();
        // 2⁻¹⁶ of 100,000 is ~1.5.
        assert!(false_positives < 10, "{false_positives}");
    }

    #[test]
    fn tiny_and_empty_lists_build() {
        let empty = BreachedPasswords::build(Vec::new()).expect("built");
        assert_eq!(empty.entries(), 0);
        assert!(!empty.contains("password"));
        for n in 1..80 {
            let list = keys(n, 3);
            let filter = BreachedPasswords::build(list.clone()).expect("built");
            assert_eq!(filter.entries(), n);
            assert!(list.iter().all(|k| filter.contains_key(*k)), "{n}");
        }
    }

    #[test]
    fn the_bytes_give_back_the_same_filter() {
        let list = keys(5_000, 11);
        let filter = BreachedPasswords::build(list.clone()).expect("built");
        let bytes = filter.to_bytes();
        assert_eq!(bytes.len(), filter.byte_len());
        let back = BreachedPasswords::from_bytes(&bytes).expect("read back");
        assert_eq!(back.entries(), 5_000);
        assert!(list.iter().all(|k| back.contains_key(*k)));
        for probe in keys(20_000, 99) {
            assert_eq!(back.contains_key(probe), filter.contains_key(probe));
        }
        let empty = BreachedPasswords::empty().to_bytes();
        assert_eq!(BreachedPasswords::from_bytes(&empty).expect("empty").entries(), 0);
    }

    #[test]
    fn corrupt_bytes_are_refused_never_a_panic() {
        let filter = BreachedPasswords::build(keys(3_000, 5)).expect("built");
        let bytes = filter.to_bytes();
        assert_eq!(
            BreachedPasswords::from_bytes(b"").unwrap_err(),
            CorruptFilter::NotAFilter
        );
        assert_eq!(
            BreachedPasswords::from_bytes(b"PK\x03\x04xxxx").unwrap_err(),
            CorruptFilter::NotAFilter
        );
        let mut future = bytes.clone();
        future[4] = 2;
        assert_eq!(
            BreachedPasswords::from_bytes(&future).unwrap_err(),
            CorruptFilter::UnknownFormat(2)
        );
        let mut kind = bytes.clone();
        kind[5] = 8;
        assert_eq!(
            BreachedPasswords::from_bytes(&kind).unwrap_err(),
            CorruptFilter::UnknownKind(8)
        );
        // Every truncation is refused.
        for cut in 0..HEADER + FUSE_PARTS + 4 {
            assert!(BreachedPasswords::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert!(BreachedPasswords::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(BreachedPasswords::from_bytes(&longer).is_err());
        // Any byte of the header and the parts changed: refused, or a filter
        // whose lookups stay in bounds.
        for at in 0..HEADER + FUSE_PARTS {
            for value in [0_u8, 1, 0x7F, 0x80, 0xFF] {
                let mut changed = bytes.clone();
                changed[at] = value;
                if let Ok(read) = BreachedPasswords::from_bytes(&changed) {
                    for probe in keys(2_000, 42) {
                        read.contains_key(probe);
                    }
                }
            }
        }
    }
}
