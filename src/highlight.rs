//! Syntax colouring for the JSON editor: the text as HTML with one `<span class="tok-...">` per
//! token, laid under a transparent textarea. The text is escaped here, so no user input can
//! become markup.
//!
//! Tolerant by design: the text is often mid-edit and invalid, so the scanner never fails; an
//! unterminated string runs to the end of its line.

/// Token kinds, named by their CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Key,
    Str,
    Num,
    Lit,
    Punct,
}

impl Tok {
    fn class(self) -> &'static str {
        match self {
            Tok::Key => "tok-key",
            Tok::Str => "tok-str",
            Tok::Num => "tok-num",
            Tok::Lit => "tok-lit",
            Tok::Punct => "tok-punct",
        }
    }
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
}

fn push_tok(out: &mut String, tok: Tok, s: &str) {
    out.push_str("<span class=\"");
    out.push_str(tok.class());
    out.push_str("\">");
    escape_into(out, s);
    out.push_str("</span>");
}

/// The text as highlighted HTML. A trailing newline gets a space after it so the layer is as
/// tall as the textarea's last (empty) line.
pub fn to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = match c {
            '"' => {
                // To the closing quote (skipping escapes) or the end of the line.
                let mut end = rest.len();
                let mut escaped = false;
                for (i, ch) in rest.char_indices().skip(1) {
                    if escaped {
                        escaped = false;
                    } else if ch == '\\' {
                        escaped = true;
                    } else if ch == '"' {
                        end = i + 1;
                        break;
                    } else if ch == '\n' {
                        end = i;
                        break;
                    }
                }
                let s = rest.get(..end).unwrap_or(rest);
                // A string followed (after blanks) by `:` is an object key.
                let after = rest
                    .get(end..)
                    .unwrap_or("")
                    .trim_start_matches([' ', '\t']);
                let tok = if after.starts_with(':') {
                    Tok::Key
                } else {
                    Tok::Str
                };
                push_tok(&mut out, tok, s);
                end
            }
            '-' | '0'..='9' => {
                let end = rest
                    .find(|ch: char| !(ch.is_ascii_digit() || "+-.eE".contains(ch)))
                    .unwrap_or(rest.len());
                push_tok(&mut out, Tok::Num, rest.get(..end).unwrap_or(rest));
                end
            }
            't' | 'f' | 'n' => {
                let end = rest
                    .find(|ch: char| !ch.is_ascii_alphabetic())
                    .unwrap_or(rest.len());
                let word = rest.get(..end).unwrap_or(rest);
                if matches!(word, "true" | "false" | "null") {
                    push_tok(&mut out, Tok::Lit, word);
                } else {
                    escape_into(&mut out, word);
                }
                end
            }
            '{' | '}' | '[' | ']' | ':' | ',' => {
                push_tok(&mut out, Tok::Punct, rest.get(..1).unwrap_or(""));
                1
            }
            _ => {
                // Blanks and anything else, up to the next character that starts a token.
                let end = rest
                    .char_indices()
                    .skip(1)
                    .find(|(_, ch)| "\"-0123456789tfn{}[]:,".contains(*ch))
                    .map_or(rest.len(), |(i, _)| i);
                escape_into(&mut out, rest.get(..end).unwrap_or(rest));
                end
            }
        };
        rest = rest.get(len..).unwrap_or("");
    }
    if text.ends_with('\n') || text.is_empty() {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn colours_keys_strings_numbers_and_literals() {
        let html = to_html(r#"{"a": "b", "n": -1.5e3, "t": true, "z": null}"#);
        assert!(
            html.contains(r#"<span class="tok-key">"a"</span>"#),
            "{html}"
        );
        assert!(html.contains(r#"<span class="tok-str">"b"</span>"#));
        assert!(html.contains(r#"<span class="tok-num">-1.5e3</span>"#));
        assert!(html.contains(r#"<span class="tok-lit">true</span>"#));
        assert!(html.contains(r#"<span class="tok-lit">null</span>"#));
    }

    #[test]
    fn escapes_markup_and_keeps_every_character() {
        let text = "{\"x\": \"<script>&amp;\\\"</script>\"}\n  nope €\n\"open";
        let html = to_html(text);
        assert!(!html.contains("<script>"));
        // Stripping the spans and unescaping gives the text back.
        let mut plain = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => plain.push(c),
                _ => {}
            }
        }
        let plain = plain
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        assert_eq!(plain, text);
    }

    #[test]
    fn trailing_newline_keeps_height() {
        assert!(to_html("{}\n").ends_with(' '));
        assert_eq!(to_html(""), " ");
    }
}
