//! The labs screen: the index of bundled labs, and the open lab's instructions, tasks (checked
//! by the engine on every edit), hints and reset.
//!
//! The lab being worked on is the one named by the scenario text's own `lab.id`: opening a lab
//! loads its starting scenario (or the user's earlier work on it) into the editor, and the
//! user's text is kept per lab in this browser. Tasks are judged against the bundled lab's
//! definition, so editing the `lab` object in the JSON cannot tick a task; a lab that is not
//! bundled (one shared by link, say) is judged by its own definition.

use crate::labs::{index as lab_index, track_title, LabEntry as Entry};
use crate::markdown::{code_spans, Markdown};
use crate::storage;
use kmslab_engine::lab::{check_lab_with, Lab, LabReport, Track};
use leptos::prelude::*;

/// The lab the text is working on and how it fares: (the lab, its title, its instructions, the
/// report, the starting text when bundled).
#[derive(Clone)]
struct Progress {
    lab: Lab,
    title: String,
    instructions: String,
    report: LabReport,
    start: Option<&'static str>,
}

/// The bundled labs, read on first use: parsing the eleven lab files is a tenth of the app's
/// start-up work, and most visits never open the Labs screen or a lab.
#[derive(Clone, Copy)]
struct Bundled(StoredValue<Option<Vec<Entry>>>);

impl Bundled {
    fn new() -> Self {
        Bundled(StoredValue::new(None))
    }

    fn with<T>(self, f: impl FnOnce(&[Entry]) -> T) -> T {
        if self.0.with_value(Option::is_none) {
            self.0.set_value(Some(lab_index()));
        }
        self.0.with_value(|b| f(b.as_deref().unwrap_or_default()))
    }
}

/// Judges the text's lab (the bundled definition when there is one).
fn progress(text: &str, bundled: Bundled) -> Option<Result<Progress, String>> {
    let scenario = match crate::cache::scenario(text) {
        Ok(s) => s,
        // Not a scenario right now (mid-edit): only a lab file in progress says so.
        Err(e) => {
            return text
                .contains("\"lab\"")
                .then(|| Err(format!("{} at {}: {}", e.pos, e.path, e.message)))
        }
    };
    let own = scenario.lab.clone()?;
    let entry = bundled.with(|b| b.iter().find(|e| e.lab.id == own.id).cloned());
    let entry = entry.as_ref();
    let lab = entry.map_or(own, |e| e.lab.clone());
    let report = crate::cache::with_options(|opts| check_lab_with(&lab, &scenario, opts));
    Some(Ok(Progress {
        title: entry
            .map(|e| e.title.clone())
            .or_else(|| scenario.title.clone())
            .unwrap_or_else(|| lab.id.to_string()),
        instructions: entry
            .map(|e| e.instructions.clone())
            .or_else(|| scenario.description.clone())
            .unwrap_or_default(),
        start: entry.map(|e| e.source),
        lab,
        report,
    }))
}

