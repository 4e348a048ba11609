//! Writing an edited document back as the smallest change to the user's text.
//!
//! The engine's edits (a form field, a key store knob, calls saved as steps) return the whole
//! document pretty-printed, which would re-lay out everything the user wrote compactly.
//! [`keep_layout`] takes the user's text and the engine's result and changes only what differs:
//! a changed value is replaced where it stands, an added or removed list item or member is
//! spliced in or out next to its neighbours (an added item laid out like the one before it),
//! and everything else keeps its characters. The result is checked to be the same JSON as the
//! engine's; when it is not, the engine's text is used, so the edit itself is never wrong.

use kmslab_engine::json::{self, Json, JsonValue, Member};

/// One replacement of the byte range `start..end` of the old text.
struct Splice {
    start: usize,
    end: usize,
    text: String,
}

/// The old text with what it needs to read as `new` (both JSON documents), or `new` itself
/// when the old text does not parse or the splice cannot be made.
pub fn keep_layout(old: &str, new: String) -> String {
    spliced(old, &new).unwrap_or(new)
}

fn spliced(old: &str, new: &str) -> Option<String> {
    let before = json::parse(old).ok()?;
    let after = json::parse(new).ok()?;
    let src = Source::new(old);
    let mut edits = Vec::new();
    src.diff(&before, &after, &mut edits)?;
    let out = apply(old, 0, edits)?;
    // Never trust the splice blindly: it must read as the engine's document.
    json::parse(&out)
        .ok()
        .filter(|d| same(d, &after))
        .map(|_| out)
}

/// `text` (which starts at byte `base` of the old text) with `edits` applied; they come in the
/// order of the text, as [`Source::diff`] walks it (else there is no splice).
fn apply(text: &str, base: usize, edits: Vec<Splice>) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = base;
    for e in edits {
        if e.start < at {
            return None;
        }
        out.push_str(text.get(at - base..e.start - base)?);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(text.get(at - base..)?);
    Some(out)
}

/// Whether two values are the same JSON (positions aside; members in the same order).
fn same(a: &Json, b: &Json) -> bool {
    match (&a.value, &b.value) {
        (JsonValue::Array(x), JsonValue::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (JsonValue::Object(x), JsonValue::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_member(a, b))
        }
        (x, y) => x == y,
    }
}

