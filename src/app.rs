//! The app's root: the scenario text (the one source of truth), its autosave, undo history and
//! share-link loading, the theme, keyboard shortcuts, and the screens as tabs.

use crate::components::{
    AccessMatrix, ByokWrap, ComposeForm, Editor, ExamplePicker, IamConsole, KmsConsole, Labs,
    Library, LintPanel, RequestDraft, ResultsTable, SectionForms, TraceView,
};
use crate::examples::EXAMPLES;
use crate::history::History;
use crate::{browser, cache, storage};
use kmslab_engine::json::{self, Pos};
use kmslab_engine::scenario::run_scenario_with;
use kmslab_engine::{share, RunReport, Scenario, StepResult};
use leptos::prelude::*;

/// The app's screens, one tab each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The JSON editor, lints, the run results and traces.
    Workspace,
    /// Every section of the scenario as forms, beside the JSON.
    Forms,
    /// The KMS and IAM consoles: calls as a principal, key policies, grants, key stores.
    Consoles,
    /// Principals x keys x operations.
    Matrix,
    /// Labs: instructions and automatically checked tasks.
    Labs,
    /// Saves, files and share links.
    Library,
}

impl Screen {
    /// Every screen, in tab order.
    pub const ALL: [Screen; 6] = [
        Screen::Workspace,
        Screen::Forms,
        Screen::Consoles,
        Screen::Matrix,
        Screen::Labs,
        Screen::Library,
    ];

    /// The tab's label.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Workspace => "Workspace",
            Screen::Forms => "Forms",
            Screen::Consoles => "Consoles",
            Screen::Matrix => "Access matrix",
            Screen::Labs => "Labs",
            Screen::Library => "Library",
        }
    }

    /// The name used in `data-testid`s and element ids.
    pub fn slug(self) -> &'static str {
        match self {
            Screen::Workspace => "workspace",
            Screen::Forms => "forms",
            Screen::Consoles => "consoles",
            Screen::Matrix => "matrix",
            Screen::Labs => "labs",
            Screen::Library => "library",
        }
    }
}

/// Whether the JSON editor is shown beside a screen (the matrix and the library use the
/// whole width).
fn with_editor(s: Screen) -> bool {
    !matches!(s, Screen::Library | Screen::Matrix)
}

/// The scenario text as a screen sees it: the same text while the screen is shown, frozen while
/// it is hidden (so a hidden console does not re-run the scenario at every keystroke), brought
/// up to date when the screen is shown again. What the screen writes goes to the real text.
fn screen_text(text: RwSignal<String>, screen: RwSignal<Screen>, on: Screen) -> RwSignal<String> {
    let local = RwSignal::new(text.get_untracked());
    Effect::new(move |_| {
        if screen.get() == on {
            let t = text.get();
            if local.with_untracked(|l| *l != t) {
                local.set(t);
            }
        }
    });
    Effect::new(move |_| {
        let l = local.get();
        if text.with_untracked(|t| *t != l) {
            text.set(l);
        }
    });
    local
}

