//! A managed policy's versions and the line diff between any two of them. Both texts are
//! pretty-printed the way the engine writes JSON first, so a diff shows changed statements,
//! not changed whitespace.

use kmslab_engine::identity::view::PolicyView;
use leptos::prelude::*;

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// In both texts.
    Same(String),
    /// Only in the newer text.
    Added(String),
    /// Only in the older text.
    Removed(String),
}

/// A policy text pretty-printed (two-space indent, members in source order); a text that is not
/// JSON is kept as it is.
pub fn pretty(text: &str) -> String {
    kmslab_engine::json::parse(text)
        .map(|j| j.to_pretty())
        .unwrap_or_else(|_| text.to_string())
}

/// The line diff from `old` to `new`: a longest common subsequence of lines is kept, the rest
/// of `old` is removed and the rest of `new` added (at a change, removed lines come first).
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let width = b.len() + 1;
    // lcs[i * width + j]: the length of a longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![0usize; (a.len() + 1) * width];
    let at = |lcs: &[usize], i: usize, j: usize| lcs.get(i * width + j).copied().unwrap_or(0);
    for (i, x) in a.iter().enumerate().rev() {
        for (j, y) in b.iter().enumerate().rev() {
            let v = if x == y {
                at(&lcs, i + 1, j + 1) + 1
            } else {
                at(&lcs, i + 1, j).max(at(&lcs, i, j + 1))
            };
            if let Some(cell) = lcs.get_mut(i * width + j) {
                *cell = v;
            }
        }
    }
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        if x == y {
            out.push(DiffLine::Same((*x).to_string()));
            i += 1;
            j += 1;
        } else if at(&lcs, i + 1, j) >= at(&lcs, i, j + 1) {
            out.push(DiffLine::Removed((*x).to_string()));
            i += 1;
        } else {
            out.push(DiffLine::Added((*y).to_string()));
            j += 1;
        }
    }
    out.extend(
        a.iter()
            .skip(i)
            .map(|x| DiffLine::Removed((*x).to_string())),
    );
    out.extend(b.iter().skip(j).map(|y| DiffLine::Added((*y).to_string())));
    out
}

/// The diff as marked lines (`+` added, `-` removed).
fn diff_view(lines: Vec<DiffLine>) -> impl IntoView {
    let changed = lines.iter().any(|l| !matches!(l, DiffLine::Same(_)));
    view! {
        {(!changed).then(|| view! { <p class="hint" data-testid="diff-none">"No differences."</p> })}
        <pre class="policy-diff" data-testid="policy-diff">
            {lines.into_iter().map(|l| match l {
                DiffLine::Same(s) => view! { <span class="diff-line same">{format!("  {s}")}</span> }.into_any(),
                DiffLine::Added(s) => view! { <ins class="diff-line added" data-testid="diff-added">{format!("+ {s}")}</ins> }.into_any(),
                DiffLine::Removed(s) => view! { <del class="diff-line removed" data-testid="diff-removed">{format!("- {s}")}</del> }.into_any(),
            }).collect_view()}
        </pre>
    }
}

