//! Wildcard matching, differentially: `iam::wildcard::Pattern` (leftmost runs, no
//! backtracking) against a tiny recursive glob written here, case-sensitive and folded, and
//! `match_toks` against `Pattern::matches_chars`.
#![no_main]

use arbitrary::Arbitrary;
use kmslab_engine::iam::wildcard::{match_toks, Pattern, Tok};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    pattern: String,
    text: String,
}

fn eq(a: char, b: char, fold: bool) -> bool {
    a == b || (fold && a.to_lowercase().eq(b.to_lowercase()))
}

/// The reference: the textbook recursive glob, memoised on (pattern, text) positions so that
/// star-heavy inputs stay fast.
fn glob(p: &[char], t: &[char], fold: bool) -> bool {
    let mut memo = vec![None; (p.len() + 1) * (t.len() + 1)];
    go(p, t, 0, 0, fold, &mut memo)
}

fn go(p: &[char], t: &[char], i: usize, j: usize, fold: bool, memo: &mut [Option<bool>]) -> bool {
    let slot = i * (t.len() + 1) + j;
    if let Some(done) = memo[slot] {
        return done;
    }
    let result = match p.get(i) {
        None => j == t.len(),
        Some('*') => {
            go(p, t, i + 1, j, fold, memo) || (j < t.len() && go(p, t, i, j + 1, fold, memo))
        }
        Some('?') => j < t.len() && go(p, t, i + 1, j + 1, fold, memo),
        Some(&c) => j < t.len() && eq(c, t[j], fold) && go(p, t, i + 1, j + 1, fold, memo),
    };
    memo[slot] = Some(result);
    result
}

fuzz_target!(|input: Input| {
    let p: Vec<char> = input.pattern.chars().collect();
    let t: Vec<char> = input.text.chars().collect();
    if p.len() > 256 || t.len() > 256 {
        return;
    }
    let pattern = Pattern::new(&input.pattern);
    for fold in [false, true] {
        let want = glob(&p, &t, fold);
        let got = if fold {
            pattern.matches_ignore_case(&input.text)
        } else {
            pattern.matches(&input.text)
        };
        assert_eq!(
            got, want,
            "pattern {:?} text {:?} fold {fold}",
            input.pattern, input.text
        );
        let toks: Vec<Tok> = pattern.toks().to_vec();
        assert_eq!(match_toks(&toks, &t, fold), want, "match_toks disagrees");
    }
    if !pattern.has_wildcard() {
        assert_eq!(pattern.literal_str(), Some(input.pattern.as_str()));
    }
});
