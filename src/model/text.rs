//! Text from a scenario or a log on its way to a terminal. Names, ids, leaders and article
//! citations are the user's text: a control character in one (an ANSI escape sequence, a
//! carriage return, a line break) would drive the terminal or forge a line of a timeline. Every
//! text printer passes what it prints through [`printable`]; the raw text stays in the JSON log.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: a control character (C0, DEL, C1) or a
/// bidirectional override or isolate, which reorders what follows it on the line.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character and bidirectional control escaped as Rust writes it
/// (`\n`, `\u{1b}`, `\u{202e}`); text without one is returned as it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// [`printable`] for messages of several lines: line breaks and tabs are kept, every other
/// control character is escaped.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escape(text, |c| c == '\n' || c == '\t')
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_other_text_kept() {
        assert!(matches!(printable("Niger – Niamey, Côte d'Ivoire"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(printable("one\ntwo\r"), "one\\ntwo\\r");
        assert_eq!(printable("x\u{202e}y\u{9b}z\u{7f}"), "x\\u{202e}y\\u{9b}z\\u{7f}");
        assert_eq!(printable_lines("one\n\ttwo\u{1b}"), "one\n\ttwo\\u{1b}");
        // Escaping twice changes nothing more: an escaped text has no control character left.
        assert_eq!(printable(&printable("a\u{1b}b")), printable("a\u{1b}b"));
    }
}
