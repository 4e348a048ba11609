//! Undo and redo of the scenario text: every change to the text, wherever it came from (typing,
//! a form, a console saving steps, an import, Format), is one entry; a burst of typing is one
//! entry.
//!
//! Pure logic: the app feeds it each new text with the time it saw it, and asks it for the text
//! to go back or forward to.

/// How long a pause (ms) ends one burst of edits: changes closer together than this are one
/// undo step, as in most editors.
pub const BURST_MS: f64 = 800.0;
/// How many undo steps are kept (a scenario is tens of KB; this bounds memory to a few MB).
pub const DEPTH: usize = 200;

/// The undo and redo stacks around the current text.
#[derive(Debug, Clone, Default)]
pub struct History {
    undo: Vec<String>,
    redo: Vec<String>,
    /// The text as last seen, and when it last changed.
    current: String,
    changed_at: Option<f64>,
}

impl History {
    /// A history whose present is `text`, with nothing to undo.
    pub fn new(text: String) -> History {
        History {
            current: text,
            ..History::default()
        }
    }

    /// Records that the text is now `text` (seen at `now`, in ms; `typed` when it came from
    /// typing in the editor). Typing right after typing extends the current undo step; a pause,
    /// or any other kind of change, starts a new one. Any edit clears what could be redone.
    pub fn record(&mut self, text: &str, now: f64, typed: bool) {
        // Undo and redo move `current` themselves: the text they hand back arrives here equal.
        if text == self.current {
            return;
        }
        let in_burst = typed && self.changed_at.is_some_and(|t| now - t < BURST_MS);
        if !in_burst || self.undo.is_empty() {
            self.undo.push(std::mem::take(&mut self.current));
            if self.undo.len() > DEPTH {
                self.undo.remove(0);
            }
        }
        text.clone_into(&mut self.current);
        self.changed_at = typed.then_some(now);
        self.redo.clear();
    }

    /// The text to show for an undo, if there is one; the present moves to the redo stack.
    pub fn undo(&mut self) -> Option<String> {
        let previous = self.undo.pop()?;
        self.redo
            .push(std::mem::replace(&mut self.current, previous.clone()));
        self.changed_at = None;
        Some(previous)
    }

    /// The text to show for a redo, if there is one.
    pub fn redo(&mut self) -> Option<String> {
        let next = self.redo.pop()?;
        self.undo
            .push(std::mem::replace(&mut self.current, next.clone()));
        self.changed_at = None;
        Some(next)
    }

    /// Whether [`History::undo`] has something to give.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether [`History::redo`] has something to give.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_are_one_step_and_pauses_split_them() {
        // The app sets each text undo/redo gives back; that change comes back through `record`.
        let mut h2 = History::new("a".into());
        h2.record("ab", 0.0, true);
        h2.record("abc", 100.0, true);
        h2.record("abcd", 2000.0, true);
        let t = h2.undo();
        assert_eq!(t.as_deref(), Some("abc"));
        h2.record("abc", 2100.0, false);
        assert_eq!(h2.undo().as_deref(), Some("a"));
        h2.record("a", 2200.0, false);
        assert!(!h2.can_undo());
        assert_eq!(h2.redo().as_deref(), Some("abc"));
        h2.record("abc", 2300.0, false);
        assert_eq!(h2.redo().as_deref(), Some("abcd"));
        h2.record("abcd", 2400.0, false);
        assert!(!h2.can_redo());
    }

    #[test]
    fn an_edit_after_undo_clears_redo() {
        let mut h = History::new("one".into());
        h.record("two", 0.0, false);
        let t = h.undo();
        h.record(t.as_deref().unwrap_or_default(), 10.0, false);
        assert!(h.can_redo());
        h.record("three", 5000.0, false);
        assert!(!h.can_redo());
        assert_eq!(h.undo().as_deref(), Some("one"));
    }

    #[test]
    fn depth_is_bounded() {
        let mut h = History::new(String::new());
        for i in 0..(DEPTH + 50) {
            h.record(&i.to_string(), i as f64 * 10_000.0, false);
        }
        let mut n = 0;
        while let Some(t) = h.undo() {
            h.record(&t, 0.0, false);
            n += 1;
        }
        assert_eq!(n, DEPTH);
    }

    #[test]
    fn only_typing_coalesces() {
        let mut h = History::new("a".into());
        h.record("ab", 0.0, true);
        // Format, right after typing: its own step.
        h.record("AB", 10.0, false);
        h.record("ABc", 20.0, true);
        h.record("ABcd", 30.0, true);
        assert_eq!(h.undo().as_deref(), Some("AB"));
        assert_eq!(h.undo().as_deref(), Some("ab"));
        assert_eq!(h.undo().as_deref(), Some("a"));
    }
}
