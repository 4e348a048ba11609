//! A JSON reader that keeps positions.
//!
//! Policy documents and scenarios are written by people, so every error must say where it is:
//! line, column and JSON path. `serde_json` reports syntax errors with a position but loses it
//! once a document has parsed, so the engine reads JSON into [`Json`], a tree that remembers the
//! line and column of every value and object key. Semantic checks (an unknown `Effect`, a bad
//! ARN) then point at the exact value.
//!
//! The reader follows RFC 8259 strictly (no comments, no trailing commas), rejects duplicate
//! object keys (AWS rejects them in policies, and a silently dropped duplicate hides a typo), and
//! limits nesting depth so adversarial input cannot exhaust the stack.

use std::fmt;

/// Deepest nesting accepted. Real policies and scenarios nest fewer than 12 levels.
pub const MAX_DEPTH: usize = 128;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A JSON value with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// The value.
    pub value: JsonValue,
    /// Where the value starts in the source.
    pub pos: Pos,
}

/// An object member: the key (with its own position) and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key text.
    pub key: String,
    /// Where the key's opening quote is.
    pub key_pos: Pos,
    /// The value.
    pub value: Json,
}

/// The kinds of JSON value. Numbers keep their source text so that `1.50` is not rewritten.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in source order.
    Object(Vec<Member>),
}

