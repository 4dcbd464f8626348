//! Any bytes as a sweep folder's files (runs.jsonl, runs.csv, checksums.jsonl and one events
//! file, separated by 0xFF bytes; the first byte the shard's run count) given to the resume
//! verifier: it never panics, its cuts lie within the files, and the files cut where it says
//! verify again to the same runs with nothing more to cut.
#![no_main]
use std::collections::BTreeMap;

use casus::sweep::Shard;
use casus::sweep::prefix::{Files, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let shard_runs = u64::from(first % 64);
    let mut parts = rest.split(|b| *b == 0xFF);
    let (jsonl, csv, sums, events) = (parts.next().unwrap_or(&[]), parts.next().unwrap_or(&[]), parts.next().unwrap_or(&[]), parts.next());
    let files: Option<BTreeMap<u64, Vec<u8>>> = events.map(|e| BTreeMap::from([(0, e.to_vec())]));
    let given = Files { jsonl: Some(jsonl), csv, series: None, sums, events: files.as_ref() };
    let Ok(cut) = verify(&given, Shard::whole(), shard_runs) else { return };
    assert!(cut.kept <= shard_runs);
    assert!(cut.jsonl <= jsonl.len() as u64 && cut.csv <= csv.len() as u64 && cut.sums <= sums.len() as u64, "{cut:?}");
    let cut_events: Option<BTreeMap<u64, Vec<u8>>> = files.as_ref().map(|f| {
        f.iter()
            .filter_map(|(s, bytes)| {
                let len = cut.events.get(s).copied().unwrap_or(bytes.len() as u64);
                assert!(len <= bytes.len() as u64, "{cut:?}");
                (len > 0).then(|| (*s, bytes[..len as usize].to_vec()))
            })
            .collect()
    });
    let again = Files {
        jsonl: Some(&jsonl[..cut.jsonl as usize]),
        csv: &csv[..cut.csv as usize],
        series: None,
        sums: &sums[..cut.sums as usize],
        events: cut_events.as_ref(),
    };
    let second = verify(&again, Shard::whole(), shard_runs).expect("the kept runs verify again");
    assert_eq!((second.kept, second.jsonl, second.csv, second.sums), (cut.kept, cut.jsonl, cut.csv, cut.sums));
});