/// A customer managed policy: its versions (the default marked, each text collapsible) and the
/// diff between two versions chosen with two selects (at first the last two versions).
#[component]
pub fn PolicyVersions(
    /// The policy, as the IAM view lists it after the console's last run.
    policy: PolicyView,
) -> impl IntoView {
    let ids: Vec<String> = policy.versions.iter().map(|(id, _)| id.clone()).collect();
    let last = ids.last().cloned().unwrap_or_default();
    let before_last = ids
        .len()
        .checked_sub(2)
        .and_then(|i| ids.get(i))
        .cloned()
        .unwrap_or_else(|| last.clone());
    let from = RwSignal::new(before_last);
    let to = RwSignal::new(last);
    let texts = StoredValue::new(policy.versions.clone());
    let text_of = move |id: &str| {
        texts.with_value(|v| {
            v.iter()
                .find(|(i, _)| i == id)
                .map(|(_, t)| pretty(t))
                .unwrap_or_default()
        })
    };
    let options = move |chosen: String| {
        ids.iter()
            .map(|id| {
                let selected = *id == chosen;
                view! { <option value=id.clone() selected=selected>{id.clone()}</option> }
            })
            .collect_view()
    };
    let from_options = options.clone()(from.get_untracked());
    let to_options = options(to.get_untracked());
    let default_version = policy.default_version.clone();
    let several = policy.versions.len() > 1;
    view! {
        <div class="iam-item" data-testid=format!("policy-{}", policy.name)>
            <p class="iam-name"><strong>{policy.name.clone()}</strong>" "<code class="arn">{policy.arn.clone()}</code></p>
            <ul class="versions" data-testid="policy-versions">
                {policy.versions.iter().map(|(id, text)| {
                    let is_default = *id == default_version;
                    view! {
                        <li data-testid="policy-version" data-version=id.clone() class:default=is_default>
                            <details>
                                <summary>
                                    <code>{id.clone()}</code>
                                    {is_default.then(|| view! { " " <span class="badge allow" data-testid="default-version">"default"</span> })}
                                </summary>
                                <pre class="policy-text">{pretty(text)}</pre>
                            </details>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {several.then(|| view! {
                <div class="diff-pick">
                    <label>"Diff " <select data-testid="diff-from" on:change=move |ev| from.set(event_target_value(&ev))>{from_options}</select></label>
                    <label>" → " <select data-testid="diff-to" on:change=move |ev| to.set(event_target_value(&ev))>{to_options}</select></label>
                </div>
                {move || diff_view(line_diff(&text_of(&from.get()), &text_of(&to.get())))}
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DiffLine::{Added, Removed, Same};

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn equal_texts_are_all_same() {
        assert_eq!(line_diff("a\nb", "a\nb"), vec![Same(s("a")), Same(s("b"))]);
        assert_eq!(line_diff("", ""), vec![]);
    }

    #[test]
    fn a_changed_line_is_removed_then_added() {
        assert_eq!(
            line_diff("a\nb\nc", "a\nB\nc"),
            vec![Same(s("a")), Removed(s("b")), Added(s("B")), Same(s("c"))]
        );
    }

    #[test]
    fn insertions_and_deletions_at_the_ends() {
        assert_eq!(
            line_diff("b\nc", "a\nb"),
            vec![Added(s("a")), Same(s("b")), Removed(s("c"))]
        );
        assert_eq!(line_diff("", "x"), vec![Added(s("x"))]);
        assert_eq!(line_diff("x", ""), vec![Removed(s("x"))]);
    }

    #[test]
    fn keeps_a_longest_common_subsequence() {
        let d = line_diff("a\nb\nc\nd\ne", "a\nc\nx\nd\ne\nf");
        let same: Vec<_> = d.iter().filter(|l| matches!(l, Same(_))).collect();
        assert_eq!(same.len(), 4); // a c d e
        let old: Vec<_> = d
            .iter()
            .filter_map(|l| match l {
                Same(x) | Removed(x) => Some(x.as_str()),
                Added(_) => None,
            })
            .collect();
        let new: Vec<_> = d
            .iter()
            .filter_map(|l| match l {
                Same(x) | Added(x) => Some(x.as_str()),
                Removed(_) => None,
            })
            .collect();
        assert_eq!(old, ["a", "b", "c", "d", "e"]);
        assert_eq!(new, ["a", "c", "x", "d", "e", "f"]);
    }

    #[test]
    fn policy_texts_are_compared_pretty_printed() {
        let v1 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#;
        let v2 = "{ \"Version\": \"2012-10-17\",\n \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"arn:aws:kms:us-east-1:111122223333:key/k\" } ] }";
        let d = line_diff(&pretty(v1), &pretty(v2));
        let changed: Vec<_> = d.iter().filter(|l| !matches!(l, Same(_))).collect();
        assert_eq!(
            changed,
            [
                &Removed(s("      \"Resource\": \"*\"")),
                &Added(s(
                    "      \"Resource\": \"arn:aws:kms:us-east-1:111122223333:key/k\""
                )),
            ]
        );
        assert_eq!(pretty("not json"), "not json");
    }
}
