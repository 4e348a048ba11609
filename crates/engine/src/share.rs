//! Share links: a scenario's text packed into a URL fragment (`#s=...`), and unpacked again.
//!
//! The fragment never reaches a server, so a shared scenario stays between the people who hold
//! the link. Scenario JSON repeats itself a lot (ARNs, policy skeletons), so a small LZ77 coder
//! (a byte-oriented LZSS, no entropy stage) makes the link 2.5-5x shorter than the text (the
//! corpus's KMS scenarios: 7-25 KB of JSON become 2.8-6.8 K characters), while the code stays a
//! few KB of wasm and the decoder is small enough to check by reading (and to fuzz). A damaged or truncated link is refused with the place it broke,
//! never half-loaded: a checksum of the text is carried and verified.
//!
//! Layout of the decoded bytes (before base64url without padding):
//!
//! ```text
//! version (1 byte = 1) | text length (LEB128) | FNV-1a 32 of the text (4 bytes, LE) | tokens
//! tokens: groups of one flag byte + 8 items; flag bit i (LSB first) = 1: a match of 3 bytes
//!         (distance - 1 as u16 LE, length - 3 as u8), 0: one literal byte
//! ```

use base64::Engine as _;

/// The format version written by [`encode`].
const VERSION: u8 = 1;
/// The longest text a link may carry once unpacked: a guard against a crafted link that
/// would make the tab allocate without bound.
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;
/// Shortest and longest match the token format can say.
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = MIN_MATCH + u8::MAX as usize;
/// How far back a match may reach (a u16 holds distance - 1).
const WINDOW: usize = u16::MAX as usize + 1;
/// How many earlier positions with the same 3-byte hash the encoder tries.
const MAX_CHAIN: usize = 48;
const HASH_BITS: u32 = 15;

/// Why a share link could not be unpacked. Positions count bytes of the unpacked stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// Nothing after `#s=`.
    #[error("the share link carries no scenario")]
    Empty,
    /// A character outside base64url, or a length base64 cannot have.
    #[error("the share link is damaged: {0}")]
    Base64(String),
    /// A version this build does not read.
    #[error("the share link uses format version {0}, which this version of kmslab does not read")]
    Version(u8),
    /// The header's text length is missing, malformed or too large.
    #[error("the share link is damaged: its length field is invalid")]
    Length,
    /// The declared text is larger than [`MAX_TEXT_BYTES`].
    #[error("the share link would unpack to {0} bytes, over the {MAX_TEXT_BYTES}-byte limit")]
    TooLarge(u64),
    /// The stream ended inside a token.
    #[error("the share link is truncated: it ends at byte {0} of its packed data")]
    Truncated(usize),
    /// A match points before the start of the text.
    #[error("the share link is damaged at byte {at}: a back-reference reaches {distance} bytes back, before the start")]
    BadReference {
        /// Offset of the token in the packed stream.
        at: usize,
        /// The distance it names.
        distance: usize,
    },
    /// The tokens produce more or fewer bytes than the header says.
    #[error(
        "the share link is damaged: it unpacks to {actual} bytes, not the {declared} it declares"
    )]
    LengthMismatch {
        /// From the header.
        declared: usize,
        /// What the tokens produced (so far).
        actual: usize,
    },
    /// The text does not match its checksum.
    #[error("the share link is damaged: the unpacked text does not match its checksum")]
    Checksum,
    /// The bytes are not UTF-8.
    #[error("the share link is damaged: the unpacked text is not UTF-8")]
    NotUtf8,
}

/// FNV-1a, 32 bits: enough to notice a mistyped or cut link.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn hash3(a: u8, b: u8, c: u8) -> usize {
    let v = u32::from(a) | (u32::from(b) << 8) | (u32::from(c) << 16);
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

/// Packs `text` into the part of a share link after `#s=`.
pub fn encode(text: &str) -> String {
    let input = text.as_bytes();
    let mut out = vec![VERSION];
    let mut len = input.len() as u64;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(&fnv1a(input).to_le_bytes());
    compress(input, &mut out);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
}

