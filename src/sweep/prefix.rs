//! What `--resume` keeps of a sweep folder: the runs saved before it stopped, verified.
//!
//! Every saved run has a line in `checksums.jsonl` ([`RunSums`]), written once its `runs.jsonl`
//! line, its `runs.csv` line and (with `--events`) its log are on disk: the run's index and the
//! digests of those bytes. So the folder always holds the checksummed runs and, after a kill or
//! a full disk, at most the one run that was being saved when it stopped: a last line of each
//! file, perhaps torn. [`verify`] checks every checksummed run against its digests, keeps the
//! runs that are whole, and drops only that torn tail; anything else (an edited, duplicated,
//! moved or added row, an edited CSV header, an edited log) is refused, naming the file and line.
//!
//! It works on bytes: the folder layer reads the files and cuts them where it says.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sweep::Shard;

/// The file of per-run digests, in a sweep folder.
pub const SUMS: &str = "checksums.jsonl";

/// The time series, in a sweep folder with `--series`: each run's lines (its block) in run
/// order, each line starting with the run's index, the header before the first run's.
pub const SERIES: &str = "series.csv";

/// One line of `checksums.jsonl`: a saved run and the digests of what was written for it (the
/// first 64 bits of SHA-256, in hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSums {
    /// The run's index.
    pub run: u64,
    /// With `--jsonl`: its `runs.jsonl` line, with the newline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jsonl: Option<String>,
    /// Its `runs.csv` line, with the newline.
    pub csv: String,
    /// The first run's line only: the `runs.csv` header line, with the newline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_header: Option<String>,
    /// With `--series`: its block of series.csv (with the header for the file's first run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// With `--events`: its block in its events file (its `{"record":"run",...}` line and its log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<String>,
}

/// The digest of the bytes `parts` hold, one after the other: the first 64 bits of SHA-256, in hex.
pub fn digest(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A sweep folder's files, as read.
pub struct Files<'a> {
    /// With `--jsonl`: runs.jsonl.
    pub jsonl: Option<&'a [u8]>,
    /// runs.csv.
    pub csv: &'a [u8],
    /// With `--series`: series.csv.
    pub series: Option<&'a [u8]>,
    /// checksums.jsonl.
    pub sums: &'a [u8],
    /// With `--events`: the events files by their first run index (`events/runs-NNNNNNNN.jsonl`).
    pub events: Option<&'a BTreeMap<u64, Vec<u8>>>,
}

/// Where each file is cut to keep the verified runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// Runs kept (the shard's first `kept`).
    pub kept: u64,
    /// runs.jsonl's length after the cut.
    pub jsonl: u64,
    /// runs.csv's (0 when no run is kept: the header is written again).
    pub csv: u64,
    /// series.csv's (likewise).
    pub series: u64,
    /// checksums.jsonl's.
    pub sums: u64,
    /// The events files' lengths after the cut (a file cut to 0 is removed), by first run index.
    pub events: BTreeMap<u64, u64>,
}

/// Why the saved runs cannot be resumed: a file was changed after casus wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The file, relative to the sweep folder.
    pub file: String,
    /// Its line (from 1).
    pub line: u64,
    /// What is wrong, in words.
    pub what: String,
}

/// The complete lines of `text` (each with its newline) and what follows the last one.
fn lines(text: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(n) = memchr::memchr(b'\n', &text[pos..]) {
        out.push(&text[pos..pos + n + 1]);
        pos += n + 1;
    }
    (out, &text[pos..])
}

/// The events file holding run `run` (its first run index), with [`EVENTS_CHUNK`] runs a file.
///
/// [`EVENTS_CHUNK`]: crate::sweep::folder::EVENTS_CHUNK
fn chunk_of(run: u64) -> u64 {
    run / crate::sweep::folder::EVENTS_CHUNK * crate::sweep::folder::EVENTS_CHUNK
}