/// The labs screen.
#[component]
pub fn Labs(
    /// The scenario text: a lab's scenario while the user works on it.
    text: RwSignal<String>,
    /// Loads a text into the workspace (keeping what it replaces).
    on_load: Callback<String>,
    /// Whether the Labs screen is the one shown: the index is built the first time it is.
    #[prop(into)]
    shown: Signal<bool>,
) -> impl IntoView {
    let bundled = Bundled::new();
    let seen = RwSignal::new(false);
    Effect::new(move |_| {
        if shown.get() && !seen.get_untracked() {
            seen.set(true);
        }
    });
    // The lab shown, with the scenario's error when the text does not read right now (the
    // lab stays, its marks those of the last text that read), or the error alone when the text
    // is no longer that lab's.
    let current = RwSignal::new(None::<Result<(Progress, Option<String>), String>>);
    let save_error = RwSignal::new(None::<String>);
    // Every edit re-checks the tasks; the user's work on a lab is kept per lab (mid-edit text
    // too), so opening it again resumes it.
    Effect::new(move |_| {
        let shown = text.with(|t| {
            let shown = match progress(t, bundled) {
                Some(Ok(p)) => Some(Ok((p, None))),
                Some(Err(e)) => match current.get_untracked() {
                    // Mid-edit: the text is still this lab's if it still names it.
                    Some(Ok((p, _))) if t.contains(&format!("\"{}\"", p.lab.id)) => {
                        Some(Ok((p, Some(e))))
                    }
                    _ => Some(Err(e)),
                },
                None => None,
            };
            if let Some(Ok((p, _))) = &shown {
                save_error.set(storage::set_lab_text(&p.lab.id.0, Some(t)).err());
            }
            shown
        });
        current.set(shown);
    });
    // Showing the index while a lab's scenario is in the editor.
    let browsing = RwSignal::new(false);
    let open = move |e: &Entry| {
        let resumed = storage::lab_text(&e.lab.id.0).filter(|t| !t.trim().is_empty());
        browsing.set(false);
        on_load.run(resumed.unwrap_or_else(|| e.source.to_string()));
    };
    let confirm_reset = RwSignal::new(false);
    // How many hints each task shows, by lab and task: typing re-checks the tasks and rebuilds
    // their view, and must not take away a hint the user opened.
    let hints_shown = StoredValue::new(Vec::<(String, usize)>::new());

    let index = move || {
        let list = bundled.with(<[Entry]>::to_vec);
        let section = move |track: Track, list: &[Entry]| {
            let items = list
                .iter()
                .filter(|e| e.lab.track == track)
                .map(|e| {
                    let entry = e.clone();
                    let started = storage::lab_text(&e.lab.id.0).is_some();
                    view! {
                        <li class="lab-card" data-testid=format!("lab-{}", e.lab.id)>
                            <button type="button" class="link lab-open" data-testid="lab-open" on:click=move |_| open(&entry)>
                                {e.title.clone()}
                            </button>
                            {started.then(|| view! { <span class="badge none">"started"</span> })}
                            <p class="hint">{e.lab.summary.clone()}</p>
                        </li>
                    }
                })
                .collect_view();
            view! { <h3>{track_title(track)}</h3><ol class="lab-list">{items}</ol> }
        };
        view! {
            <div class="lab-index" data-testid="lab-index">
                <p class="hint">"Each lab loads a scenario into the editor with instructions and tasks; the tasks are checked as you edit. Your work on each lab is kept in this browser."</p>
                {section(Track::Seeds, &list)}
                {section(Track::Course, &list)}
            </div>
        }
    };

    view! {
        <section class="labs" data-testid="labs">
            <h2>"Labs"</h2>
            {move || save_error.get().map(|e| view! { <p class="warn" role="alert">"Lab progress not saved in this browser: " {e}</p> })}
            {move || match current.get().filter(|_| !browsing.get()) {
                None if !seen.get() => ().into_any(),
                None => index().into_any(),
                Some(Err(e)) => view! {
                    <div data-testid="lab-broken">
                        <p class="parse-error" role="alert">"The lab's scenario has an error, so its tasks cannot be checked: " {e}</p>
                        {index()}
                    </div>
                }.into_any(),
                Some(Ok((p, broken))) => {
                    let stale = broken.is_some();
                    let total = p.report.tasks.len();
                    let done = p.report.passed();
                    let start = p.start;
                    let reset = move |_| {
                        if let Some(s) = start {
                            confirm_reset.set(false);
                            on_load.run(s.to_string());
                        }
                    };
                    let tasks = p.lab.tasks.iter().zip(p.report.tasks.iter()).enumerate().map(|(i, (task, status))| {
                        // Kept by lab and task outside this view, which every edit rebuilds.
                        let hint_key = format!("{}/{}", p.lab.id, task.id);
                        let shown_hints = RwSignal::new(hints_shown.with_value(|m| m.iter().find(|(k, _)| *k == hint_key).map_or(0, |(_, n)| *n)));
                        let hint_key = StoredValue::new(hint_key);
                        let hints = task.hints.clone();
                        let n_hints = hints.len();
                        let passed = status.passed;
                        view! {
                            <li class="task" class:passed=passed data-testid=format!("task-{}", task.id) data-status=if passed { "passed" } else { "open" }>
                                <h4>
                                    <span class="mark" aria-label=if passed { "done" } else { "not done yet" }>{if passed { "✓" } else { "○" }}</span>
                                    {format!(" {}. {}", i + 1, task.title)}
                                </h4>
                                <Markdown text=task.description.clone() />
                                {(!passed && !status.failures.is_empty()).then(|| view! {
                                    <ul class="task-failures" data-testid="task-failures">
                                        {status.failures.iter().map(|f| view! { <li>{code_spans(f)}</li> }).collect_view()}
                                    </ul>
                                })}
                                {(n_hints > 0).then(|| view! {
                                    <div class="hints">
                                        {move || hints.iter().take(shown_hints.get()).map(|h| view! {
                                            <div class="hint-text" data-testid="hint"><Markdown text=h.clone() /></div>
                                        }).collect_view()}
                                        <Show when=move || { shown_hints.get() < n_hints }>
                                            <button type="button" class="small secondary" data-testid="show-hint" on:click=move |_| {
                                                shown_hints.update(|n| *n += 1);
                                                let (key, n) = (hint_key.get_value(), shown_hints.get_untracked());
                                                hints_shown.update_value(|m| match m.iter_mut().find(|(k, _)| *k == key) {
                                                    Some(e) => e.1 = n,
                                                    None => m.push((key, n)),
                                                });
                                            }>
                                                {move || if shown_hints.get() == 0 { "Show a hint".to_string() } else { format!("Another hint ({} left)", n_hints - shown_hints.get()) }}
                                            </button>
                                        </Show>
                                    </div>
                                })}
                            </li>
                        }
                    }).collect_view();
                    view! {
                        <div class="lab" data-testid="lab" data-lab=p.lab.id.to_string()>
                            <div class="pane-head">
                                <h3 data-testid="lab-title">{p.title.clone()}</h3>
                                <button type="button" class="secondary small" data-testid="lab-back" on:click=move |_| browsing.set(true)>"All labs"</button>
                            </div>
                            <p class="lab-progress">
                                <progress max=total value=done></progress>
                                " "
                                <span data-testid="lab-progress">{format!("{done} of {total} tasks done")}{stale.then_some(" (before the error)")}</span>
                                {(done == total && total > 0 && !stale).then(|| view! { <strong class="note" data-testid="lab-complete">" — lab complete!"</strong> })}
                            </p>
                            {broken.map(|e| view! {
                                <p class="parse-error" role="alert" data-testid="lab-stale">
                                    "The scenario has an error (" {e} "), so the tasks cannot be checked until it is fixed. The marks below are those of your last version that read."
                                </p>
                            })}
                            <details class="instructions" open>
                                <summary>"Instructions"</summary>
                                <Markdown text=p.instructions.clone() />
                            </details>
                            <ol class="tasks" class:stale=stale data-testid="lab-tasks" data-stale=if stale { "true" } else { "false" }>{tasks}</ol>
                            {start.map(|_| view! {
                                <Show when=move || confirm_reset.get() fallback=move || view! {
                                    <button type="button" class="secondary" data-testid="lab-reset" on:click=move |_| confirm_reset.set(true)>"Reset the lab…"</button>
                                }>
                                    <p class="notice">
                                        "Start over from the lab's starting scenario? Your current text is kept as the replaced text. "
                                        <button type="button" class="danger small" data-testid="lab-reset-confirm" on:click=reset>"Reset"</button>
                                        " "
                                        <button type="button" class="secondary small" on:click=move |_| confirm_reset.set(false)>"Cancel"</button>
                                    </p>
                                </Show>
                            })}
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
