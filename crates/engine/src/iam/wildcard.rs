//! Wildcard patterns (`*` and `?`) as IAM uses them in actions, resources and `StringLike`.
//!
//! A pattern is compiled once into tokens, so that characters that came from a policy variable
//! such as `${*}` stay literal. Matching never backtracks: the pattern is split at each `*` into
//! literal runs, the first run must be a prefix, the last a suffix, and each run in between is
//! found at its leftmost place after the previous one. Taking the leftmost place is always
//! safe for `*`-only patterns, so a run is searched once and the cost is bounded by
//! `text × pattern` in the worst case (linear for runs without `?`-ambiguity), never
//! exponential, even for a 32 KB adversarial policy.

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// A character that must match exactly (or case-insensitively, by the caller's choice).
    Lit(char),
    /// `?`: any one character.
    One,
    /// `*`: any run of characters, possibly empty.
    Any,
}

/// A run of the pattern between two `*`: fixed length, compared as a slice when it has no `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    /// The run's characters (`?` positions hold a placeholder).
    chars: Vec<char>,
    /// Which positions are `?` (empty when none).
    ones: Vec<bool>,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    toks: Vec<Tok>,
    /// The runs between `*` tokens: the text must start with the first, end with the last, and
    /// contain the others in order.
    runs: Vec<Run>,
    /// For an ARN-shaped pattern (`arn:` and at least five literal colons): its six parts, each
    /// compiled on its own, so resource matching does no splitting per request.
    arn: Option<Box<[Pattern; 6]>>,
    /// The pattern's text when it has no wildcard: matching is then one string comparison.
    literal: Option<Box<str>>,
    /// Whether `literal` may be compared as a whole against a resource: it is not ARN-like, or
    /// it is a well-formed ARN (decided once here, not per request).
    literal_resource_ok: bool,
}

fn literal_resource_ok(literal: Option<&str>, arn: bool) -> bool {
    literal.is_some_and(|lit| {
        !lit.starts_with("arn:") || (arn && crate::iam::arn::Arn::parse(lit).is_some())
    })
}

