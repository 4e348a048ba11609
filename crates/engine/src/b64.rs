//! Reading standard base64 (what KMS's binary fields and a scenario's key material hold) with
//! errors in words. The `base64` crate's own messages give byte values and byte offsets
//! ("Invalid symbol 36, offset 0."); a person pasting a ciphertext wants the character and
//! where it is.

use base64::DecodeError;
use base64::Engine as _;

/// Decodes standard base64 (RFC 4648 section 4, `+` and `/`, `=` padding) after trimming
/// surrounding white space; the error says what is wrong, without naming the field, and counts
/// characters in `text` as given.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let lead = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .map_err(|e| problem(trimmed, &e, &|n| n + text[..lead].chars().count()))
}

/// Decodes standard base64 that may be wrapped over several lines (as `openssl base64` and
/// terminals give it): white space anywhere is skipped, and an error's character position
/// counts in `text` as given, white space included.
pub fn decode_wrapped(text: &str) -> Result<Vec<u8>, String> {
    // Where each kept character is in `text` (1-based, in characters).
    let mut places = Vec::new();
    let mut kept = String::with_capacity(text.len());
    for (n, c) in text.chars().enumerate() {
        if !c.is_whitespace() {
            kept.push(c);
            places.push(n + 1);
        }
    }
    base64::engine::general_purpose::STANDARD
        .decode(&kept)
        .map_err(|e| {
            problem(&kept, &e, &|n| {
                places.get(n.saturating_sub(1)).copied().unwrap_or(n)
            })
        })
}

/// The 1-based position (in characters) and the character holding byte `offset` of `text`.
pub(crate) fn char_at(text: &str, offset: usize) -> (usize, char) {
    text.char_indices()
        .enumerate()
        .take_while(|(_, (i, _))| *i <= offset)
        .last()
        .map_or((1, '?'), |(n, (_, c))| (n + 1, c))
}

/// A character as a message shows it: white space by name, the rest in backticks.
fn shown(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        '\n' | '\r' => "a line break".to_string(),
        '\t' => "a tab".to_string(),
        c => format!("`{}`", c.escape_debug()),
    }
}

/// What is wrong with `text` (already trimmed or unwrapped), in words; `place` turns a
/// character position in `text` into one in what the user wrote.
fn problem(text: &str, e: &DecodeError, place: &dyn Fn(usize) -> usize) -> String {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    match e {
        DecodeError::InvalidByte(offset, _) => {
            let (n, c) = char_at(text, *offset);
            let n = place(n);
            match c {
                '-' | '_' => format!(
                    "{} at character {n} belongs to base64url; this field takes standard base64 (`+` and `/`)",
                    shown(c)
                ),
                // Padding that does end the text, but after a group too short for it.
                '=' if *offset >= body.len() => format!(
                    "its {} characters before the `=` padding do not make whole groups of 4 with it: part of it is missing",
                    body.chars().count()
                ),
                '=' => format!("`=` at character {n} is padding, which may only end the text"),
                _ => format!(
                    "{} at character {n} is not a base64 character (`A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, and `=` at the end)",
                    shown(c)
                ),
            }
        }
        DecodeError::InvalidLength(n) => format!(
            "no base64 text has {n} characters before its padding (base64 comes in groups of 4 characters): part of it is missing"
        ),
        DecodeError::InvalidLastSymbol(offset, _) => {
            let (n, c) = char_at(text, *offset);
            format!(
                "its last character{} {} (character {}) cannot end a base64 text: part of it is missing or changed",
                if padding > 0 { " before the padding" } else { "" },
                shown(c),
                place(n)
            )
        }
        DecodeError::InvalidPadding if padding == 0 => {
            let missing = (4 - body.len() % 4) % 4;
            format!(
                "it lacks its padding: {} characters end with `{}` to make whole groups of 4",
                body.chars().count(),
                "=".repeat(missing)
            )
        }
        DecodeError::InvalidPadding => format!(
            "its `=` padding does not fit its length: {} characters end with `{}`",
            body.chars().count(),
            "=".repeat((4 - body.len() % 4) % 4)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_text_decodes_and_white_space_around_it_is_ignored() {
        assert_eq!(decode(" aGVsbG8=\n").unwrap(), b"hello");
        assert_eq!(decode("").unwrap(), b"");
    }

    #[test]
    fn each_kind_of_bad_text_is_said_in_words() {
        let cases = [
            ("$GVsbG8=", "`$` at character 1 is not a base64 character (`A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, and `=` at the end)"),
            ("aGV sbG8=", "a space at character 4 is not a base64 character (`A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, and `=` at the end)"),
            ("aGé=", "`é` at character 3 is not a base64 character (`A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, and `=` at the end)"),
            ("a-_sbG8=", "`-` at character 2 belongs to base64url; this field takes standard base64 (`+` and `/`)"),
            ("aG=sbG8=", "`=` at character 3 is padding, which may only end the text"),
            ("aGVsb", "no base64 text has 5 characters before its padding (base64 comes in groups of 4 characters): part of it is missing"),
            ("aGVsbG9=", "its last character before the padding `9` (character 7) cannot end a base64 text: part of it is missing or changed"),
            ("aGVsbA", "it lacks its padding: 6 characters end with `==` to make whole groups of 4"),
            ("aGVsbG8", "it lacks its padding: 7 characters end with `=` to make whole groups of 4"),
            ("aGVsbA=", "its `=` padding does not fit its length: 6 characters end with `==`"),
            ("aGVs=", "its 4 characters before the `=` padding do not make whole groups of 4 with it: part of it is missing"),
            ("aGVsbG8==", "its 7 characters before the `=` padding do not make whole groups of 4 with it: part of it is missing"),
            ("a=", "its 1 characters before the `=` padding do not make whole groups of 4 with it: part of it is missing"),
            ("  \n $GVs", "`$` at character 5 is not a base64 character (`A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, and `=` at the end)"),
        ];
        for (text, want) in cases {
            assert_eq!(decode(text).unwrap_err(), want, "{text:?}");
        }
    }

    #[test]
    fn wrapped_text_decodes_and_errors_count_characters_as_written() {
        assert_eq!(decode_wrapped("aGVs\nbG8=\n").unwrap(), b"hello");
        assert_eq!(
            decode_wrapped("aGVs\nb$8=").unwrap_err(),
            "`$` at character 7 is not a base64 character (`A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, and `=` at the end)"
        );
    }
}
