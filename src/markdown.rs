//! A small, safe markdown renderer for lab instructions.
//!
//! [`parse`] reads a CommonMark subset into blocks of inlines: ATX headings (`#` to `######`),
//! paragraphs, fenced code blocks (```` ``` ````), unordered (`-`, `*`, `+`) and ordered
//! (`1.`, `1)`) lists of one-paragraph items, emphasis, strong emphasis, inline code, links and
//! backslash escapes. Everything else is text: raw HTML is shown as written, never interpreted,
//! and a link keeps its target only when it is `http://` or `https://` (a `javascript:` or
//! relative link is shown as its text alone). [`Markdown`] renders the tree with Leptos
//! elements and text nodes only, so no input can inject markup.

use leptos::prelude::*;

/// A block of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// `# Title` (level 1 to 6).
    Heading {
        /// 1 to 6.
        level: u8,
        /// The heading's text.
        content: Vec<Inline>,
    },
    /// Lines of text, joined.
    Paragraph(Vec<Inline>),
    /// A fenced code block: its info string's first word and its text, as written.
    Code {
        /// The language, if the fence names one.
        lang: Option<String>,
        /// The lines between the fences.
        text: String,
    },
    /// A list; each item is one paragraph.
    List {
        /// The number of the first item, for an ordered list.
        start: Option<u32>,
        /// The items.
        items: Vec<Vec<Inline>>,
    },
}

/// Text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `*emphasis*` or `_emphasis_`.
    Emphasis(Vec<Inline>),
    /// `**strong**` or `__strong__`.
    Strong(Vec<Inline>),
    /// `` `code` ``.
    Code(String),
    /// `[text](https://...)`: only `http` and `https` targets become links.
    Link {
        /// The link text.
        content: Vec<Inline>,
        /// The target.
        href: String,
    },
}

/// What kind of line starts a block.
enum Line<'a> {
    Blank,
    Fence { ticks: usize, info: &'a str },
    Heading { level: u8, text: &'a str },
    Item { start: Option<u32>, text: &'a str },
    Text(&'a str),
}

fn classify(line: &str) -> Line<'_> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    if trimmed.is_empty() {
        return Line::Blank;
    }
    if indent < 4 {
        let ticks = trimmed.chars().take_while(|&c| c == '`').count();
        if ticks >= 3 {
            let info = trimmed.get(ticks..).unwrap_or("").trim();
            if !info.contains('`') {
                return Line::Fence { ticks, info };
            }
        }
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) {
            let rest = trimmed.get(hashes..).unwrap_or("");
            if rest.is_empty() || rest.starts_with(' ') {
                let text = rest.trim().trim_end_matches('#').trim_end();
                // `level` is 1 to 6 here.
                let level = u8::try_from(hashes).unwrap_or(6);
                return Line::Heading { level, text };
            }
        }
        if let Some(text) = ["- ", "* ", "+ "]
            .iter()
            .find_map(|m| trimmed.strip_prefix(m))
        {
            return Line::Item { start: None, text };
        }
        let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
        if (1..=9).contains(&digits) {
            let rest = trimmed.get(digits..).unwrap_or("");
            if let Some(text) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
                let n = trimmed
                    .get(..digits)
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(1);
                return Line::Item {
                    start: Some(n),
                    text,
                };
            }
        }
    }
    Line::Text(trimmed)
}

/// Parses markdown into blocks.
pub fn parse(src: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    // The open list: its start and its items' lines.
    let mut list: Option<(Option<u32>, Vec<Vec<&str>>)> = None;
    let mut lines = src.lines();

    fn flush_para(para: &mut Vec<&str>, blocks: &mut Vec<Block>) {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(parse_inlines(&para.join(" "))));
            para.clear();
        }
    }
    fn flush_list(list: &mut Option<(Option<u32>, Vec<Vec<&str>>)>, blocks: &mut Vec<Block>) {
        if let Some((start, items)) = list.take() {
            blocks.push(Block::List {
                start,
                items: items
                    .iter()
                    .map(|lines| parse_inlines(&lines.join(" ")))
                    .collect(),
            });
        }
    }

    while let Some(line) = lines.next() {
        match classify(line) {
            Line::Blank => {
                flush_para(&mut para, &mut blocks);
                flush_list(&mut list, &mut blocks);
            }
            Line::Fence { ticks, info } => {
                flush_para(&mut para, &mut blocks);
                flush_list(&mut list, &mut blocks);
                let mut body = Vec::new();
                for l in lines.by_ref() {
                    let t = l.trim();
                    if t.len() >= ticks && t.chars().all(|c| c == '`') {
                        break;
                    }
                    body.push(l);
                }
                blocks.push(Block::Code {
                    lang: info.split_whitespace().next().map(str::to_string),
                    text: body.join("\n"),
                });
            }
            Line::Heading { level, text } => {
                flush_para(&mut para, &mut blocks);
                flush_list(&mut list, &mut blocks);
                blocks.push(Block::Heading {
                    level,
                    content: parse_inlines(text),
                });
            }
            Line::Item { start, text } => {
                flush_para(&mut para, &mut blocks);
                let same_kind = list
                    .as_ref()
                    .is_some_and(|(s, _)| s.is_some() == start.is_some());
                if !same_kind {
                    flush_list(&mut list, &mut blocks);
                }
                let (_, items) = list.get_or_insert_with(|| (start, Vec::new()));
                items.push(vec![text]);
            }
            Line::Text(text) => match list.as_mut().and_then(|(_, items)| items.last_mut()) {
                // A line right after an item continues it (indented or not).
                Some(item) => item.push(text),
                None => para.push(text),
            },
        }
    }
    flush_para(&mut para, &mut blocks);
    flush_list(&mut list, &mut blocks);
    blocks
}