fn same_member(a: &Member, b: &Member) -> bool {
    a.key == b.key && same(&a.value, &b.value)
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The old text, with what turns positions into byte offsets and finds where values end.
struct Source<'a> {
    text: &'a str,
    lines: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = vec![0];
        lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { text, lines }
    }

    /// The byte offset of a 1-based line and character column.
    fn offset(&self, pos: json::Pos) -> Option<usize> {
        let line = *self.lines.get((pos.line as usize).checked_sub(1)?)?;
        let col = (pos.column as usize).checked_sub(1)?;
        let rest = self.text.get(line..)?;
        Some(line + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i))
    }

    fn start(&self, v: &Json) -> Option<usize> {
        self.offset(v.pos)
    }

    /// Just past the value that starts at byte `start`.
    fn end_at(&self, start: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut i = start;
        let mut depth = 0usize;
        loop {
            match *b.get(i)? {
                b'"' => {
                    i += 1;
                    while *b.get(i)? != b'"' {
                        i += if b.get(i)? == &b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                b'{' | b'[' => {
                    depth += 1;
                    i += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    i += 1;
                }
                _ if depth == 0 => {
                    // A number or literal: to the first delimiter.
                    while b.get(i).is_some_and(|c| {
                        !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                    }) {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
            if depth == 0 {
                return Some(i);
            }
        }
    }

    fn end(&self, v: &Json) -> Option<usize> {
        self.end_at(self.start(v)?)
    }

    /// The white space that starts the line holding byte `at`.
    fn indent(&self, at: usize) -> &'a str {
        let line = self
            .text
            .get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let rest = self.text.get(line..).unwrap_or_default();
        let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        rest.get(..n).unwrap_or_default()
    }

    /// `v` pretty-printed for a place whose line starts with `indent`.
    fn render(v: &Json, indent: &str) -> String {
        v.to_pretty().replace('\n', &format!("\n{indent}"))
    }

    /// `new` written where `old` stands: `old`'s own text with the differences spliced in.
    fn like(&self, old: &Json, new: &Json) -> Option<String> {
        let (start, end) = (self.start(old)?, self.end(old)?);
        let mut edits = Vec::new();
        self.diff(old, new, &mut edits)?;
        apply(self.text.get(start..end)?, start, edits)
    }

    /// Replaces all of `old` with `new`.
    fn replace(&self, old: &Json, new: &Json, out: &mut Vec<Splice>) -> Option<()> {
        let start = self.start(old)?;
        out.push(Splice {
            start,
            end: self.end_at(start)?,
            text: Self::render(new, self.indent(start)),
        });
        Some(())
    }

    /// The splices that turn `old` (in the old text) into `new`.
    fn diff(&self, old: &Json, new: &Json, out: &mut Vec<Splice>) -> Option<()> {
        if same(old, new) {
            return Some(());
        }
        match (&old.value, &new.value) {
            (JsonValue::Array(a), JsonValue::Array(b)) if !a.is_empty() && !b.is_empty() => {
                let items: Vec<Item> = a.iter().map(Item::Value).collect();
                let news: Vec<Item> = b.iter().map(Item::Value).collect();
                self.diff_list(old, new, &items, &news, out)
            }
            (JsonValue::Object(a), JsonValue::Object(b)) if !a.is_empty() && !b.is_empty() => {
                let items: Vec<Item> = a.iter().map(Item::Member).collect();
                let news: Vec<Item> = b.iter().map(Item::Member).collect();
                self.diff_list(old, new, &items, &news, out)
            }
            _ => self.replace(old, new, out),
        }
    }

    /// The items of a list or the members of an object, both non-empty: those alike at both
    /// ends are kept, the ones between are changed in place (as many on both sides), removed,
    /// or added next to a neighbour, laid out like it; anything else replaces the whole value.
    fn diff_list(
        &self,
        whole: &Json,
        new: &Json,
        a: &[Item],
        b: &[Item],
        out: &mut Vec<Splice>,
    ) -> Option<()> {
        let head = a.iter().zip(b).take_while(|(x, y)| x.same(y)).count();
        let tail = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(a.len().min(b.len()) - head)
            .take_while(|(x, y)| x.same(y))
            .count();
        let old_mid = a.get(head..a.len() - tail)?;
        let new_mid = b.get(head..b.len() - tail)?;
        // The separator between two items (`,` and the white space after it).
        let sep = match (a.first(), a.get(1)) {
            (Some(x), Some(y)) => self.text.get(x.end(self)?..y.start(self)?)?.to_string(),
            (Some(x), None) => {
                let open = self.start(whole)? + 1;
                format!(",{}", self.text.get(open..x.start(self)?)?)
            }
            _ => return None,
        };
        if old_mid.len() == new_mid.len() {
            for (x, y) in old_mid.iter().zip(new_mid) {
                match (x, y) {
                    (Item::Value(x), Item::Value(y)) => self.diff(x, y, out)?,
                    (Item::Member(x), Item::Member(y)) if x.key == y.key => {
                        self.diff(&x.value, &y.value, out)?
                    }
                    _ => {
                        out.push(Splice {
                            start: x.start(self)?,
                            end: x.end(self)?,
                            text: self.fresh(x, y)?,
                        });
                    }
                }
            }
            return Some(());
        }
        if new_mid.is_empty() {
            // Removed: with the separator before them, or after them when they come first.
            let (start, end) = match head.checked_sub(1).and_then(|i| a.get(i)) {
                Some(prev) => (prev.end(self)?, old_mid.last()?.end(self)?),
                None => (
                    old_mid.first()?.start(self)?,
                    a.get(old_mid.len())?.start(self)?,
                ),
            };
            out.push(Splice {
                start,
                end,
                text: String::new(),
            });
            return Some(());
        }
        if old_mid.is_empty() {
            // Added: after the item before them, or before the first one, laid out like it.
            let (at, template) = match head.checked_sub(1).and_then(|i| a.get(i)) {
                Some(prev) => (prev.end(self)?, prev),
                None => (a.first()?.start(self)?, a.first()?),
            };
            let mut text = String::new();
            for y in new_mid {
                let item = self.fresh(template, y)?;
                if head > 0 {
                    text.push_str(&sep);
                    text.push_str(&item);
                } else {
                    text.push_str(&item);
                    text.push_str(&sep);
                }
            }
            out.push(Splice {
                start: at,
                end: at,
                text,
            });
            return Some(());
        }
        self.replace(whole, new, out)
    }

    /// `y` written in the place and layout of `template` (an item or member of the old text).
    fn fresh(&self, template: &Item, y: &Item) -> Option<String> {
        match (template, y) {
            (Item::Value(t), Item::Value(y)) => self.like(t, y),
            (Item::Member(t), Item::Member(y)) => {
                let value = if t.key == y.key {
                    self.like(&t.value, &y.value)?
                } else {
                    Self::render(&y.value, self.indent(self.offset(t.key_pos)?))
                };
                Some(format!("{}: {value}", quote(&y.key)))
            }
            _ => None,
        }
    }
}

/// A list item or an object member, as [`Source::diff_list`] walks them.
enum Item<'a> {
    Value(&'a Json),
    Member(&'a Member),
}

impl Item<'_> {
    fn same(&self, other: &Item) -> bool {
        match (self, other) {
            (Item::Value(a), Item::Value(b)) => same(a, b),
            (Item::Member(a), Item::Member(b)) => same_member(a, b),
            _ => false,
        }
    }

    fn start(&self, src: &Source) -> Option<usize> {
        match self {
            Item::Value(v) => src.start(v),
            Item::Member(m) => src.offset(m.key_pos),
        }
    }

    fn end(&self, src: &Source) -> Option<usize> {
        match self {
            Item::Value(v) => src.end(v),
            Item::Member(m) => src.end(&m.value),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::keep_layout;
    use kmslab_engine::scenario::{edit_value, with_steps, DocEdit, PathStep};

    const GRANTS: &str = include_str!("../scenarios/examples/grants-and-tokens.json");

    fn key(k: &str) -> PathStep {
        PathStep::Key(k.into())
    }

    /// The lines of `after` that are not in `before`, and the other way round.
    fn changed(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
        let b: Vec<&str> = before.lines().collect();
        let a: Vec<&str> = after.lines().collect();
        let added = a
            .iter()
            .filter(|l| !b.contains(l))
            .map(|l| l.to_string())
            .collect();
        let gone = b
            .iter()
            .filter(|l| !a.contains(l))
            .map(|l| l.to_string())
            .collect();
        (added, gone)
    }

    fn edit(src: &str, path: &[PathStep], e: DocEdit) -> String {
        keep_layout(src, edit_value(src, path, &e).unwrap())
    }

    #[test]
    fn a_changed_value_changes_only_its_own_characters() {
        let path = [
            key("keys"),
            PathStep::Index(0),
            key("aliases"),
            PathStep::Index(0),
        ];
        let out = edit(GRANTS, &path, DocEdit::Set("alias/app-data2".into()));
        assert_eq!(
            out,
            GRANTS.replacen("[\"alias/app-data\"]", "[\"alias/app-data2\"]", 1)
        );
        let out = edit(GRANTS, &[key("seed")], DocEdit::Set(8.into()));
        assert_eq!(out, GRANTS.replace("\"seed\": 7,", "\"seed\": 8,"));
    }

    #[test]
    fn removed_items_and_members_take_their_separator_along() {
        let steps = |i| [key("steps"), PathStep::Index(i)];
        let out = edit(GRANTS, &steps(2), DocEdit::Remove);
        let (added, gone) = changed(GRANTS, &out);
        assert!(added.is_empty(), "{added:?}");
        assert_eq!(out.lines().count(), GRANTS.lines().count() - 4, "{gone:?}");
        assert!(out.contains("\"expect\": { \"decision\": \"Allow\", \"error\": null } },\n    { \"id\": \"with-token\""));
        // The first and the last item.
        let out = edit(GRANTS, &steps(0), DocEdit::Remove);
        assert!(out.contains("\"steps\": [\n    { \"id\": \"grant\""));
        let out = edit(GRANTS, &steps(8), DocEdit::Remove);
        assert!(out.contains("\"expect\": { \"decision\": \"Allow\", \"error\": null } }\n  ]\n}"));
        // A member, and the only member of an object.
        let out = edit(GRANTS, &[key("grantPropagation")], DocEdit::Remove);
        assert_eq!(
            out,
            GRANTS.replace("  \"grantPropagation\": \"PT60S\",\n", "")
        );
        let src = GRANTS.replace(
            "{ \"name\": \"app\" }",
            "{ \"name\": \"app\", \"path\": \"/\" }",
        );
        let out = edit(
            &src,
            &[key("iam"), key("roles"), PathStep::Index(0), key("path")],
            DocEdit::Remove,
        );
        assert_eq!(out, GRANTS);
    }

    #[test]
    fn a_copy_is_laid_out_like_its_original() {
        let out = edit(
            GRANTS,
            &[key("iam"), key("users"), PathStep::Index(0)],
            DocEdit::Duplicate,
        );
        assert!(
            out.contains(
                "\"users\": [ { \"name\": \"key-admin\" }, { \"name\": \"key-admin-copy\" } ],"
            ),
            "{out}"
        );
        let out = edit(
            GRANTS,
            &[key("steps"), PathStep::Index(2)],
            DocEdit::Duplicate,
        );
        let (added, gone) = changed(GRANTS, &out);
        assert!(gone.is_empty(), "{gone:?}");
        assert_eq!(added, vec!["    { \"id\": \"too-soon-copy\", \"description\": \"Without the grant token, the new grant has not propagated yet (eventual consistency).\","]);
        assert_eq!(out.lines().count(), GRANTS.lines().count() + 4);
    }

    #[test]
    fn steps_saved_from_a_console_are_appended_after_the_last_one() {
        let step = serde_json::json!({ "id": "console-1", "caller": "arn:aws:iam::111122223333:user/key-admin", "call": "kms:DescribeKey", "input": { "KeyId": "alias/app-data" } });
        let out = keep_layout(GRANTS, with_steps(GRANTS, &[step]).unwrap());
        assert!(
            out.starts_with(GRANTS.split("\n  ]\n}").next().unwrap()),
            "{out}"
        );
        assert!(out.contains("\"id\": \"console-1\""));
        kmslab_engine::parse_scenario(&out).unwrap();
    }

    #[test]
    fn a_new_member_and_other_layouts() {
        let out = edit(
            GRANTS,
            &[key("defaults"), key("region")],
            DocEdit::Set("eu-west-1".into()),
        );
        assert!(out.contains("\"defaults\": { \"account\": \"111122223333\", \"time\": \"2026-11-22T12:00:00Z\", \"region\": \"eu-west-1\" },"), "{out}");
        // A pretty-printed document stays as the engine prints it.
        let pretty = kmslab_engine::json::parse(GRANTS).unwrap().to_pretty();
        let out = edit(
            &pretty,
            &[key("steps"), PathStep::Index(3)],
            DocEdit::Duplicate,
        );
        assert_eq!(
            out,
            edit_value(
                &pretty,
                &[key("steps"), PathStep::Index(3)],
                &DocEdit::Duplicate
            )
            .unwrap()
        );
        // Text that is not JSON is not spliced.
        assert_eq!(keep_layout("{", "{}".into()), "{}");
        // CRLF line ends and non-ASCII text before the change.
        let crlf = "{\r\n  \"kmslab\": 1,\r\n  \"title\": \"Schlüssel €\", \"steps\": [ ]\r\n}";
        let out = edit(crlf, &[key("title")], DocEdit::Set("ключ".into()));
        assert_eq!(out, crlf.replace("Schlüssel €", "ключ"));
    }
}
