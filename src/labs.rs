//! The bundled labs: the starting scenarios of `scenarios/labs/`, compiled into the app, and
//! their index. Solutions and wrong attempts stay out of the app. Adding a lab is one line in
//! [`LAB_FILES`].

use kmslab_engine::lab::{Lab, Track};
use kmslab_engine::{parse_scenario, ScenarioError};

/// A bundled lab file: its name (the file stem) and its scenario document.
pub struct LabFile {
    /// The file stem, e.g. `00-seed-000-byok-service-account`.
    pub file: &'static str,
    /// The starting scenario (with its `lab` object).
    pub source: &'static str,
}

macro_rules! lab_file {
    ($name:literal) => {
        LabFile {
            file: $name,
            source: include_str!(concat!("../scenarios/labs/", $name, ".json")),
        }
    };
}

/// Every bundled lab, seeds first, then the course.
pub const LAB_FILES: &[LabFile] = &[
    lab_file!("00-seed-000-byok-service-account"),
    lab_file!("01-seed-001-nps-least-privilege"),
    lab_file!("02-seed-002-custom-key-store-managers"),
    lab_file!("03-seed-003-key-policy-anatomy"),
    lab_file!("04-seed-004-external-key-store"),
    lab_file!("10-course-first-key-policy"),
    lab_file!("11-course-delegate-to-iam"),
    lab_file!("12-course-encryption-context"),
    lab_file!("13-course-grants"),
    lab_file!("14-course-key-states"),
    lab_file!("15-course-cross-account-grants"),
];

/// A lab as the app lists and opens it.
#[derive(Debug, Clone)]
pub struct LabEntry {
    /// The file stem.
    pub file: &'static str,
    /// The starting scenario text: what "reset" restores.
    pub source: &'static str,
    /// The scenario's `title`.
    pub title: String,
    /// The scenario's `description`: the lab's markdown instructions.
    pub instructions: String,
    /// The lab: tasks, hints and checks (pass it to `kmslab_engine::lab::check_lab`).
    pub lab: Lab,
}

/// Reads one lab file.
pub fn load(file: &'static LabFile) -> Result<LabEntry, ScenarioError> {
    let s = parse_scenario(file.source).map_err(|e| e.in_file(file.file))?;
    let lab = s.lab.ok_or_else(|| ScenarioError {
        file: Some(file.file.to_string()),
        path: "$".into(),
        pos: Default::default(),
        message: "a lab file needs a `lab` object".into(),
    })?;
    Ok(LabEntry {
        file: file.file,
        source: file.source,
        title: s.title.unwrap_or_else(|| lab.id.to_string()),
        instructions: s.description.unwrap_or_default(),
        lab,
    })
}

/// The lab index: every bundled lab that reads (all do: a test says so), seeds then course,
/// each track in its `order`.
pub fn index() -> Vec<LabEntry> {
    let mut out: Vec<LabEntry> = LAB_FILES.iter().filter_map(|f| load(f).ok()).collect();
    out.sort_by_key(|e| (e.lab.track, e.lab.order));
    out
}

/// The lab with this id.
pub fn find(id: &str) -> Option<LabEntry> {
    index().into_iter().find(|e| e.lab.id.0 == id)
}

/// The heading of a track in the index.
pub fn track_title(t: Track) -> &'static str {
    match t {
        Track::Seeds => "Walkthroughs",
        Track::Course => "Course: from a first key policy to cross-account grants",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_lab_file_is_bundled_and_reads() {
        for f in LAB_FILES {
            if let Err(e) = load(f) {
                panic!("{e}");
            }
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/labs");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut bundled: Vec<String> = LAB_FILES.iter().map(|f| f.file.to_string()).collect();
        bundled.sort();
        assert_eq!(bundled, on_disk, "every starting lab file, and only those");
    }

    /// Text left with `**` or a backtick is markup the renderer did not understand (an
    /// unclosed code span, a stray star): the user would see the raw characters.
    fn leftover_markup(blocks: &[crate::markdown::Block]) -> Vec<String> {
        use crate::markdown::{Block, Inline};
        fn walk(inlines: &[Inline], out: &mut Vec<String>) {
            for i in inlines {
                match i {
                    Inline::Text(t) if t.contains("**") || t.contains('`') => out.push(t.clone()),
                    Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                        walk(c, out)
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Heading { content, .. } | Block::Paragraph(content) => {
                    walk(content, &mut out)
                }
                Block::List { items, .. } => items.iter().for_each(|i| walk(i, &mut out)),
                Block::Code { .. } => {}
            }
        }
        out
    }

    #[test]
    fn every_text_of_every_lab_renders_cleanly() {
        for e in index() {
            let mut texts = vec![e.instructions.clone()];
            for t in &e.lab.tasks {
                texts.push(t.description.clone());
                texts.extend(t.hints.iter().cloned());
            }
            for text in texts {
                let blocks = crate::markdown::parse(&text);
                assert!(!blocks.is_empty(), "{}: empty text", e.file);
                let left = leftover_markup(&blocks);
                assert!(left.is_empty(), "{}: unrendered markup in {left:?}", e.file);
            }
        }
    }

    #[test]
    fn the_index_is_ordered_and_finds_labs() {
        let idx = index();
        assert_eq!(idx.len(), LAB_FILES.len());
        assert!(idx
            .windows(2)
            .all(|w| (w[0].lab.track, w[0].lab.order) < (w[1].lab.track, w[1].lab.order)));
        let first = &idx[0];
        assert_eq!(find(&first.lab.id.0).unwrap().file, first.file);
        assert!(first.instructions.starts_with('#'));
        assert!(find("no-such-lab").is_none());
    }
}
