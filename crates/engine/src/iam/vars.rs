//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`, defaults.
//!
//! In a `2012-10-17` policy, `Resource`, `NotResource` and condition values may contain
//! `${key}`, replaced at evaluation time by the request's value of `key`, or
//! `${key, 'default'}` with a fallback. `${*}`, `${?}` and `${$}` stand for the literal
//! characters, so a policy can match a real asterisk. In a `2008-10-17` policy the text is
//! taken literally. A variable whose key is missing and has no default makes the value
//! unusable: the resource or condition value does not match.

use super::context::Context;
use super::wildcard::{Pattern, Tok};
use std::borrow::Cow;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Policy text: `*` and `?` in it are wildcards for the `Like` operators and resources.
    Text(String),
    /// A literal character from `${*}`, `${?}` or `${$}`.
    Escaped(char),
    /// A variable with an optional default.
    Var {
        key: String,
        default: Option<String>,
    },
}

/// A string that may contain policy variables, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    raw: String,
    pieces: Vec<Piece>,
    /// The resolved form, computed once, when no piece depends on the request.
    fixed: Option<Resolved>,
}

/// A template with its variables replaced: the text pieces keep their wildcards, substituted
/// values are literal. Both forms are built once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    text: String,
    pattern: Pattern,
}

impl Resolved {
    fn from_segs(segs: &[(bool, String)]) -> Resolved {
        let mut toks = Vec::new();
        for (is_text, s) in segs {
            if *is_text {
                toks.extend_from_slice(Pattern::new(s).toks());
            } else {
                toks.extend(s.chars().map(Tok::Lit));
            }
        }
        Resolved {
            text: segs.iter().map(|(_, s)| s.as_str()).collect(),
            pattern: Pattern::from_toks(toks),
        }
    }

    /// The plain string (for exact operators, where `*` is just a character).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The wildcard pattern (for `Like` operators and resources).
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }
}

/// Why a template could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVariable(pub String);

impl Template {
    /// Parses `raw`. With `variables == false` (a `2008-10-17` policy) it is all literal text.
    /// A `${` without a closing `}` is literal text, as in AWS.
    pub fn parse(raw: &str, variables: bool) -> Template {
        let mut pieces = Vec::new();
        if !variables || !raw.contains("${") {
            pieces.push(Piece::Text(raw.to_string()));
            return Template::new(raw, pieces);
        }
        let mut rest = raw;
        let mut text = String::new();
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            text.push_str(before);
            let inner_and_more = after.get(2..).unwrap_or("");
            let Some(end) = inner_and_more.find('}') else {
                text.push_str(after);
                rest = "";
                break;
            };
            let inner = inner_and_more.get(..end).unwrap_or("");
            rest = inner_and_more.get(end + 1..).unwrap_or("");
            let piece = match inner {
                "*" => Piece::Escaped('*'),
                "?" => Piece::Escaped('?'),
                "$" => Piece::Escaped('$'),
                _ => parse_var(inner),
            };
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(piece);
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Template::new(raw, pieces)
    }

    fn new(raw: &str, pieces: Vec<Piece>) -> Template {
        let mut t = Template {
            raw: raw.to_string(),
            pieces,
            fixed: None,
        };
        if !t.has_variables() {
            t.fixed = t
                .resolve_segs(&Context::default())
                .ok()
                .map(|s| Resolved::from_segs(&s));
        }
        t
    }

    /// The text as written in the policy.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Whether the template has a variable that depends on the request.
    pub fn has_variables(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Var { .. }))
    }

    /// The condition keys the template reads.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Replaces each variable with the request's single value for its key. A template without
    /// variables is resolved once, at parse time.
    pub fn resolve(&self, ctx: &Context) -> Result<Cow<'_, Resolved>, MissingVariable> {
        match &self.fixed {
            Some(r) => Ok(Cow::Borrowed(r)),
            None => self
                .resolve_segs(ctx)
                .map(|s| Cow::Owned(Resolved::from_segs(&s))),
        }
    }

    fn resolve_segs(&self, ctx: &Context) -> Result<Vec<(bool, String)>, MissingVariable> {
        let mut segs = Vec::with_capacity(self.pieces.len());
        for p in &self.pieces {
            match p {
                Piece::Text(t) => segs.push((true, t.clone())),
                Piece::Escaped(c) => segs.push((false, c.to_string())),
                Piece::Var { key, default } => match (ctx.single(key), default) {
                    (Some(v), _) => segs.push((false, v.to_string())),
                    (None, Some(d)) => segs.push((false, d.clone())),
                    (None, None) => return Err(MissingVariable(key.clone())),
                },
            }
        }
        Ok(segs)
    }
}

/// `aws:username` or `aws:username, 'fallback'`.
fn parse_var(inner: &str) -> Piece {
    if let Some((key, def)) = inner.split_once(',') {
        let def = def.trim();
        let unquoted = def
            .strip_prefix('\'')
            .and_then(|d| d.strip_suffix('\''))
            .unwrap_or(def);
        Piece::Var {
            key: key.trim().to_string(),
            default: Some(unquoted.to_string()),
        }
    } else {
        Piece::Var {
            key: inner.trim().to_string(),
            default: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let mut c = Context::default();
        c.insert_single("aws:username", "alice");
        c.insert_single("aws:PrincipalTag/team", "red*");
        c
    }

    #[test]
    fn substitution() {
        let t = Template::parse("arn:aws:iam::1:user/${aws:username}", true);
        assert_eq!(
            t.resolve(&ctx()).unwrap().text(),
            "arn:aws:iam::1:user/alice"
        );
        // Keys are case-insensitive.
        let t = Template::parse("${AWS:UserName}", true);
        assert_eq!(t.resolve(&ctx()).unwrap().text(), "alice");
        let t = Template::parse("${aws:userid}", true);
        assert!(t.resolve(&ctx()).is_err());
        let t = Template::parse("${aws:userid, 'nobody'}", true);
        assert_eq!(t.resolve(&ctx()).unwrap().text(), "nobody");
    }

    #[test]
    fn special_characters_are_literal() {
        let t = Template::parse("a${*}b*", true);
        let r = t.resolve(&ctx()).unwrap();
        assert_eq!(r.text(), "a*b*");
        assert!(r.pattern().matches("a*bxyz"));
        assert!(!r.pattern().matches("aXbxyz"));
        // A substituted value's `*` is literal too.
        let t = Template::parse("team-${aws:PrincipalTag/team}", true);
        let p = t.resolve(&ctx()).unwrap().pattern().clone();
        assert!(p.matches("team-red*"));
        assert!(!p.matches("team-redder"));
    }

    #[test]
    fn old_version_is_literal() {
        let t = Template::parse("${aws:username}", false);
        assert_eq!(t.resolve(&ctx()).unwrap().text(), "${aws:username}");
        let t = Template::parse("x${unclosed", true);
        assert_eq!(t.resolve(&ctx()).unwrap().text(), "x${unclosed");
    }
}