/// LZSS with hash chains: `head[h]` is the latest position whose next 3 bytes hash to `h`,
/// `prev[i % WINDOW]` the position before `i` with the same hash.
fn compress(input: &[u8], out: &mut Vec<u8>) {
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; WINDOW];
    let mut flag_at = 0usize;
    let mut items = 8u8;
    let mut i = 0usize;
    let insert = |pos: usize, head: &mut [usize], prev: &mut [usize]| {
        if let (Some(&a), Some(&b), Some(&c)) =
            (input.get(pos), input.get(pos + 1), input.get(pos + 2))
        {
            let h = hash3(a, b, c);
            if let (Some(slot), Some(p)) = (head.get_mut(h), prev.get_mut(pos % WINDOW)) {
                *p = *slot;
                *slot = pos;
            }
        }
    };
    while i < input.len() {
        if items == 8 {
            flag_at = out.len();
            out.push(0);
            items = 0;
        }
        let (mut best_len, mut best_dist) = (0usize, 0usize);
        if let (Some(&a), Some(&b), Some(&c)) = (input.get(i), input.get(i + 1), input.get(i + 2)) {
            let mut cand = head.get(hash3(a, b, c)).copied().unwrap_or(usize::MAX);
            let mut tries = 0;
            let limit = MAX_MATCH.min(input.len() - i);
            while cand != usize::MAX && i - cand <= WINDOW && tries < MAX_CHAIN {
                let l = input
                    .get(cand..)
                    .unwrap_or_default()
                    .iter()
                    .zip(input.get(i..i + limit).unwrap_or_default())
                    .take_while(|(x, y)| x == y)
                    .count();
                if l > best_len {
                    best_len = l;
                    best_dist = i - cand;
                    if l == limit {
                        break;
                    }
                }
                tries += 1;
                let next = prev.get(cand % WINDOW).copied().unwrap_or(usize::MAX);
                // A slot overwritten by a newer position would point forward: stop there.
                if next == usize::MAX || next >= cand {
                    break;
                }
                cand = next;
            }
        }
        if best_len >= MIN_MATCH {
            if let Some(f) = out.get_mut(flag_at) {
                *f |= 1 << items;
            }
            out.extend_from_slice(&((best_dist - 1) as u16).to_le_bytes());
            out.push((best_len - MIN_MATCH) as u8);
            for p in i..i + best_len {
                insert(p, &mut head, &mut prev);
            }
            i += best_len;
        } else {
            out.push(input.get(i).copied().unwrap_or_default());
            insert(i, &mut head, &mut prev);
            i += 1;
        }
        items += 1;
    }
}

/// What is wrong with a link's base64url, in words (the crate's messages give byte values).
fn base64_problem(fragment: &str, e: &base64::DecodeError) -> String {
    use base64::DecodeError as E;
    // Offsets are in bytes; a pasted link may hold any character, so count characters.
    let found = |offset: usize| crate::b64::char_at(fragment, offset);
    let at = |offset: usize| found(offset).1;
    let nth = |offset: usize| found(offset).0;
    match e {
        E::InvalidByte(offset, _) if matches!(at(*offset), '+' | '/' | '=') => format!(
            "`{}` at character {} belongs to standard base64, not the base64url of a link (was the link re-encoded?)",
            at(*offset),
            nth(*offset)
        ),
        E::InvalidByte(offset, _) => format!(
            "`{}` at character {} is not a base64url character (`A`-`Z`, `a`-`z`, `0`-`9`, `-`, `_`)",
            at(*offset),
            nth(*offset)
        ),
        E::InvalidLength(n) => format!(
            "no base64url text is {n} characters long: part of the link is missing"
        ),
        E::InvalidLastSymbol(offset, _) => format!(
            "its last character `{}` cannot end a base64url text: part of the link is missing",
            at(*offset)
        ),
        E::InvalidPadding => "it has `=` padding, which a link never has".to_string(),
    }
}