/// Whether `on` has been the current screen at least once: a screen's content is built on its
/// first visit (most of it reads or runs the scenario, work a visit that never opens the screen
/// does not need before the app is interactive), then stays mounted.
fn visited(screen: RwSignal<Screen>, on: Screen) -> Memo<bool> {
    Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || screen.get() == on)
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let autosaved = storage::load().filter(|t| !t.trim().is_empty());
    let replaced = RwSignal::new(storage::load_replaced());
    // A share link in the address wins over the autosave, which is kept as the replaced text.
    let mut share_notice = None::<Result<String, String>>;
    let mut initial = autosaved.clone();
    if let Some(fragment) = browser::share_fragment() {
        match open_share_link(&fragment) {
            Ok(shared) => {
                if let Some(own) = autosaved.filter(|a| *a != shared) {
                    replaced.set(Some(own));
                }
                initial = Some(shared);
                share_notice = Some(Ok(SHARE_OPENED.into()));
            }
            Err(e) => share_notice = Some(Err(e)),
        }
    }
    let initial = initial
        .or_else(|| EXAMPLES.first().map(|e| e.source.to_string()))
        .unwrap_or_default();
    let share_notice = RwSignal::new(share_notice);
    let text = RwSignal::new(initial.clone());
    let save_error = RwSignal::new(None::<String>);
    // Autosave every edit; a failure is shown, never swallowed.
    Effect::new(move |_| {
        let t = text.get();
        save_error.set(storage::save(&t).err());
    });
    // Undo/redo: every change of the text, from any screen, is recorded.
    let history = StoredValue::new(History::new(initial));
    let typed = StoredValue::new(false);
    let can_undo = RwSignal::new(false);
    let can_redo = RwSignal::new(false);
    Effect::new(move |_| {
        let now = browser::now_ms();
        let was_typed = typed.get_value();
        typed.set_value(false);
        text.with(|t| history.update_value(|h| h.record(t, now, was_typed)));
        history.with_value(|h| {
            can_undo.set(h.can_undo());
            can_redo.set(h.can_redo());
        });
    });
    let undo = move || {
        if let Some(t) = history.try_update_value(|h| h.undo()).flatten() {
            text.set(t);
        }
    };
    let redo = move || {
        if let Some(t) = history.try_update_value(|h| h.redo()).flatten() {
            text.set(t);
        }
    };
    // What loading an example or a file replaced, kept (and autosaved) until dismissed.
    Effect::new(move |_| {
        let r = replaced.get();
        if let Err(e) = storage::save_replaced(r.as_deref()) {
            save_error.set(Some(e));
        }
    });
    let theme = RwSignal::new(storage::theme());
    Effect::new(move |_| {
        let t = theme.get();
        browser::apply_theme(t.as_deref());
        if let Err(e) = storage::set_theme(t.as_deref()) {
            save_error.set(Some(e));
        }
    });
    let screen = RwSignal::new(Screen::Workspace);
    let parsed = Memo::new(move |_| text.with(|t| cache::scenario(t).map(|_| ())));
    let report = RwSignal::new(None::<Result<RunReport, String>>);
    // The text the report was computed from: the results say so when the text has changed.
    let ran_text = RwSignal::new(None::<String>);
    let stale =
        Memo::new(move |_| ran_text.with(|r| r.as_ref().is_some_and(|r| text.with(|t| t != r))));
    let selected = RwSignal::new(None::<usize>);
    let adhoc = RwSignal::new(None::<Result<StepResult, String>>);
    let draft = RequestDraft::new();
    let jump = RwSignal::new(None::<Pos>);
    let format_error = RwSignal::new(None::<String>);

    // Runs the steps up to and including `upto` (all of them with `None`): the steps before a
    // step build the world it runs in, so one step is never run alone.
    let run_steps = move |upto: Option<usize>| {
        let source = text.get_untracked();
        let result = cache::scenario(&source)
            .map(|s| Scenario::clone(&s))
            .and_then(|mut s| {
                if let Some(last) = upto {
                    s.steps.truncate(last + 1);
                }
                cache::with_options(|opts| run_scenario_with(&s, opts))
            })
            .map_err(|e| e.to_string());
        let first_failure = result.as_ref().ok().and_then(|r| {
            r.steps
                .iter()
                .position(|s| s.expectation.as_ref().is_some_and(|e| !e.passed))
        });
        let last = result
            .as_ref()
            .ok()
            .map(|r| r.steps.len().saturating_sub(1));
        selected.set(first_failure.or(if upto.is_some() { last } else { Some(0) }));
        report.set(Some(result));
        ran_text.set(Some(source));
    };
    let run_all = move || run_steps(None);
    let step_ids = Memo::new(move |_| {
        text.with(|t| {
            cache::scenario(t)
                .map(|s| {
                    s.steps
                        .iter()
                        .enumerate()
                        .map(|(i, st)| st.id.clone().unwrap_or_else(|| format!("#{}", i + 1)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let run_to = RwSignal::new(String::new());
    // The step "Run up to" shows and runs: the one picked while it is still a step, else the
    // first (nothing picked yet, or another scenario without it).
    let run_to_choice = Memo::new(move |_| {
        step_ids.with(|ids| {
            run_to
                .with(|p| ids.iter().find(|i| *i == p).or_else(|| ids.first()))
                .cloned()
                .unwrap_or_default()
        })
    });
    // Pretty-prints the JSON (2 spaces, members in the user's order); refuses broken JSON.
    let format = move |_| {
        let t = text.get_untracked();
        match json::parse(&t) {
            Ok(doc) => {
                format_error.set(None);
                let pretty = doc.to_pretty();
                if pretty != t {
                    text.set(pretty);
                }
            }
            Err(e) => format_error.set(Some(format!(
                "Not formatted: the JSON has an error at {}: {}",
                e.pos, e.message
            ))),
        }
    };
    let load_text = move |source: String| {
        let current = text.get_untracked();
        let is_own = !current.trim().is_empty()
            && current != source
            && !EXAMPLES.iter().any(|e| e.source == current);
        if is_own {
            replaced.set(Some(current));
        }
        text.set(source);
        report.set(None);
        ran_text.set(None);
        selected.set(None);
        adhoc.set(None);
    };
    let on_load = Callback::new(load_text);
    // A share link opened in a tab that already shows the app changes only the fragment: the
    // shared scenario opens as on start-up, the text it replaces kept (and undoable).
    let _hash = window_event_listener(leptos::ev::hashchange, move |_| {
        let Some(fragment) = browser::share_fragment() else {
            return;
        };
        let opened = open_share_link(&fragment).map(|shared| {
            load_text(shared);
            SHARE_OPENED.to_string()
        });
        share_notice.set(Some(opened));
    });
    // Swaps the replaced text back in; what was shown is kept in its place.
    let restore = move |_| {
        if let Some(previous) = replaced.get_untracked() {
            let shown = text.get_untracked();
            text.set(previous);
            replaced.set(Some(shown));
            report.set(None);
            ran_text.set(None);
            selected.set(None);
        }
    };
    let selected_trace = move || {
        let idx = selected.get()?;
        report.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|r| r.steps.get(idx).cloned())
        })
    };
    // Keyboard: Ctrl/Cmd+Z and Ctrl/Cmd+Shift+Z (or Ctrl+Y) undo and redo scenario edits when
    // the JSON editor or nothing has the focus (other fields keep their own undo);
    // Ctrl/Cmd+Enter runs all steps; Alt+1..6 switch screens.
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let ctrl = ev.ctrl_key() || ev.meta_key();
        let key = ev.key();
        let active = document().active_element();
        let in_main_editor = active
            .as_ref()
            .and_then(|a| a.get_attribute("data-testid"))
            .is_some_and(|t| t == "editor");
        let in_body = active.as_ref().is_none_or(|a| a.tag_name() == "BODY");
        if ctrl && (in_main_editor || in_body) {
            let k = key.to_lowercase();
            if k == "z" && !ev.shift_key() {
                ev.prevent_default();
                undo();
            } else if (k == "z" && ev.shift_key()) || k == "y" {
                ev.prevent_default();
                redo();
            }
        }
        if ctrl && key == "Enter" && parsed.with_untracked(|p| p.is_ok()) {
            ev.prevent_default();
            screen.set(Screen::Workspace);
            run_all();
        }
        if ev.alt_key() && !ctrl {
            if let Some(s) = key
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| Screen::ALL.get(i))
            {
                ev.prevent_default();
                screen.set(*s);
            }
        }
    });
    let theme_value = move || theme.get().unwrap_or_else(|| "system".into());
    let set_theme = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        theme.set((v != "system").then_some(v));
    };
    let tab_keys = move |ev: leptos::ev::KeyboardEvent| {
        let i = Screen::ALL
            .iter()
            .position(|s| *s == screen.get_untracked())
            .unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" => Some((i + 1) % Screen::ALL.len()),
            "ArrowLeft" => Some((i + Screen::ALL.len() - 1) % Screen::ALL.len()),
            "Home" => Some(0),
            "End" => Some(Screen::ALL.len() - 1),
            _ => None,
        };
        if let Some(n) = next.and_then(|n| Screen::ALL.get(n)) {
            ev.prevent_default();
            screen.set(*n);
            if let Some(el) = document().get_element_by_id(&format!("tab-{}", n.slug())) {
                if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                    let _ = el.focus();
                }
            }
        }
    };
    let hidden = move |s: Screen| move || screen.get() != s;
    let forms_text = screen_text(text, screen, Screen::Forms);
    let forms_seen = visited(screen, Screen::Forms);
    let consoles_seen = visited(screen, Screen::Consoles);
    let matrix_seen = visited(screen, Screen::Matrix);
    let library_seen = visited(screen, Screen::Library);
    let consoles_text = screen_text(text, screen, Screen::Consoles);
    let matrix_text = screen_text(text, screen, Screen::Matrix);

    view! {
        <header class="top">
            <div class="top-row">
                <h1>"kmslab"</h1>
                <p class="tagline">"AWS IAM + KMS playground: every decision explained"</p>
                <div class="top-actions">
                    <button type="button" class="secondary small" data-testid="undo" title="Undo (Ctrl+Z)" on:click=move |_| undo() disabled=move || !can_undo.get()>"Undo"</button>
                    <button type="button" class="secondary small" data-testid="redo" title="Redo (Ctrl+Shift+Z)" on:click=move |_| redo() disabled=move || !can_redo.get()>"Redo"</button>
                    <label class="theme">"Theme "
                        <select data-testid="theme" prop:value=theme_value on:change=set_theme>
                            <option value="system">"System"</option>
                            <option value="light">"Light"</option>
                            <option value="dark">"Dark"</option>
                        </select>
                    </label>
                </div>
            </div>
            <ExamplePicker on_load=on_load />
            <nav class="tabs" role="tablist" aria-label="Screens" on:keydown=tab_keys>
                {Screen::ALL.iter().enumerate().map(|(i, s)| {
                    let s = *s;
                    view! {
                        <button type="button" role="tab" class="tab"
                            id=format!("tab-{}", s.slug())
                            data-testid=format!("tab-{}", s.slug())
                            aria-controls=format!("screen-{}", s.slug())
                            aria-selected=move || if screen.get() == s { "true" } else { "false" }
                            tabindex=move || if screen.get() == s { "0" } else { "-1" }
                            title=format!("Alt+{}", i + 1)
                            on:click=move |_| screen.set(s)
                        >{s.title()}</button>
                    }
                }).collect_view()}
            </nav>
        </header>
        {move || share_notice.get().map(|n| {
            let (class, tid, msg) = match n {
                Ok(m) => ("notice", "share-opened", m),
                Err(m) => ("parse-error", "share-error", m),
            };
            view! {
                <p class=class role="status" data-testid=tid>
                    {msg} " " <button type="button" class="small secondary" on:click=move |_| share_notice.set(None)>"Dismiss"</button>
                </p>
            }
        })}
        <Show when=move || replaced.with(|r| r.is_some())>
            <p class="notice" data-testid="replaced-notice">
                "Your earlier text was replaced and is kept here. "
                <button type="button" data-testid="restore" on:click=restore>"Swap it back"</button>
                " "
                <button type="button" class="secondary" data-testid="forget-replaced" on:click=move |_| replaced.set(None)>"Forget it"</button>
            </p>
        </Show>
        <Show when=move || save_error.with(|e| e.is_some())>
            <p class="warn" role="alert" data-testid="save-error">
                "Not saved in this browser: " {move || save_error.get().unwrap_or_default()}
                " — export your text (Library) before closing the tab."
            </p>
        </Show>
        <main class="layout" class:wide=move || !with_editor(screen.get())>
            <section class="pane editor-pane" class:hidden=move || !with_editor(screen.get())>
                <div class="pane-head">
                    <h2>"Scenario"</h2>
                    <div class="actions">
                        <button type="button" class="secondary" data-testid="format" title="Pretty-print the JSON" on:click=format>"Format"</button>
                        <button data-testid="run-all" title="Ctrl+Enter" on:click=move |_| { screen.set(Screen::Workspace); run_all(); } disabled=move || parsed.with(|p| p.is_err())>
                            "Run all steps"
                        </button>
                    </div>
                </div>
                <form class="row run-to" on:submit=move |ev| {
                    ev.prevent_default();
                    let pick = run_to_choice.get_untracked();
                    let idx = step_ids.with_untracked(|ids| ids.iter().position(|i| *i == pick));
                    if let Some(i) = idx {
                        screen.set(Screen::Workspace);
                        run_steps(Some(i));
                    }
                }>
                    <label>"Run up to step "
                        <select data-testid="run-to-step" prop:value=move || run_to_choice.get() on:change=move |ev| run_to.set(event_target_value(&ev))>
                            // Options made anew keep the chosen step selected (the select would
                            // otherwise show its first option while another one is run).
                            {move || step_ids.get().into_iter().map(|id| {
                                let selected = run_to_choice.with_untracked(|c| *c == id);
                                view! { <option value=id.clone() selected=selected>{id.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="secondary small" data-testid="run-to" disabled=move || parsed.with(|p| p.is_err()) || step_ids.with(Vec::is_empty)>"Run"</button>
                </form>
                {move || format_error.get().map(|e| view! { <p class="parse-error" role="alert" data-testid="format-error">{e}</p> })}
                <Editor text=text error=Signal::derive(move || parsed.get().err()) jump=jump typed=typed />
                <LintPanel text=text jump=jump />
            </section>
            // Every screen is built on its first visit and then stays mounted (hidden when not
            // current), so a console's log or a half-filled form survives a trip to another tab.
            <section class="pane results-pane" role="tabpanel" id="screen-workspace" aria-labelledby="tab-workspace" data-testid="screen-workspace" class:hidden=hidden(Screen::Workspace)>
                <Show when=move || stale.get()>
                    <p class="notice" data-testid="stale">"The scenario changed since this run. Run again to update the results."</p>
                </Show>
                <ResultsTable report=report selected=selected />
                {move || selected_trace().map(|step| view! { <StepDetail step=step draft=draft /> })}
                <ComposeForm text=text draft=draft result=adhoc />
            </section>
            <section class="pane" role="tabpanel" id="screen-forms" aria-labelledby="tab-forms" data-testid="screen-forms" class:hidden=hidden(Screen::Forms)>
                {move || forms_seen.get().then(|| view! { <SectionForms text=forms_text /> })}
            </section>
            <section class="pane" role="tabpanel" id="screen-consoles" aria-labelledby="tab-consoles" data-testid="screen-consoles" class:hidden=hidden(Screen::Consoles)>
                {move || consoles_seen.get().then(|| view! {
                    <KmsConsole text=consoles_text />
                    <ByokWrap />
                    <IamConsole text=consoles_text />
                })}
            </section>
            <section class="pane" role="tabpanel" id="screen-matrix" aria-labelledby="tab-matrix" data-testid="screen-matrix" class:hidden=hidden(Screen::Matrix)>
                {move || matrix_seen.get().then(|| view! { <AccessMatrix text=matrix_text /> })}
            </section>
            <section class="pane" role="tabpanel" id="screen-labs" aria-labelledby="tab-labs" data-testid="screen-labs" class:hidden=hidden(Screen::Labs)>
                <Labs text=text on_load=on_load shown=Signal::derive(move || screen.get() == Screen::Labs) />
            </section>
            <section class="pane" role="tabpanel" id="screen-library" aria-labelledby="tab-library" data-testid="screen-library" class:hidden=hidden(Screen::Library)>
                {move || library_seen.get().then(|| view! { <Library text=text on_load=on_load /> })}
            </section>
        </main>
    }
}

/// What the notice says when a share link has opened.
const SHARE_OPENED: &str = "Opened the scenario from the share link.";

/// The scenario a share link's fragment carries, or why it cannot be opened. Either way the
/// fragment is dropped from the address, so a reload after edits does not open it over them.
fn open_share_link(fragment: &str) -> Result<String, String> {
    browser::clear_fragment();
    share::decode(fragment).map_err(|e| {
        format!("This share link could not be opened ({e}); your own text is shown instead.")
    })
}

/// One step's outcome and trace.
#[component]
fn StepDetail(
    /// The step result to show.
    step: StepResult,
    /// The compose form, which "Compose from this step" fills.
    draft: RequestDraft,
) -> impl IntoView {
    let can_compose = step.call.is_some();
    let for_form = step.clone();
    let compose_from = move |_| {
        draft.fill_from(&for_form);
        scroll_to("compose");
    };
    let title = format!(
        "Step {} — {}",
        step.id,
        step.call.clone().unwrap_or_else(|| "(advance)".into())
    );
    view! {
        <div class="step-detail" data-testid="step-detail">
            <div class="pane-head">
                <h3>{title}</h3>
                {can_compose.then(|| view! {
                    <button type="button" class="secondary" data-testid="compose-from-step" on:click=compose_from>
                        "Compose from this step"
                    </button>
                })}
            </div>
            {crate::components::outcome_line(&step)}
            {step.expectation.as_ref().filter(|e| !e.passed).map(|e| view! {
                <ul class="expect-failures" data-testid="expect-failures">
                    // The engine writes names and values as `code`, as in the trace summaries.
                    {e.failures.iter().map(|f| view! { <li>{crate::markdown::code_spans(f)}</li> }).collect_view()}
                </ul>
            })}
            {step.output.as_ref().map(|o| {
                let pretty = serde_json::to_string_pretty(o).unwrap_or_default();
                view! { <details class="output"><summary>"Output"</summary><pre data-testid="output">{pretty}</pre></details> }
            })}
            {step.trace.clone().map(|t| view! { <TraceView trace=t /> })}
        </div>
    }
}

/// Scrolls the element with `id` into view (nothing happens when it is absent).
fn scroll_to(id: &str) {
    if let Some(el) = document().get_element_by_id(id) {
        el.scroll_into_view();
    }
}