/// The events file's name for the chunk starting at `start`.
pub fn events_name(start: u64) -> String {
    format!("events/runs-{start:08}.jsonl")
}

/// The line that opens run `run`'s block in an events file, up to its run index.
fn marker(run: u64) -> String {
    format!("{{\"record\":\"run\",\"run\":{run},")
}

/// The end of the block of run `run` starting at `pos` in `text`: its marker line, then its log
/// up to and including its end record. `None` when the text ends first (a torn block); an error
/// when the text at `pos` is not that run's block.
fn block_end(text: &[u8], pos: usize, run: u64) -> Result<Option<usize>, String> {
    let rest = &text[pos..];
    let m = marker(run);
    if !rest.starts_with(m.as_bytes()) {
        if m.as_bytes().starts_with(rest) {
            return Ok(None);
        }
        return Err(format!("run {run}'s log should start here"));
    }
    let mut at = pos;
    let mut first = true;
    while let Some(n) = memchr::memchr(b'\n', &text[at..]) {
        let line = &text[at..at + n + 1];
        if !first && line.starts_with(b"{\"record\":\"run\"") {
            return Err(format!("run {run}'s log ends without its end record"));
        }
        at += n + 1;
        if line.starts_with(b"{\"record\":\"end\"") {
            return Ok(Some(at));
        }
        first = false;
    }
    Ok(None)
}

/// The line number (from 1) at byte `pos` of `text`.
fn line_at(text: &[u8], pos: usize) -> u64 {
    memchr::memchr_iter(b'\n', &text[..pos.min(text.len())]).count() as u64 + 1
}

/// The run index a runs.jsonl line names, if it is a row.
fn jsonl_run(line: &[u8]) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(line).ok()?.get("run")?.as_u64()
}

/// The run index a runs.csv line names (its first field), if it is a number.
fn csv_run(line: &[u8]) -> Option<u64> {
    let first = line.split(|b| *b == b',' || *b == b'\n').next()?;
    std::str::from_utf8(first).ok()?.parse().ok()
}

