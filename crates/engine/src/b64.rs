//! Reading standard base64 (what KMS's binary fields and a scenario's key material hold) with
//! errors in words. The `base64` crate's own messages give byte values and byte offsets
//! ("Invalid symbol 36, offset 0."); a person pasting a ciphertext wants the character and
//! where it is.

use base64::DecodeError;
use base64::Engine as _;

/// Decodes standard base64 (RFC 4648 section 4, `+` and `/`, `=` padding) after trimming
/// surrounding white space; the error says what is wrong, without naming the field.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| problem(text, &e))
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

fn problem(text: &str, e: &DecodeError) -> String {
    match e {
        DecodeError::InvalidByte(offset, _) => {
            let (n, c) = char_at(text, *offset);
            match c {
                '-' | '_' => format!(
                    "{} at character {n} belongs to base64url; this field takes standard base64 (`+` and `/`)",
                    shown(c)
                ),
                '=' => format!(
                    "`=` at character {n} is padding, which may only end the text"
                ),
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
                "its last character {} (character {n}) cannot end a base64 text: part of it is missing or changed",
                shown(c)
            )
        }
        DecodeError::InvalidPadding => {
            "its `=` padding does not fit its length (a text of 4-character groups ends with at most `==`)".to_string()
        }
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
            ("aGVsbG9=", "its last character `9` (character 7) cannot end a base64 text: part of it is missing or changed"),
            ("aGVsbA", "its `=` padding does not fit its length (a text of 4-character groups ends with at most `==`)"),
        ];
        for (text, want) in cases {
            assert_eq!(decode(text).unwrap_err(), want, "{text}");
        }
    }
}