/// Parses the inlines of one block's text.
pub fn parse_inlines(text: &str) -> Vec<Inline> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    inlines(&chars, &mut out);
    out
}

fn push_text(out: &mut Vec<Inline>, s: &str) {
    if let Some(Inline::Text(t)) = out.last_mut() {
        t.push_str(s);
    } else if !s.is_empty() {
        out.push(Inline::Text(s.to_string()));
    }
}

fn at(chars: &[char], i: usize) -> Option<char> {
    chars.get(i).copied()
}

fn text_of(chars: &[char]) -> String {
    chars.iter().collect()
}

fn inlines(chars: &[char], out: &mut Vec<Inline>) {
    let mut i = 0;
    while let Some(c) = at(chars, i) {
        let rest = chars.get(i..).unwrap_or_default();
        let taken = match c {
            '\\' if at(chars, i + 1).is_some_and(|n| n.is_ascii_punctuation()) => {
                push_text(out, &text_of(chars.get(i + 1..i + 2).unwrap_or_default()));
                2
            }
            '`' => code_span(rest, out),
            '*' | '_' => emphasis(chars, i, out),
            '[' => link(rest, out),
            _ => 0,
        };
        if taken == 0 {
            push_text(out, &c.to_string());
            i += 1;
        } else {
            i += taken;
        }
    }
}

/// A code span at the start of `rest`: the characters used, or 0 when the backticks are text.
fn code_span(rest: &[char], out: &mut Vec<Inline>) -> usize {
    let n = rest.iter().take_while(|&&c| c == '`').count();
    let mut j = n;
    while j < rest.len() {
        let run = rest
            .get(j..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| c == '`')
            .count();
        if run == n {
            let inner = text_of(rest.get(n..j).unwrap_or_default());
            let inner = match inner.strip_prefix(' ').and_then(|s| s.strip_suffix(' ')) {
                Some(s) if !s.trim().is_empty() => s.to_string(),
                _ => inner,
            };
            out.push(Inline::Code(inner));
            return j + n;
        }
        j += run.max(1);
    }
    // No closing run: the backticks are literal.
    push_text(out, &text_of(rest.get(..n).unwrap_or_default()));
    n
}

/// Emphasis or strong emphasis opening at `chars[i]`: the characters used, or 0.
fn emphasis(chars: &[char], i: usize, out: &mut Vec<Inline>) -> usize {
    let Some(d) = at(chars, i) else { return 0 };
    let n = if at(chars, i + 1) == Some(d) { 2 } else { 1 };
    let after = at(chars, i + n);
    // An opener is followed by a non-space; `_` also must not be inside a word (snake_case).
    if after.is_none_or(char::is_whitespace) || after == Some(d) {
        return 0;
    }
    if d == '_' && i > 0 && at(chars, i - 1).is_some_and(char::is_alphanumeric) {
        return 0;
    }
    let mut j = i + n + 1;
    while j + n <= chars.len() {
        let closes = (0..n).all(|k| at(chars, j + k) == Some(d))
            && at(chars, j - 1).is_some_and(|p| !p.is_whitespace())
            && at(chars, j + n) != Some(d)
            && (d != '_' || !at(chars, j + n).is_some_and(char::is_alphanumeric));
        if closes {
            let mut inner = Vec::new();
            inlines(chars.get(i + n..j).unwrap_or_default(), &mut inner);
            out.push(if n == 2 {
                Inline::Strong(inner)
            } else {
                Inline::Emphasis(inner)
            });
            return j + n - i;
        }
        // Skip over code spans: their content is not markup.
        if at(chars, j) == Some('`') {
            let run = chars
                .get(j..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&c| c == '`')
                .count();
            let close = (j + run..chars.len()).find(|&k| {
                chars
                    .get(k..k + run)
                    .is_some_and(|w| w.iter().all(|&c| c == '`'))
            });
            j = close.map_or(j + run, |k| k + run);
            continue;
        }
        j += 1;
    }
    0
}