impl Json {
    /// A short name of the value's JSON type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "a boolean",
            JsonValue::Number(_) => "a number",
            JsonValue::String(_) => "a string",
            JsonValue::Array(_) => "an array",
            JsonValue::Object(_) => "an object",
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsonValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            JsonValue::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The member named `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// Converts to a `serde_json::Value` (positions are dropped).
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.value {
            JsonValue::Null => serde_json::Value::Null,
            JsonValue::Bool(b) => serde_json::Value::Bool(*b),
            JsonValue::Number(n) => serde_json::from_str::<serde_json::Number>(n)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|_| serde_json::Value::String(n.clone())),
            JsonValue::String(s) => serde_json::Value::String(s.clone()),
            JsonValue::Array(items) => {
                serde_json::Value::Array(items.iter().map(Json::to_serde).collect())
            }
            JsonValue::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|m| (m.key.clone(), m.value.to_serde()))
                    .collect(),
            ),
        }
    }

    /// The value as pretty-printed JSON (two-space indent), keeping the members in source
    /// order and numbers as written: what the app shows and writes back to the user.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, 0);
        out
    }

    fn write_pretty(&self, out: &mut String, depth: usize) {
        let indent = |out: &mut String, d: usize| {
            out.push('\n');
            out.extend(std::iter::repeat_n("  ", d));
        };
        match &self.value {
            JsonValue::Null => out.push_str("null"),
            JsonValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            JsonValue::Number(n) => out.push_str(n),
            JsonValue::String(s) => out.push_str(&quote(s)),
            JsonValue::Array(items) if items.is_empty() => out.push_str("[]"),
            JsonValue::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, depth + 1);
                    item.write_pretty(out, depth + 1);
                }
                indent(out, depth);
                out.push(']');
            }
            JsonValue::Object(members) if members.is_empty() => out.push_str("{}"),
            JsonValue::Object(members) => {
                out.push('{');
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, depth + 1);
                    out.push_str(&quote(&m.key));
                    out.push_str(": ");
                    m.value.write_pretty(out, depth + 1);
                }
                indent(out, depth);
                out.push('}');
            }
        }
    }

    /// Builds a tree from a `serde_json::Value`; every position is `at`.
    pub fn from_serde(value: &serde_json::Value, at: Pos) -> Json {
        let value = match value {
            serde_json::Value::Null => JsonValue::Null,
            serde_json::Value::Bool(b) => JsonValue::Bool(*b),
            serde_json::Value::Number(n) => JsonValue::Number(n.to_string()),
            serde_json::Value::String(s) => JsonValue::String(s.clone()),
            serde_json::Value::Array(items) => {
                JsonValue::Array(items.iter().map(|v| Json::from_serde(v, at)).collect())
            }
            serde_json::Value::Object(map) => JsonValue::Object(
                map.iter()
                    .map(|(k, v)| Member {
                        key: k.clone(),
                        key_pos: at,
                        value: Json::from_serde(v, at),
                    })
                    .collect(),
            ),
        };
        Json { value, pos: at }
    }
}

/// A string as a JSON string literal.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A syntax error: what was wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct SyntaxError {
    /// Where the reader stopped.
    pub pos: Pos,
    /// What it expected or found, lowercase.
    pub message: String,
}

/// Parses a whole document. Anything after the top-level value other than white space is an error.
pub fn parse(src: &str) -> Result<Json, SyntaxError> {
    let mut p = Parser {
        chars: src.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    if p.peek() == Some('\u{feff}') {
        // Editors on Windows add it; RFC 8259 §8.1 forbids it in JSON text sent over the wire.
        return Err(p.err(
            "the document starts with a byte order mark (U+FEFF): save it as UTF-8 without one",
        ));
    }
    p.skip_ws();
    if p.peek().is_none() {
        return Err(p.err("the document is empty: expected a JSON value"));
    }
    let v = p.value(0)?;
    p.skip_ws();
    if p.peek().is_some() {
        return Err(p.unexpected("the end of the document after the JSON value"));
    }
    Ok(v)
}

struct Parser {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
}

fn show(c: char) -> String {
    match c {
        '\n' => "\\n".into(),
        '\t' => "\\t".into(),
        '\r' => "\\r".into(),
        '\u{feff}' => "\\ufeff".into(),
        c if c.is_control() => format!("\\u{:04x}", c as u32),
        c => c.to_string(),
    }
}

impl Parser {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.col,
        }
    }

    fn err(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos: self.pos(),
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    /// The letters, digits and signs from the current position: what a user would call the
    /// word they typed (`True`, `NaN`, `0x10`), for messages.
    fn word(&self) -> String {
        self.chars
            .iter()
            .skip(self.i)
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '+' | '-'))
            .take(40)
            .collect()
    }

    /// An error for an unexpected character where `expected` was wanted, naming comments
    /// (a common habit from JavaScript and JSONC) and the end of the document explicitly.
    fn unexpected(&self, expected: &str) -> SyntaxError {
        match (self.peek(), self.peek_at(1)) {
            (Some('/'), Some(c @ ('/' | '*'))) => self.err(format!(
                "comments are not allowed in JSON: remove the `/{c}` comment"
            )),
            (Some(c), _) => self.err(format!("expected {expected}, found `{}`", show(c))),
            (None, _) => self.err(format!(
                "expected {expected}, found the end of the document"
            )),
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn expect_char(&mut self, want: char, what: &str) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(c) if c == want => {
                self.bump();
                Ok(())
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!(
                "nesting deeper than {MAX_DEPTH} levels of arrays and objects"
            )));
        }
        let pos = self.pos();
        let value = match self.peek() {
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => JsonValue::String(self.string()?),
            Some('t') => self.literal("true", JsonValue::Bool(true))?,
            Some('f') => self.literal("false", JsonValue::Bool(false))?,
            Some('n') => self.literal("null", JsonValue::Null)?,
            Some(c) if c == '-' || c.is_ascii_digit() => JsonValue::Number(self.number()?),
            Some('\'') => return Err(self.err("strings must use double quotes, not `'`")),
            Some('+' | '.') => {
                return Err(self.err(format!(
                    "invalid number `{}`: JSON numbers start with a digit or `-`",
                    self.word()
                )))
            }
            Some(c) if c.is_alphabetic() => return Err(self.bare_word()),
            _ => return Err(self.unexpected("a JSON value")),
        };
        Ok(Json { value, pos })
    }

    fn literal(&mut self, word: &str, v: JsonValue) -> Result<JsonValue, SyntaxError> {
        if self.word() != word {
            return Err(self.bare_word());
        }
        for _ in word.chars() {
            self.bump();
        }
        Ok(v)
    }

    /// The error for a word that is not `true`, `false` or `null`: the literals of other
    /// languages get a pointer to JSON's, anything else was probably meant as a string.
    fn bare_word(&self) -> SyntaxError {
        let w = self.word();
        let message = match w.as_str() {
            "True" | "TRUE" => "`True` is not a JSON value: write `true`".to_string(),
            "False" | "FALSE" => "`False` is not a JSON value: write `false`".to_string(),
            "None" | "Null" | "NULL" | "nil" | "undefined" => {
                format!("`{w}` is not a JSON value: write `null`")
            }
            "NaN" | "Infinity" | "-Infinity" | "inf" => {
                format!("`{w}` is not a JSON number: JSON has no NaN or infinity")
            }
            "tru" | "fals" | "nul" | "t" | "f" | "n" => {
                format!("`{w}` is not a JSON value: did you mean `true`, `false` or `null`?")
            }
            _ => format!("expected a JSON value, found `{w}`: strings need double quotes"),
        };
        self.err(message)
    }

    fn number(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos();
        if self.word() == "-Infinity" {
            return Err(self.bare_word());
        }
        let mut s = String::new();
        if self.peek() == Some('-') {
            s.push('-');
            self.bump();
        }
        let bad = |p: &Parser, s: &str| SyntaxError {
            pos: start,
            message: format!(
                "invalid number `{s}{}`",
                p.peek().map(show).unwrap_or_default()
            ),
        };
        match self.peek() {
            Some('0') => {
                s.push('0');
                self.bump();
                if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return Err(SyntaxError {
                        pos: start,
                        message: format!(
                            "invalid number `{s}{}`: JSON numbers have no leading zeros",
                            self.word()
                        ),
                    });
                }
            }
            Some(c) if c.is_ascii_digit() => self.digits(&mut s),
            _ => return Err(bad(self, &s)),
        }
        if self.peek() == Some('.') {
            s.push('.');
            self.bump();
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(bad(self, &s));
            }
            self.digits(&mut s);
        }
        if let Some(e @ ('e' | 'E')) = self.peek() {
            s.push(e);
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek() {
                s.push(sign);
                self.bump();
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(bad(self, &s));
            }
            self.digits(&mut s);
        }
        if self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            // `0x10`, `1st`, `10n`: one word, so say which number is wrong.
            return Err(SyntaxError {
                pos: start,
                message: format!("invalid number `{s}{}`", self.word()),
            });
        }
        Ok(s)
    }

    fn digits(&mut self, s: &mut String) {
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            s.push(c);
            self.bump();
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos();
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            let at = self.pos();
            match self.bump() {
                None => {
                    return Err(SyntaxError {
                        pos: start,
                        message: "unterminated string: no closing `\"`".into(),
                    })
                }
                Some('"') => return Ok(out),
                Some('\\') => {
                    let esc_pos = at;
                    match self.bump() {
                        Some('"') => out.push('"'),
                        Some('\\') => out.push('\\'),
                        Some('/') => out.push('/'),
                        Some('b') => out.push('\u{8}'),
                        Some('f') => out.push('\u{c}'),
                        Some('n') => out.push('\n'),
                        Some('r') => out.push('\r'),
                        Some('t') => out.push('\t'),
                        Some('u') => out.push(self.unicode_escape(esc_pos)?),
                        Some(c) => {
                            return Err(SyntaxError {
                                pos: esc_pos,
                                message: format!("invalid escape `\\{}` in string", show(c)),
                            })
                        }
                        None => return Err(self.err("unterminated escape in string")),
                    }
                }
                Some(c) if (c as u32) < 0x20 => {
                    return Err(SyntaxError {
                        pos: at,
                        message: format!(
                            "control character `{0}` inside a string: write it as `{0}`",
                            show(c)
                        ),
                    })
                }
                Some(c) => out.push(c),
            }
        }
    }

    /// The character of a `\\uXXXX` escape (the `\\u` already read), joining a UTF-16
    /// surrogate pair. An unpaired surrogate is an error: it cannot be a Rust string, and
    /// AWS rejects it too.
    fn unicode_escape(&mut self, esc_pos: Pos) -> Result<char, SyntaxError> {
        let unpaired = |message: String| SyntaxError {
            pos: esc_pos,
            message,
        };
        let hi = self.hex4()?;
        if (0xDC00..0xE000).contains(&hi) {
            return Err(unpaired(format!(
                "unpaired surrogate `\\u{hi:04x}`: a low surrogate must follow a high one (`\\ud800` to `\\udbff`)"
            )));
        }
        if !(0xD800..0xDC00).contains(&hi) {
            return char::from_u32(hi)
                .ok_or_else(|| unpaired(format!("invalid escape `\\u{hi:04x}`")));
        }
        if self.peek() != Some('\\') || self.peek_at(1) != Some('u') {
            return Err(unpaired(format!(
                "unpaired surrogate `\\u{hi:04x}`: a high surrogate must be followed by a low one (`\\udc00` to `\\udfff`)"
            )));
        }
        self.bump();
        self.bump();
        let lo = self.hex4()?;
        if !(0xDC00..0xE000).contains(&lo) {
            return Err(unpaired(format!(
                "unpaired surrogate `\\u{hi:04x}`: it is followed by `\\u{lo:04x}`, not a low surrogate (`\\udc00` to `\\udfff`)"
            )));
        }
        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
            .ok_or_else(|| unpaired(format!("invalid surrogate pair `\\u{hi:04x}\\u{lo:04x}`")))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err("expected four hex digits after `\\u`"))?;
            self.bump();
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, SyntaxError> {
        let open = self.pos();
        self.bump(); // [
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(JsonValue::Array(items));
        }
        loop {
            self.skip_ws();
            if self.peek() == Some(']') {
                return Err(self.err("trailing comma before `]`"));
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    return Ok(JsonValue::Array(items));
                }
                Some(_) => return Err(self.unexpected("`,` or `]` in array")),
                None => {
                    return Err(self.err(format!(
                        "unterminated array: the `[` at {open} has no closing `]`"
                    )))
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonValue, SyntaxError> {
        let open = self.pos();
        self.bump(); // {
        let mut members: Vec<Member> = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(JsonValue::Object(members));
        }
        loop {
            self.skip_ws();
            let key_pos = self.pos();
            match self.peek() {
                Some('"') => {}
                Some('}') => return Err(self.err("trailing comma before `}`")),
                Some('\'') => {
                    return Err(self.err("property names must use double quotes, not `'`"))
                }
                Some(_) => return Err(self.unexpected("a property name in double quotes")),
                None => {
                    return Err(self.err(format!(
                        "unterminated object: the `{{` at {open} has no closing `}}`"
                    )))
                }
            }
            let key = self.string()?;
            if let Some(first) = members.iter().find(|m| m.key == key) {
                return Err(SyntaxError {
                    pos: key_pos,
                    message: format!(
                        "duplicate key `{key}` in object (first at {})",
                        first.key_pos
                    ),
                });
            }
            self.skip_ws();
            self.expect_char(':', "`:` after the property name")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_pos,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    return Ok(JsonValue::Object(members));
                }
                Some(_) => return Err(self.unexpected("`,` or `}` in object")),
                None => {
                    return Err(self.err(format!(
                        "unterminated object: the `{{` at {open} has no closing `}}`"
                    )))
                }
            }
        }
    }
}