/// Unpacks the part of a share link after `#s=` into the scenario text.
pub fn decode(fragment: &str) -> Result<String, ShareError> {
    let fragment = fragment.trim();
    if fragment.is_empty() {
        return Err(ShareError::Empty);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(fragment)
        .map_err(|e| ShareError::Base64(base64_problem(fragment, &e)))?;
    let mut pos = 0usize;
    let version = *bytes.first().ok_or(ShareError::Empty)?;
    if version != VERSION {
        return Err(ShareError::Version(version));
    }
    pos += 1;
    let mut declared = 0u64;
    let mut shift = 0u32;
    loop {
        let b = *bytes.get(pos).ok_or(ShareError::Length)?;
        pos += 1;
        if shift > 56 {
            return Err(ShareError::Length);
        }
        declared |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    if declared > MAX_TEXT_BYTES as u64 {
        return Err(ShareError::TooLarge(declared));
    }
    let declared = declared as usize;
    let sum = bytes
        .get(pos..pos + 4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map(u32::from_le_bytes)
        .ok_or(ShareError::Truncated(pos))?;
    pos += 4;
    let mut text: Vec<u8> = Vec::with_capacity(declared);
    while pos < bytes.len() {
        let flags = *bytes.get(pos).ok_or(ShareError::Truncated(pos))?;
        pos += 1;
        for bit in 0..8 {
            if pos >= bytes.len() {
                break;
            }
            if flags & (1 << bit) == 0 {
                text.push(*bytes.get(pos).ok_or(ShareError::Truncated(pos))?);
                pos += 1;
            } else {
                let at = pos;
                let tok = bytes.get(pos..pos + 3).ok_or(ShareError::Truncated(pos))?;
                let (d0, d1, l) = match tok {
                    [d0, d1, l] => (*d0, *d1, *l),
                    _ => return Err(ShareError::Truncated(pos)),
                };
                pos += 3;
                let distance = usize::from(u16::from_le_bytes([d0, d1])) + 1;
                let length = usize::from(l) + MIN_MATCH;
                if distance > text.len() {
                    return Err(ShareError::BadReference { at, distance });
                }
                let start = text.len() - distance;
                // Byte by byte: a match may overlap the bytes it produces (a run).
                for k in 0..length {
                    let b = text.get(start + k).copied().unwrap_or_default();
                    text.push(b);
                }
            }
            if text.len() > declared {
                return Err(ShareError::LengthMismatch {
                    declared,
                    actual: text.len(),
                });
            }
        }
    }
    if text.len() != declared {
        return Err(ShareError::LengthMismatch {
            declared,
            actual: text.len(),
        });
    }
    if fnv1a(&text) != sum {
        return Err(ShareError::Checksum);
    }
    String::from_utf8(text).map_err(|_| ShareError::NotUtf8)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_shrinks_json() {
        let text = include_str!("../../../scenarios/examples/nps-least-privilege.json");
        let packed = encode(text);
        assert_eq!(decode(&packed).unwrap(), text);
        assert!(
            packed.len() * 3 < text.len() * 2,
            "{} -> {}",
            text.len(),
            packed.len()
        );
    }

    #[test]
    fn round_trips_edge_cases() {
        let long_run = "a".repeat(100_000);
        let mixed = "€𝄞 \u{0}\n".repeat(50);
        for t in ["", "a", "ab", "abc", "abcabcabcabc", &long_run, &mixed] {
            assert_eq!(decode(&encode(t)).unwrap(), t);
        }
    }

    #[test]
    fn damage_is_refused_with_a_reason() {
        let packed = encode(&"{\"kmslab\": 1, \"steps\": []}".repeat(20));
        assert_eq!(decode(""), Err(ShareError::Empty));
        assert!(matches!(decode("ab$c"), Err(ShareError::Base64(_))));
        // Cut short: a truncated token or a length mismatch, never a partial text.
        for cut in 1..packed.len() {
            assert!(decode(&packed[..cut]).is_err(), "cut at {cut}");
        }
        // Flip one character: refused (checksum, reference or length), never panics.
        let mut chars: Vec<char> = packed.chars().collect();
        chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
        assert!(decode(&chars.iter().collect::<String>()).is_err());
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        assert_eq!(decode(&b64.encode([2u8, 0])), Err(ShareError::Version(2)));
        let bomb = b64.encode([1u8, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(matches!(decode(&bomb), Err(ShareError::TooLarge(_))));
        let back = b64.encode([1u8, 3, 0, 0, 0, 0, 0b1, 5, 0, 0]);
        assert_eq!(
            decode(&back),
            Err(ShareError::BadReference { at: 7, distance: 6 })
        );
    }
}