/// A link `[text](target)` at the start of `rest`: the characters used, or 0.
fn link(rest: &[char], out: &mut Vec<Inline>) -> usize {
    let mut depth = 0usize;
    let mut close = None;
    for (k, &c) in rest.iter().enumerate() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else { return 0 };
    if at(rest, close + 1) != Some('(') {
        return 0;
    }
    let Some(end) = rest
        .get(close + 2..)
        .unwrap_or_default()
        .iter()
        .position(|&c| c == ')')
        .map(|p| close + 2 + p)
    else {
        return 0;
    };
    let href = text_of(rest.get(close + 2..end).unwrap_or_default())
        .trim()
        .to_string();
    let mut content = Vec::new();
    inlines(rest.get(1..close).unwrap_or_default(), &mut content);
    let lower = href.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://")) && !href.contains(' ') {
        out.push(Inline::Link { content, href });
    } else {
        // Any other target (`javascript:`, relative paths) is dropped: the text stays.
        for c in content {
            match c {
                Inline::Text(t) => push_text(out, &t),
                other => out.push(other),
            }
        }
    }
    end + 1
}

fn render_inlines(inlines: Vec<Inline>) -> AnyView {
    inlines
        .into_iter()
        .map(|i| match i {
            Inline::Text(t) => t.into_any(),
            Inline::Emphasis(c) => view! { <em>{render_inlines(c)}</em> }.into_any(),
            Inline::Strong(c) => view! { <strong>{render_inlines(c)}</strong> }.into_any(),
            Inline::Code(t) => view! { <code>{t}</code> }.into_any(),
            Inline::Link { content, href } => view! {
                <a href=href target="_blank" rel="noopener noreferrer">{render_inlines(content)}</a>
            }
            .into_any(),
        })
        .collect_view()
        .into_any()
}

fn render_block(b: Block) -> AnyView {
    match b {
        Block::Heading { level, content } => {
            let c = render_inlines(content);
            match level {
                1 => view! { <h1>{c}</h1> }.into_any(),
                2 => view! { <h2>{c}</h2> }.into_any(),
                3 => view! { <h3>{c}</h3> }.into_any(),
                4 => view! { <h4>{c}</h4> }.into_any(),
                5 => view! { <h5>{c}</h5> }.into_any(),
                _ => view! { <h6>{c}</h6> }.into_any(),
            }
        }
        Block::Paragraph(c) => view! { <p>{render_inlines(c)}</p> }.into_any(),
        Block::Code { lang, text } => {
            let class = lang.map(|l| format!("language-{l}"));
            // Focusable, so a keyboard can scroll a long line sideways.
            view! { <pre tabindex="0"><code class=class>{text}</code></pre> }.into_any()
        }
        Block::List { start, items } => {
            let items = items
                .into_iter()
                .map(|i| view! { <li>{render_inlines(i)}</li> })
                .collect_view();
            match start {
                Some(n) => view! { <ol start=n>{items}</ol> }.into_any(),
                None => view! { <ul>{items}</ul> }.into_any(),
            }
        }
    }
}

/// One line of plain text with its `` `code` `` spans as `<code>` (the engine's messages: trace
/// summaries and hints, lint findings, lab task failures); everything else stays text, and a
/// backtick without its closing one is shown as written.
pub fn code_spans(text: &str) -> AnyView {
    let parts: Vec<&str> = text.split('`').collect();
    let last = parts.len() - 1;
    parts
        .into_iter()
        .enumerate()
        .map(
            |(i, part)| match (i % 2 == 1, i < last && !part.is_empty()) {
                (true, true) => view! { <code>{part.to_string()}</code> }.into_any(),
                (true, false) if i < last => "``".into_any(),
                (true, false) => format!("`{part}").into_any(),
                _ => part.to_string().into_any(),
            },
        )
        .collect_view()
        .into_any()
}

/// Renders markdown `text` (lab instructions, task descriptions, hints) as HTML elements.
#[component]
pub fn Markdown(
    /// The markdown source.
    text: String,
) -> impl IntoView {
    let blocks = parse(&text).into_iter().map(render_block).collect_view();
    view! { <div class="markdown" data-testid="markdown">{blocks}</div> }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;
