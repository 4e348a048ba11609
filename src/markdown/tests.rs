//! The markdown parser: blocks, inlines, and what stays text.

use super::*;

fn t(s: &str) -> Inline {
    Inline::Text(s.into())
}

#[test]
fn headings_paragraphs_and_code_blocks() {
    let doc = parse(
        "# Title\n\nOne line\ncontinues.\n\n## Sub ##\n```json\n{\"a\": 1}\n\n  x\n```\nafter",
    );
    assert_eq!(
        doc,
        vec![
            Block::Heading {
                level: 1,
                content: vec![t("Title")]
            },
            Block::Paragraph(vec![t("One line continues.")]),
            Block::Heading {
                level: 2,
                content: vec![t("Sub")]
            },
            Block::Code {
                lang: Some("json".into()),
                text: "{\"a\": 1}\n\n  x".into()
            },
            Block::Paragraph(vec![t("after")]),
        ]
    );
    // `#tag` is not a heading; seven hashes neither.
    assert_eq!(parse("#tag")[0], Block::Paragraph(vec![t("#tag")]));
    assert_eq!(
        parse("####### x")[0],
        Block::Paragraph(vec![t("####### x")])
    );
    // An unclosed fence runs to the end.
    assert_eq!(
        parse("```\ncode")[0],
        Block::Code {
            lang: None,
            text: "code".into()
        }
    );
}

#[test]
fn lists() {
    let doc = parse("- one\n- two\n  more\n\n3. three\n4) four\n* star");
    assert_eq!(
        doc,
        vec![
            Block::List {
                start: None,
                items: vec![vec![t("one")], vec![t("two more")]]
            },
            Block::List {
                start: Some(3),
                items: vec![vec![t("three")], vec![t("four")]]
            },
            Block::List {
                start: None,
                items: vec![vec![t("star")]]
            },
        ]
    );
    assert_eq!(
        parse("text\n- item"),
        vec![
            Block::Paragraph(vec![t("text")]),
            Block::List {
                start: None,
                items: vec![vec![t("item")]]
            }
        ]
    );
}

#[test]
fn emphasis_strong_and_code() {
    assert_eq!(
        parse_inlines("a *b* **c** _d_ __e__ `f*g*`"),
        vec![
            t("a "),
            Inline::Emphasis(vec![t("b")]),
            t(" "),
            Inline::Strong(vec![t("c")]),
            t(" "),
            Inline::Emphasis(vec![t("d")]),
            t(" "),
            Inline::Strong(vec![t("e")]),
            t(" "),
            Inline::Code("f*g*".into()),
        ]
    );
    // Names with underscores, a lone star and `kms:*` stay text.
    assert_eq!(
        parse_inlines("NPS_KMS_Policy allows kms:* on * here"),
        vec![t("NPS_KMS_Policy allows kms:* on * here")]
    );
    assert_eq!(
        parse_inlines("**bold `x*` end**"),
        vec![Inline::Strong(vec![
            t("bold "),
            Inline::Code("x*".into()),
            t(" end")
        ])]
    );
    assert_eq!(parse_inlines("`` a`b ``"), vec![Inline::Code("a`b".into())]);
    assert_eq!(parse_inlines("`open"), vec![t("`open")]);
    assert_eq!(parse_inlines(r"\*not\*"), vec![t("*not*")]);
}

#[test]
fn links_only_for_http() {
    assert_eq!(
        parse_inlines("see [the *guide*](https://docs.aws.amazon.com/kms/) now"),
        vec![
            t("see "),
            Inline::Link {
                content: vec![t("the "), Inline::Emphasis(vec![t("guide")])],
                href: "https://docs.aws.amazon.com/kms/".into()
            },
            t(" now"),
        ]
    );
    assert_eq!(
        parse_inlines("[click](javascript:alert(1))"),
        vec![t("click)")]
    );
    assert_eq!(parse_inlines("[rel](../x.md)"), vec![t("rel")]);
    assert_eq!(parse_inlines("[no target]"), vec![t("[no target]")]);
}

#[test]
fn html_is_text() {
    assert_eq!(
        parse("<script>alert(1)</script>"),
        vec![Block::Paragraph(vec![t("<script>alert(1)</script>")])]
    );
}
