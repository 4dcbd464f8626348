//! Any bytes through the bounded line readers, with limits small enough for the fuzzer to
//! reach: `input::lines` and the log reader (`LogReader::with_limits`), over buffers of 1 to
//! 64 bytes. A line within the limit reads as `BufRead::lines` reads it (and as the log reader
//! with its own limits, over the whole input at once, reads it); the first line over the limit
//! is refused, by its line number, as the last item.
//!
//! The first byte is `input::lines`'s limit less one, the second the buffer's size, the third
//! the log reader's header limit (a sixteenth of it), the fourth its limit for the other lines
//! (a half of it); the rest is the input.
//!
//! Shared by the `bounded` fuzz target and `cargo test` (tests/fuzz_regressions.rs), which
//! replays tests/fuzz_regressions/bounded/ through it.
use std::io::{BufRead, BufReader};

/// The input's lines as the bytes between newlines (a `\r` before a newline kept), the last
/// one only when it is not empty.
fn raw_lines(data: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = data.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

fn check_lines(data: &[u8], limit: usize, capacity: usize) {
    let ours: Vec<Result<String, String>> =
        casus::input::lines(BufReader::with_capacity(capacity, data), limit).map(|r| r.map_err(|e| e.to_string())).collect();
    let mut expected: Vec<Result<String, String>> = Vec::new();
    for (raw, line) in raw_lines(data).into_iter().zip(data.lines()) {
        if raw.len() > limit {
            expected.push(Err(format!("a line is longer than {limit} bytes")));
            break;
        }
        match line {
            Ok(l) => expected.push(Ok(l)),
            Err(_) => {
                expected.push(Err("a line is not UTF-8".into()));
                break;
            }
        }
    }
    assert_eq!(ours, expected, "input::lines with limit {limit} over a buffer of {capacity}");
}

fn check_log(data: &[u8], (header, limit): (usize, usize), capacity: usize) {
    let read = |items: &mut dyn Iterator<Item = Result<casus::log::LogItem, casus::log::LogError>>| -> Vec<Result<casus::log::LogItem, (usize, String)>> {
        items.map(|r| r.map_err(|e| (e.line, e.message))).collect()
    };
    let whole = read(&mut casus::log::LogReader::new(data));
    // The buffer's size changes nothing.
    let small_buffer = read(&mut casus::log::LogReader::new(BufReader::with_capacity(capacity, data)));
    assert_eq!(whole, small_buffer, "the log reader over a buffer of {capacity}");
    let limited = read(&mut casus::log::LogReader::with_limits(BufReader::with_capacity(capacity, data), header, limit));
    if limited == whole {
        return;
    }
    // They differ only at the end, where the limited reader refuses the first line over its limit.
    let (last, before) = limited.split_last().expect("the limited reader read something");
    assert!(limited.len() <= whole.len() && whole[..before.len()] == *before, "the limited reader differs before its last item");
    let long = raw_lines(data).iter().enumerate().position(|(i, l)| l.len() > if i == 0 { header } else { limit }).map(|i| i + 1);
    match last {
        Err((line, message)) => {
            let limit = if *line == 1 { header } else { limit };
            assert!(message.starts_with(&format!("line longer than {limit} bytes")), "{message}");
            assert_eq!(Some(*line), long, "the line refused is the first over the limit");
        }
        Ok(item) => panic!("the limited reader ends with {item:?}, not a refusal"),
    }
}

/// Checks one input (see the module's description).
pub fn check(data: &[u8]) {
    let [a, b, c, d, rest @ ..] = data else { return };
    let capacity = usize::from(*b % 64) + 1;
    check_lines(rest, usize::from(*a) + 1, capacity);
    check_log(rest, (usize::from(*c) * 16 + 1, usize::from(*d) * 2 + 1), capacity);
}