/// Verifies the saved runs of shard `shard` (of `shard_runs` runs) in `files` and says where to
/// cut each file: after the runs whose every line matches its checksums, dropping at most the one
/// run that was being saved when the sweep stopped (see the module's documentation).
pub fn verify(files: &Files, shard: Shard, shard_runs: u64) -> Result<Prefix, Damage> {
    let damage = |file: &str, line: u64, what: String| Damage { file: file.to_string(), line, what };
    let (sums, _) = lines(files.sums);
    let (jsonl, jsonl_tail) = lines(files.jsonl.unwrap_or_default());
    let (csv, csv_tail) = lines(files.csv);
    let mut records = Vec::with_capacity(sums.len());
    for (i, line) in sums.iter().enumerate() {
        let r: RunSums = serde_json::from_slice(line).map_err(|e| damage(SUMS, i as u64 + 1, format!("not a checksum record ({e})")))?;
        records.push(r);
    }
    // The events file being read: its first run index, its bytes, and where the next block starts.
    let mut chunk: Option<(u64, &[u8], usize)> = None;
    let mut cuts: BTreeMap<u64, u64> = BTreeMap::new();
    let empty: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    let event_files = files.events.unwrap_or(&empty);
    let mut kept = 0u64;
    let mut csv_bytes = 0u64;
    let mut series_pos = 0usize;
    while (kept as usize) < records.len() && kept < shard_runs {
        let k = kept as usize;
        let r = &records[k];
        let run = shard.nth(kept);
        if r.run != run {
            return Err(damage(SUMS, kept + 1, format!("names run {} where run {run} comes next", r.run)));
        }
        let j = jsonl.get(k);
        let (Some(c), Some(header)) = (csv.get(k + 1), csv.first()) else { break };
        if files.jsonl.is_some() && j.is_none() {
            break;
        }
        let mut block = None;
        if files.events.is_some() {
            let start = chunk_of(run);
            if chunk.is_none_or(|(s, _, _)| s != start) {
                if let Some((s, text, pos)) = chunk
                    && pos < text.len()
                {
                    return Err(damage(
                        &events_name(s),
                        line_at(text, pos),
                        format!("lines after the last run's log (run {}'s belongs in the next file)", run),
                    ));
                }
                let Some(text) = event_files.get(&start) else { break };
                chunk = Some((start, text.as_slice(), 0));
            }
            let (s, text, pos) = chunk.expect("read");
            match block_end(text, pos, run) {
                Ok(Some(end)) => block = Some((s, text, pos, end)),
                Ok(None) => break,
                Err(what) => return Err(damage(&events_name(s), line_at(text, pos), what)),
            }
        }
        if let Some(j) = j
            && Some(digest(&[j])) != r.jsonl
        {
            let what = match jsonl_run(j) {
                Some(found) if found != run => format!("holds run {found} where run {run} comes next (a duplicated or moved row)"),
                _ => format!("run {run}'s row is not the row that was written (edited)"),
            };
            return Err(damage("runs.jsonl", kept + 1, what));
        }
        if k == 0 && r.csv_header.as_ref().is_none_or(|h| digest(&[header]) != *h) {
            return Err(damage("runs.csv", 1, "the header is not the header that was written (edited)".into()));
        }
        if digest(&[c]) != r.csv {
            let what = match csv_run(c) {
                Some(found) if found != run => format!("holds run {found} where run {run} comes next (a duplicated or moved row)"),
                _ => format!("run {run}'s row is not the row that was written (edited)"),
            };
            return Err(damage("runs.csv", kept + 2, what));
        }
        if let Some((s, text, pos, end)) = block {
            if r.events.as_deref() != Some(digest(&[&text[pos..end]]).as_str()) {
                return Err(damage(
                    &events_name(s),
                    line_at(text, pos),
                    format!("run {run}'s log is not the log that was written (edited)"),
                ));
            }
            chunk = Some((s, text, end));
            cuts.insert(s, end as u64);
        }
        if let Some(text) = files.series {
            let end = series_block(text, series_pos, run, k == 0);
            if r.series.as_deref() != Some(digest(&[&text[series_pos..end]]).as_str()) {
                let what = format!("run {run}'s series is not the series that was written (edited)");
                return Err(damage(SERIES, line_at(text, series_pos), what));
            }
            series_pos = end;
        }
        csv_bytes += c.len() as u64 + if k == 0 { header.len() as u64 } else { 0 };
        kept += 1;
    }
    let k = kept as usize;
    // Beyond the kept runs, each file may hold the one run that was being saved, perhaps torn.
    let next = (kept < shard_runs).then(|| shard.nth(kept));
    let beyond = |what: &str| match next {
        Some(run) => format!("{what} beyond the runs checksums.jsonl records, other than run {run}'s (added or duplicated)"),
        None => format!("{what} after the sweep's last run (added or duplicated)"),
    };
    // runs.jsonl: the next run's row (line kept + 1), whole or torn.
    let extra_jsonl = &jsonl[k.min(jsonl.len())..];
    let jsonl_room = usize::from(next.is_some());
    if extra_jsonl.len() > jsonl_room || (extra_jsonl.len() == jsonl_room && jsonl_room > 0 && !jsonl_tail.is_empty()) {
        return Err(damage("runs.jsonl", kept + 1 + jsonl_room as u64, beyond("a row")));
    }
    if next.is_none() && !jsonl_tail.is_empty() {
        return Err(damage("runs.jsonl", kept + 1, beyond("a row")));
    }
    if let Some(line) = extra_jsonl.first()
        && jsonl_run(line) != next
    {
        return Err(damage("runs.jsonl", kept + 1, beyond("a row")));
    }
    // runs.csv: the header while no run is kept (line 1), the next run's row (line kept + 2).
    let csv_first = if k == 0 { 0 } else { k + 1 };
    let extra_csv = &csv[csv_first.min(csv.len())..];
    let csv_room = usize::from(k == 0) + usize::from(next.is_some());
    if extra_csv.len() > csv_room || (extra_csv.len() == csv_room && next.is_some() && !csv_tail.is_empty()) {
        return Err(damage("runs.csv", (csv_first + csv_room + 1) as u64, beyond("a row")));
    }
    if next.is_none() && !csv_tail.is_empty() {
        return Err(damage("runs.csv", (csv_first + 1) as u64, beyond("a row")));
    }
    let row_line = if k == 0 { extra_csv.get(1) } else { extra_csv.first() };
    if let Some(line) = row_line
        && csv_run(line) != next
    {
        return Err(damage("runs.csv", kept + 2, beyond("a row")));
    }
    if let Some(text) = files.series {
        series_rest(text, series_pos, kept == 0, next).map_err(|(line, what)| damage(SERIES, line, beyond(what)))?;
    }
    // Events: what follows the last kept block may only be the next run's (perhaps torn) block,
    // in that block's file, and nothing in any later file.
    if files.events.is_some() {
        let next_chunk = next.map(chunk_of);
        if let Some((s, text, pos)) = chunk
            && Some(s) != next_chunk
            && pos < text.len()
        {
            return Err(damage(&events_name(s), line_at(text, pos), beyond("a log")));
        }
        for (&s, text) in event_files.iter() {
            let from = match chunk {
                Some((c, _, pos)) if c == s => pos,
                _ if cuts.contains_key(&s) => continue,
                _ => 0,
            };
            let rest = &text[from..];
            if rest.is_empty() {
                cuts.insert(s, from as u64);
                continue;
            }
            let ok = match next {
                Some(run) if Some(s) == next_chunk => match block_end(text, from, run) {
                    Ok(None) => true,
                    Ok(Some(end)) => end == text.len(),
                    Err(_) => false,
                },
                _ => false,
            };
            if !ok {
                return Err(damage(&events_name(s), line_at(text, from), beyond("a log")));
            }
            cuts.insert(s, from as u64);
        }
    }
    let sums_bytes: usize = sums[..k].iter().map(|l| l.len()).sum();
    let jsonl_bytes: usize = jsonl[..k.min(jsonl.len())].iter().map(|l| l.len()).sum();
    Ok(Prefix { kept, jsonl: jsonl_bytes as u64, csv: csv_bytes, series: series_pos as u64, sums: sums_bytes as u64, events: cuts })
}

/// The end of run `run`'s block of series.csv starting at `pos`: the header line when `first`,
/// then every whole line naming the run.
fn series_block(text: &[u8], pos: usize, run: u64, first: bool) -> usize {
    let mut at = pos;
    let mut header = first;
    while let Some(n) = memchr::memchr(b'\n', &text[at..]) {
        if !header && csv_run(&text[at..at + n + 1]) != Some(run) {
            break;
        }
        header = false;
        at += n + 1;
    }
    at
}

/// Checks what follows the kept runs' blocks of series.csv, from `pos`: only the lines of the
/// run being saved (`next`, perhaps torn), after the header when no run is kept (`first`).
/// On damage, the line and what is there.
fn series_rest(text: &[u8], pos: usize, first: bool, next: Option<u64>) -> Result<(), (u64, &'static str)> {
    let (lines, tail) = lines(&text[pos..]);
    for (i, line) in lines.iter().enumerate() {
        if !(first && i == 0) && (next.is_none() || csv_run(line) != next) {
            return Err((line_at(text, pos) + i as u64, "a series line"));
        }
    }
    if next.is_none() && !tail.is_empty() {
        return Err((line_at(text, pos) + lines.len() as u64, "a series line"));
    }
    Ok(())
}
