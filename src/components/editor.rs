//! The scenario editor: a textarea with line numbers and syntax colouring, and the located
//! parse error.

use crate::highlight::to_html;
use kmslab_engine::json::Pos;
use kmslab_engine::ScenarioError;
use leptos::html;
use leptos::prelude::*;

/// The UTF-16 offset of a 1-based line and character column in `text` (what a textarea's
/// selection counts), clamped to the text.
fn utf16_offset(text: &str, line: u32, column: u32) -> u32 {
    let mut offset = 0usize;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line as usize {
            let col = (column.max(1) - 1) as usize;
            offset += l.chars().take(col).map(char::len_utf16).sum::<usize>();
            return u32::try_from(offset).unwrap_or(u32::MAX);
        }
        offset += l.encode_utf16().count() + 1;
    }
    u32::try_from(text.encode_utf16().count()).unwrap_or(u32::MAX)
}

/// Where the error band of 1-based line `n` starts (the text's padding, then `n - 1` lines).
fn band_top(n: u32) -> String {
    format!("calc(0.5rem + {} * 1.45em)", n.saturating_sub(1))
}

/// A JSON editor bound to `text`, with a gutter of line numbers; the error's line is marked
/// in the gutter and across the text, and the error message moves the caret to the error.
#[component]
pub fn Editor(
    /// The scenario text; every keystroke writes it.
    text: RwSignal<String>,
    /// The current parse error, if any.
    error: Signal<Option<ScenarioError>>,
    /// Set to a position to move the caret there (the error message and lint findings do).
    jump: RwSignal<Option<Pos>>,
    /// What the text is, for screen readers.
    #[prop(default = "Scenario JSON")]
    label: &'static str,
    /// Prefix of the `data-testid`s (`editor`, `parse-error`, ...) when a page has two editors.
    #[prop(default = "")]
    testid_prefix: &'static str,
    /// Set to `true` on each keystroke, so the undo history can tell typing (grouped into
    /// bursts) from other changes of the text.
    #[prop(optional)]
    typed: Option<StoredValue<bool>>,
) -> impl IntoView {
    let tid = move |name: &str| format!("{testid_prefix}{name}");
    let area = NodeRef::<html::Textarea>::new();
    Effect::new(move |_| {
        let Some(pos) = jump.get() else {
            return;
        };
        let Some(el) = area.get_untracked() else {
            return;
        };
        let at = text.with_untracked(|t| utf16_offset(t, pos.line, pos.column));
        let _ = el.focus();
        let _ = el.set_selection_range(at, at);
        // Scroll the line into view inside the editor's own scroll box.
        if let Ok(Some(scroller)) = el.closest(".editor") {
            let line_px = 13.0 * 1.45;
            let top = f64::from(pos.line.saturating_sub(3)) * line_px;
            scroller.set_scroll_top(top as i32);
        }
        jump.set(None);
    });
    let lines = Memo::new(move |_| text.with(|t| t.split('\n').count().max(1)));
    // One text node for the numbers: cheap to redraw on every keystroke.
    let numbers = move || {
        (1..=lines.get())
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let err_line = move || error.with(|e| e.as_ref().map(|e| e.pos.line.max(1)));
    let goto_error = move |_| {
        if let Some(e) = error.get_untracked() {
            jump.set(Some(e.pos));
        }
    };
    view! {
        // The scroll box holds one body as wide as the longest line, so the error band (behind
        // the text: it comes first, and every layer after it is positioned) spans the whole line.
        // The gutter sticks to the box's left edge and covers the band's start, so it marks the
        // line again behind its own numbers.
        <div class="editor" class:has-error=move || err_line().is_some()>
            <div class="editor-body">
                {move || err_line().map(|n| view! {
                    <div
                        class="err-band"
                        data-testid=tid("error-line")
                        data-line=n
                        // Through CSSOM (`style:top`), not a `style` attribute: index.html's
                        // Content-Security-Policy refuses inline style attributes.
                        style:top=band_top(n)
                    ></div>
                })}
                <pre class="gutter" aria-hidden="true">
                    {move || err_line().map(|n| view! { <span class="err-band" style:top=band_top(n)></span> })}
                    {numbers}
                </pre>
                // The coloured copy of the text lies under the textarea, whose own text is
                // transparent: both sit in one grid cell, so they have the same size and the
                // characters line up; the caret and selection are the textarea's.
                <div class="code">
                    <pre class="hl" aria-hidden="true" inner_html=move || text.with(|t| to_html(t))></pre>
                    <textarea
                        node_ref=area
                        data-testid=tid("editor")
                        aria-label=label
                        aria-invalid=move || if err_line().is_some() { "true" } else { "false" }
                        spellcheck="false"
                        autocomplete="off"
                        autocapitalize="off"
                        wrap="off"
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            // Chromium reports a multi-line insertion (an IME commit, a scripted
                            // insertText) as one input event per line, each with the whole new
                            // value: only the first changes anything, and re-running the scenario
                            // and the lab checks for each of the others made a 400-line paste
                            // take seconds.
                            let value = event_target_value(&ev);
                            if text.with_untracked(|t| *t == value) {
                                return;
                            }
                            if let Some(t) = typed {
                                t.set_value(true);
                            }
                            text.set(value);
                        }
                    ></textarea>
                </div>
            </div>
        </div>
        {move || error.get().map(|e| view! {
            <p class="parse-error" role="alert" data-testid=tid("parse-error")>
                <button type="button" class="goto" title="Move the caret to the error" data-testid=tid("goto-error") on:click=goto_error>
                    {e.pos.to_string()}
                </button>
                {format!(" at {}: {}", e.path, e.message)}
            </p>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::utf16_offset;

    #[test]
    fn offsets_count_utf16_units() {
        let t = "ab\nc€d\n𝄞x";
        assert_eq!(utf16_offset(t, 1, 1), 0);
        assert_eq!(utf16_offset(t, 2, 3), 5);
        assert_eq!(utf16_offset(t, 3, 2), 9);
        assert_eq!(utf16_offset(t, 9, 1), 10);
        assert_eq!(utf16_offset(t, 0, 0), 10);
    }
}