fn compile_runs(toks: &[Tok]) -> Vec<Run> {
    toks.split(|t| *t == Tok::Any)
        .map(|run| {
            let has_one = run.contains(&Tok::One);
            Run {
                chars: run
                    .iter()
                    .map(|t| match t {
                        Tok::Lit(c) => *c,
                        _ => '\0',
                    })
                    .collect(),
                ones: if has_one {
                    run.iter().map(|t| *t == Tok::One).collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

fn literal_of(toks: &[Tok]) -> Option<Box<str>> {
    toks.iter()
        .map(|t| match t {
            Tok::Lit(c) => Some(*c),
            _ => None,
        })
        .collect::<Option<String>>()
        .map(String::into_boxed_str)
}

fn arn_parts(toks: &[Tok]) -> Option<Box<[Pattern; 6]>> {
    if !toks.starts_with(&[Tok::Lit('a'), Tok::Lit('r'), Tok::Lit('n'), Tok::Lit(':')]) {
        return None;
    }
    let mut cuts = Vec::with_capacity(5);
    for (i, t) in toks.iter().enumerate() {
        if *t == Tok::Lit(':') {
            cuts.push(i);
            if cuts.len() == 5 {
                break;
            }
        }
    }
    let [a, b, c, d, e] = <[usize; 5]>::try_from(cuts).ok()?;
    let part = |r: std::ops::Range<usize>| toks.get(r).map(|t| Pattern::plain(t.to_vec()));
    Some(Box::new([
        part(0..a)?,
        part(a + 1..b)?,
        part(b + 1..c)?,
        part(c + 1..d)?,
        part(d + 1..e)?,
        part(e + 1..toks.len())?,
    ]))
}

impl Pattern {
    /// Compiles `s`, reading `*` and `?` as wildcards.
    pub fn new(s: &str) -> Self {
        Pattern::from_toks(
            s.chars()
                .map(|c| match c {
                    '*' => Tok::Any,
                    '?' => Tok::One,
                    c => Tok::Lit(c),
                })
                .collect(),
        )
    }

    /// A pattern from tokens (used after policy-variable substitution).
    pub fn from_toks(toks: Vec<Tok>) -> Self {
        let arn = arn_parts(&toks);
        let literal = literal_of(&toks);
        Pattern {
            runs: compile_runs(&toks),
            literal_resource_ok: literal_resource_ok(literal.as_deref(), arn.is_some()),
            literal,
            toks,
            arn,
        }
    }

    fn plain(toks: Vec<Tok>) -> Self {
        let literal = literal_of(&toks);
        Pattern {
            runs: compile_runs(&toks),
            literal_resource_ok: literal_resource_ok(literal.as_deref(), false),
            literal,
            toks,
            arn: None,
        }
    }

    /// The literal text, when a resource can be compared with it as a whole (see
    /// `literal_resource_ok`).
    pub fn resource_literal(&self) -> Option<&str> {
        self.literal.as_deref().filter(|_| self.literal_resource_ok)
    }

    /// The text a wildcard-free pattern matches exactly.
    pub fn literal_str(&self) -> Option<&str> {
        self.literal.as_deref()
    }

    /// A pattern that matches only `s` itself.
    pub fn literal(s: &str) -> Self {
        Pattern::from_toks(s.chars().map(Tok::Lit).collect())
    }

    /// The tokens.
    pub fn toks(&self) -> &[Tok] {
        &self.toks
    }

    /// The six parts of an ARN-shaped pattern.
    pub fn arn_parts(&self) -> Option<&[Pattern; 6]> {
        self.arn.as_deref()
    }

    /// Whether the pattern has a wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.toks.iter().any(|t| !matches!(t, Tok::Lit(_)))
    }

    /// Case-sensitive match of the whole text.
    pub fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        self.matches_chars(&t, false)
    }

    /// Case-insensitive match of the whole text (ASCII and Unicode simple folding).
    pub fn matches_ignore_case(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        self.matches_chars(&t, true)
    }

    /// Match against text already split into characters (for hot loops).
    pub fn matches_chars(&self, text: &[char], fold: bool) -> bool {
        match_runs(&self.runs, text, fold)
    }
}

fn eq_char(p: char, c: char, fold: bool) -> bool {
    p == c || (fold && p.to_lowercase().eq(c.to_lowercase()))
}

/// Whether `run` matches `text` starting at `at`.
fn run_at(run: &Run, text: &[char], at: usize, fold: bool) -> bool {
    let Some(window) = text.get(at..at + run.chars.len()) else {
        return false;
    };
    if run.ones.is_empty() && !fold {
        // Runs are short: an inline comparison beats a call to memcmp.
        return window.iter().zip(&run.chars).all(|(a, b)| a == b);
    }
    run.chars
        .iter()
        .zip(window)
        .enumerate()
        .all(|(i, (&p, &c))| run.ones.get(i).copied().unwrap_or(false) || eq_char(p, c, fold))
}

/// Matches compiled tokens against text without backtracking.
pub fn match_toks(toks: &[Tok], text: &[char], fold: bool) -> bool {
    match_runs(&compile_runs(toks), text, fold)
}

/// Matches runs against text without backtracking: the first run is a prefix, the last a
/// suffix, and each one between is taken at its leftmost place after the previous one.
fn match_runs(runs: &[Run], text: &[char], fold: bool) -> bool {
    let Some((first, rest)) = runs.split_first() else {
        return text.is_empty();
    };
    let Some((last, middle)) = rest.split_last() else {
        // No `*`: the whole text must be this one run.
        return first.chars.len() == text.len() && run_at(first, text, 0, fold);
    };
    if !run_at(first, text, 0, fold) {
        return false;
    }
    let mut pos = first.chars.len();
    for run in middle {
        if run.chars.is_empty() {
            continue;
        }
        // The leftmost place is always the best place: anything a later place could match,
        // the leftmost one leaves more room for.
        let end = text.len().saturating_sub(run.chars.len());
        match (pos..=end).find(|&at| run_at(run, text, at, fold)) {
            Some(at) => pos = at + run.chars.len(),
            None => return false,
        }
    }
    // The last run must end the text and must not overlap what was already consumed.
    text.len() >= pos + last.chars.len() && run_at(last, text, text.len() - last.chars.len(), fold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert!(Pattern::new("kms:*").matches("kms:Decrypt"));
        assert!(Pattern::new("*").matches(""));
        assert!(Pattern::new("kms:*crypt").matches("kms:ReEncrypt"));
        assert!(!Pattern::new("kms:*crypt").matches("kms:CreateKey"));
        assert!(Pattern::new("kms:Re?ncrypt*").matches("kms:ReEncryptFrom"));
        assert!(Pattern::new("a*b*c").matches("abc"));
        assert!(!Pattern::new("a*b*c").matches("acb"));
        assert!(Pattern::new("*a*").matches("xxaxx"));
        assert!(!Pattern::new("a*a").matches("a"));
        assert!(Pattern::new("a*a").matches("aa"));
        assert!(Pattern::new("KMS:decrypt").matches_ignore_case("kms:Decrypt"));
        assert!(!Pattern::new("KMS:decrypt").matches("kms:Decrypt"));
        assert!(Pattern::new("??").matches("ab"));
        assert!(!Pattern::new("??").matches("abc"));
        assert!(Pattern::new("").matches(""));
        assert!(!Pattern::new("").matches("a"));
    }

    #[test]
    fn literal_star_from_variable() {
        let p = Pattern::from_toks(vec![Tok::Lit('a'), Tok::Lit('*')]);
        assert!(p.matches("a*"));
        assert!(!p.matches("ab"));
    }

    #[test]
    fn adversarial_is_fast() {
        let pat = "*a".repeat(2000) + "b";
        let text = "a".repeat(30_000);
        assert!(!Pattern::new(&pat).matches(&text));
    }
}
