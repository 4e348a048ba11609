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

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    toks: Vec<Tok>,
}

impl Pattern {
    /// Compiles `s`, reading `*` and `?` as wildcards.
    pub fn new(s: &str) -> Self {
        Pattern {
            toks: s
                .chars()
                .map(|c| match c {
                    '*' => Tok::Any,
                    '?' => Tok::One,
                    c => Tok::Lit(c),
                })
                .collect(),
        }
    }

    /// A pattern from tokens (used after policy-variable substitution).
    pub fn from_toks(toks: Vec<Tok>) -> Self {
        Pattern { toks }
    }

    /// A pattern that matches only `s` itself.
    pub fn literal(s: &str) -> Self {
        Pattern {
            toks: s.chars().map(Tok::Lit).collect(),
        }
    }

    /// The tokens.
    pub fn toks(&self) -> &[Tok] {
        &self.toks
    }

    /// Whether the pattern has a wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.toks.iter().any(|t| !matches!(t, Tok::Lit(_)))
    }

    /// Case-sensitive match of the whole text.
    pub fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        match_toks(&self.toks, &t, false)
    }

    /// Case-insensitive match of the whole text (ASCII and Unicode simple folding).
    pub fn matches_ignore_case(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        match_toks(&self.toks, &t, true)
    }

    /// Match against text already split into characters (for hot loops).
    pub fn matches_chars(&self, text: &[char], fold: bool) -> bool {
        match_toks(&self.toks, text, fold)
    }
}

fn eq_char(p: char, c: char, fold: bool) -> bool {
    p == c || (fold && p.to_lowercase().eq(c.to_lowercase()))
}

/// Whether `run` (no `Any` tokens) matches `text` starting at `at`.
fn run_at(run: &[Tok], text: &[char], at: usize, fold: bool) -> bool {
    if at + run.len() > text.len() {
        return false;
    }
    run.iter()
        .zip(text.iter().skip(at))
        .all(|(tok, &c)| match *tok {
            Tok::Lit(p) => eq_char(p, c, fold),
            Tok::One => true,
            Tok::Any => false,
        })
}

/// Matches compiled tokens against text without backtracking.
pub fn match_toks(toks: &[Tok], text: &[char], fold: bool) -> bool {
    let mut runs = toks.split(|t| *t == Tok::Any);
    let Some(first) = runs.next() else {
        return text.is_empty();
    };
    let rest: Vec<&[Tok]> = runs.collect();
    if rest.is_empty() {
        // No `*`: the whole text must be this one run.
        return first.len() == text.len() && run_at(first, text, 0, fold);
    }
    if !run_at(first, text, 0, fold) {
        return false;
    }
    let mut pos = first.len();
    let Some((last, middle)) = rest.split_last() else {
        return false;
    };
    for run in middle {
        if run.is_empty() {
            continue;
        }
        // The leftmost place is always the best place: anything a later place could match,
        // the leftmost one leaves more room for.
        let found =
            (pos..=text.len().saturating_sub(run.len())).find(|&at| run_at(run, text, at, fold));
        match found {
            Some(at) => pos = at + run.len(),
            None => return false,
        }
    }
    // The last run must end the text and must not overlap what was already consumed.
    if text.len() < pos + last.len() {
        return false;
    }
    run_at(last, text, text.len() - last.len(), fold)
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