/// A JSON path like `$.iam.policies[0].document`, built up while walking a tree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonPath(String);

impl JsonPath {
    /// The root, `$`.
    pub fn root() -> Self {
        JsonPath("$".into())
    }

    /// A path starting from `base` (e.g. a policy inside a scenario).
    pub fn from_base(base: &str) -> Self {
        JsonPath(base.to_string())
    }

    /// The path of member `key`.
    pub fn key(&self, key: &str) -> Self {
        let simple = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if simple {
            JsonPath(format!("{}.{key}", self.0))
        } else {
            JsonPath(format!(
                "{}[{}]",
                self.0,
                serde_json::Value::String(key.to_string())
            ))
        }
    }

    /// The path of array element `i`.
    pub fn index(&self, i: usize) -> Self {
        JsonPath(format!("{}[{i}]", self.0))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_keeps_order_numbers_and_escapes() {
        let src = r#"{"z":1.50,"a":[true,null,{}],"b":"q\"\u00e9","e":[]}"#;
        let out = parse(src).unwrap().to_pretty();
        assert_eq!(
            out,
            "{\n  \"z\": 1.50,\n  \"a\": [\n    true,\n    null,\n    {}\n  ],\n  \"b\": \"q\\\"é\",\n  \"e\": []\n}"
        );
        assert_eq!(
            parse(&out).unwrap().to_serde(),
            parse(src).unwrap().to_serde()
        );
    }

    #[test]
    fn positions_are_tracked() {
        let j = parse("{\n  \"a\": [1, \"x\"],\n  \"b\": true\n}").unwrap();
        let a = j.get("a").unwrap();
        assert_eq!(a.pos, Pos { line: 2, column: 8 });
        match &a.value {
            JsonValue::Array(items) => assert_eq!(
                items[1].pos,
                Pos {
                    line: 2,
                    column: 12
                }
            ),
            _ => panic!(),
        }
        assert_eq!(j.get("b").unwrap().pos, Pos { line: 3, column: 8 });
    }

    #[test]
    fn errors_are_located() {
        let e = parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 3, column: 1 });
        assert!(e.message.contains("trailing comma"));
        let e = parse("{\"a\":1,\"a\":2}").unwrap_err();
        assert!(e.message.contains("duplicate key `a`"));
        let e = parse("[1 2]").unwrap_err();
        assert_eq!(e.pos.column, 4);
        assert!(parse("").is_err());
        assert!(parse("{} x").is_err());
        assert!(parse("\"\\ud800\"").is_err());
        assert!(parse("01").is_err());
        assert!(parse("-").is_err());
        assert!(parse("1.").is_err());
    }

    #[test]
    fn depth_is_limited() {
        let deep = "[".repeat(MAX_DEPTH + 5) + &"]".repeat(MAX_DEPTH + 5);
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
        let ok = "[".repeat(50) + &"]".repeat(50);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn strings_unescape() {
        let j = parse(r#""a\"b\\c\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(j.as_str().unwrap(), "a\"b\\cé😀");
    }

    #[test]
    fn paths_quote_odd_keys() {
        let p = JsonPath::root().key("iam").key("a b").index(2);
        assert_eq!(p.as_str(), "$.iam[\"a b\"][2]");
    }
}
