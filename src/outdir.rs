//! Output folders: how casus recognises the folders it wrote, and how it replaces them without
//! ever deleting a file it did not write.
//!
//! Every folder casus writes (a run, a fork, a sweep, a merged sweep) holds a marker file,
//! [`MARKER`], naming the kind of output and its identity (scenario, seed, plan). Only a marked
//! folder is replaced, and then only the files casus itself writes into a folder of that kind
//! ([`Kind::is_own`]) are removed; anything else the user put there stays. A folder without the
//! marker is treated as the user's: casus writes into it only with `--force`, keeps every file
//! in it, and refuses if one of its files has a name casus would write. Folders written by
//! earlier versions of casus, before the marker, are recognised by their contents (a run: only
//! run files, with a log whose first record is a casus header; a sweep: a `manifest.json` that
//! parses as one).
//!
//! Some destinations are refused outright, whatever their contents: `/`, the home folder, the
//! current folder and any folder that contains it.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

mod lock;
pub use lock::Lock;

/// The marker file in every output folder casus writes.
pub const MARKER: &str = ".casus-output";

/// The kind of output folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A run or a fork (`casus run`, `casus fork`).
    Run,
    /// A sweep or a merged sweep (`casus sweep`, `casus merge`).
    Sweep,
}

impl Kind {
    /// The marker's name for this kind.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Sweep => "sweep",
        }
    }

    /// Whether casus writes a file at `rel` (a path relative to the folder) in a folder of this
    /// kind: the only files it removes when it replaces such a folder.
    pub fn is_own(self, rel: &Path) -> bool {
        let parts: Vec<&str> = rel.components().filter_map(|c| if let Component::Normal(s) = c { s.to_str() } else { None }).collect();
        match parts.as_slice() {
            [MARKER | "report.html" | "comparison.html"] => true,
            ["charts", png] => png.ends_with(".png"),
            [file] => match self {
                Kind::Run => matches!(*file, "events.jsonl" | "summary.json" | "scenario.ron" | "fork.json"),
                Kind::Sweep => {
                    matches!(
                        *file,
                        "manifest.json"
                            | ".manifest.json.tmp"
                            | "runs.csv"
                            | "runs.jsonl"
                            | "checksums.jsonl"
                            | "points.csv"
                            | "sensitivity.csv"
                            | "sensitivity_s2.csv"
                            | ".sensitivity.csv.tmp"
                            | ".sensitivity_s2.csv.tmp"
                            | "discovery.csv"
                            | ".discovery.csv.tmp"
                            | "runs.parquet"
                            | "points.parquet"
                            | ".runs.parquet.tmp"
                            | ".points.parquet.tmp"
                            | "series.csv"
                            | "series.parquet"
                            | ".series.parquet.tmp"
                    )
                }
            },
            ["events", chunk] => self == Kind::Sweep && chunk.starts_with("runs-") && chunk.ends_with(".jsonl"),
            _ => false,
        }
    }

    /// Subfolders casus creates in a folder of this kind (removed when emptied of own files).
    fn own_dirs(self) -> &'static [&'static str] {
        match self {
            Kind::Run => &["charts"],
            Kind::Sweep => &["charts", "events"],
        }
    }
}

/// What an output folder holds before casus writes it.
#[derive(Debug, Default)]
pub struct Survey {
    /// Whether the path exists (as a folder).
    pub exists: bool,
    /// Whether the folder is casus's own: marked, or written by an earlier casus.
    pub marked: bool,
    /// Files casus writes in a folder of this kind, relative to the folder.
    pub own: Vec<PathBuf>,
    /// Every other file or folder, relative to the folder.
    pub foreign: Vec<PathBuf>,
}

/// Why casus will not write an output folder; each message says what to do instead.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// Refuses destinations that hold far more than an output: `/`, the home folder, the current
/// folder and its ancestors (`.`, `..`, or any path that resolves to them).
pub fn refuse_dangerous(out: &Path) -> Result<(), Refusal> {
    let shown = out.display();
    if out.as_os_str().is_empty() {
        return Err(Refusal("error: the output folder is empty; give a folder name with --out".into()));
    }
    let resolved = resolve(out).map_err(|e| Refusal(format!("error: {shown}: {e}")))?;
    let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
    let home = std::env::var_os("HOME").map(PathBuf::from).and_then(|h| h.canonicalize().ok());
    let why = if resolved.parent().is_none() {
        Some("it is the root folder")
    } else if home.as_deref() == Some(resolved.as_path()) {
        Some("it is the home folder")
    } else if cwd.as_deref().is_some_and(|c| c.starts_with(&resolved)) {
        Some("it is the current folder or contains it")
    } else {
        None
    };
    match why {
        Some(why) => {
            Err(Refusal(format!("error: refusing to write output into {shown}: {why}; give a new folder with --out, such as runs/NAME")))
        }
        None => Ok(()),
    }
}

/// The absolute path `out` names, with symbolic links of its existing part resolved and `.`
/// and `..` of the rest taken lexically (the path itself need not exist).
fn resolve(out: &Path) -> io::Result<PathBuf> {
    if let Ok(p) = out.canonicalize() {
        return Ok(p);
    }
    let absolute = if out.is_absolute() { out.to_path_buf() } else { std::env::current_dir()?.join(out) };
    let mut resolved = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => {
                resolved.push(other);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    Ok(resolved)
}

/// Refuses an output folder of `kind` that would replace one of the command's `inputs`: an
/// input is the folder itself, or one of the files casus writes in such a folder
/// (a run's `scenario.ron` given as the scenario of a run into the same folder, a parent's
/// `events.jsonl` given to a fork into the parent's folder). casus never writes over what it
/// reads.
pub fn refuse_inputs_inside(out: &Path, kind: Kind, inputs: &[&Path]) -> Result<(), Refusal> {
    let shown = out.display();
    let resolved = resolve(out).map_err(|e| Refusal(format!("error: {shown}: {e}")))?;
    for input in inputs {
        let Ok(inp) = resolve(input) else { continue };
        let clash = resolved == inp || inp.strip_prefix(&resolved).is_ok_and(|rel| kind.is_own(rel));
        if clash {
            return Err(Refusal(format!(
                "error: refusing to write {shown}: it would replace {}, which this command reads; \
                 casus never writes over its input: choose another --out",
                input.display()
            )));
        }
    }
    Ok(())
}

/// Refuses to write the file `dest` when it is one of the command's `inputs`, a casus log
/// (`events.jsonl`, or any file that starts with a casus log header) or a file casus wrote as
/// part of an output folder (a run's summary, a sweep's rows), other than those `may_replace`
/// allows (the report's own page and charts).
pub fn refuse_file_over_input(dest: &Path, inputs: &[&Path], may_replace: impl Fn(&Path) -> bool) -> Result<(), Refusal> {
    let shown = dest.display();
    let resolved = resolve(dest).map_err(|e| Refusal(format!("error: {shown}: {e}")))?;
    let refuse = |why: String| Err(Refusal(format!("error: refusing to write {shown}: {why}; choose another --out")));
    if let Some(input) = inputs.iter().find(|i| resolve(i).is_ok_and(|r| r == resolved)) {
        return refuse(format!("it is {}, which this command reads; casus never writes over its input", input.display()));
    }
    if fs::metadata(&resolved).is_ok_and(|m| m.is_dir()) {
        return refuse("it is a folder".into());
    }
    if resolved.file_name().is_some_and(|n| n == "events.jsonl") || is_casus_log(&resolved) {
        return refuse("it is a casus event log".into());
    }
    // A file of a casus output folder (the folder itself, or its parent for charts/ and events/).
    for folder in resolved.ancestors().skip(1).take(2) {
        let Some(kind) = marker_kind(folder).and_then(|k| [Kind::Run, Kind::Sweep].into_iter().find(|x| x.name() == k)) else {
            continue;
        };
        let rel = resolved.strip_prefix(folder).expect("an ancestor");
        if kind.is_own(rel) && !may_replace(rel) {
            return refuse(format!("it is a file of the casus {} folder {}", kind.name(), folder.display()));
        }
    }
    Ok(())
}

/// Whether `path` is a file that starts with a casus log header.
fn is_casus_log(path: &Path) -> bool {
    let mut head = [0u8; 32];
    let n = crate::input::open(path).and_then(|mut f| io::Read::read(&mut f, &mut head)).unwrap_or(0);
    head[..n].starts_with(b"{\"record\":\"header\"")
}

/// Lists what `out` holds, sorting each file into own or foreign for `kind`.
pub fn survey(out: &Path, kind: Kind) -> io::Result<Survey> {
    let mut s = Survey::default();
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(s),
        Err(e) => return Err(e),
        Ok(m) if !m.is_dir() => return Err(io::Error::other("it exists and is not a folder")),
        Ok(_) => s.exists = true,
    }
    walk(out, Path::new(""), kind, &mut s)?;
    s.marked = marker_kind(out).as_deref() == Some(kind.name()) || (!out.join(MARKER).exists() && written_by_earlier_casus(out, kind, &s));
    if !s.marked {
        // Without the marker nothing in the folder is known to be casus's.
        s.foreign.append(&mut s.own);
        s.foreign.sort();
    }
    Ok(s)
}

fn walk(root: &Path, rel: &Path, kind: Kind, s: &mut Survey) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(root.join(rel))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let r = rel.join(e.file_name());
        let is_dir = e.file_type()?.is_dir();
        if is_dir && rel.as_os_str().is_empty() && kind.own_dirs().iter().any(|d| e.file_name() == *d) {
            walk(root, &r, kind, s)?;
        } else if !is_dir && kind.is_own(&r) {
            s.own.push(r);
        } else {
            s.foreign.push(r);
        }
    }
    Ok(())
}

/// The kind named by the folder's marker, if it has a readable one.
fn marker_kind(out: &Path) -> Option<String> {
    let text = crate::input::read_to_string(&out.join(MARKER), crate::input::MAX_FILE_BYTES).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("kind")?.as_str().map(str::to_string)
}

/// A folder written before the marker existed: nothing but own files, and the file that
/// identifies the kind is casus's (a run's log starts with a casus header; a sweep's manifest
/// names a plan).
fn written_by_earlier_casus(out: &Path, kind: Kind, s: &Survey) -> bool {
    if !s.foreign.is_empty() {
        return false;
    }
    match kind {
        Kind::Run => is_casus_log(&out.join("events.jsonl")),
        Kind::Sweep => crate::input::read_to_string(&out.join("manifest.json"), crate::input::MAX_FILE_BYTES)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| v.get("plan_hash").is_some()),
    }
}

/// Checks that casus may write `out` as a folder of `kind`, before any work is done:
/// - an absent or empty folder, or one of casus's own holding only its own files, is fine;
/// - casus's own folder holding other files too needs `force`, and those files are kept;
/// - a folder that is not casus's needs `force`, is written into with every file kept, and is
///   refused anyway if it holds a file with a name casus would write.
pub fn check(out: &Path, kind: Kind, force: bool) -> Result<Survey, Refusal> {
    refuse_dangerous(out)?;
    let shown = out.display();
    let s = survey(out, kind).map_err(|e| Refusal(format!("error: {shown}: {e}")))?;
    let list = |v: &[PathBuf]| {
        v.iter().take(5).map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ") + if v.len() > 5 { ", ..." } else { "" }
    };
    if s.foreign.is_empty() {
        return Ok(s);
    }
    if s.marked && !force {
        return Err(Refusal(format!(
            "error: {shown} is a casus {} folder but also holds files casus did not write ({}); \
             move them, choose another --out, or pass --force to replace casus's files and keep them",
            kind.name(),
            list(&s.foreign)
        )));
    }
    if !s.marked {
        if !force {
            return Err(Refusal(format!(
                "error: {shown} is not empty and is not a casus output (it has no {MARKER} marker); \
                 choose another --out, or pass --force to write into it and keep its files"
            )));
        }
        let clashes: Vec<PathBuf> = s.foreign.iter().filter(|p| kind.is_own(p)).cloned().collect();
        if !clashes.is_empty() {
            return Err(Refusal(format!(
                "error: {shown} is not a casus output and holds files casus would overwrite ({}); \
                 casus never deletes a file it did not write: choose another --out",
                list(&clashes)
            )));
        }
    }
    Ok(s)
}

/// The marker's text for a folder of `kind` with the given identity.
pub fn marker_text(kind: Kind, identity: &str) -> String {
    let v = serde_json::json!({"kind": kind.name(), "casus_version": env!("CARGO_PKG_VERSION"), "identity": identity});
    serde_json::to_string_pretty(&v).expect("marker serialises") + "\n"
}

/// Removes the own files listed in `s` (never anything else), then the own subfolders that are
/// left empty.
pub fn remove_own(out: &Path, kind: Kind, s: &Survey) -> io::Result<()> {
    for rel in &s.own {
        debug_assert!(kind.is_own(rel));
        match fs::remove_file(out.join(rel)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    for d in kind.own_dirs() {
        let _ = fs::remove_dir(out.join(d)); // fails, harmlessly, while the user's files are in it
    }
    Ok(())
}

/// The hidden temporary sibling a folder or file is first written to (`.NAME.tmp-PID`).
pub fn temporary_sibling(path: &Path) -> PathBuf {
    parent_of(path).join(format!(".{}.tmp-{}", file_name(path), std::process::id()))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into())
}

/// Removes the temporaries that commands killed while writing `path` left beside it: the
/// siblings named `.NAME.tmp-PID` whose process is gone. A temporary of a live process (or of
/// one casus cannot check, on systems without `/proc`) is left alone.
pub fn remove_stale_temporaries(path: &Path) {
    let prefix = format!(".{}.tmp-", file_name(path));
    let Ok(entries) = fs::read_dir(parent_of(path)) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || process_is_alive(pid) {
            continue;
        }
        let _ = if e.file_type().is_ok_and(|t| t.is_dir()) { fs::remove_dir_all(e.path()) } else { fs::remove_file(e.path()) };
    }
}

/// Whether the process `pid` (decimal digits) is running; assumed so where it cannot be known.
fn process_is_alive(pid: &str) -> bool {
    if pid == std::process::id().to_string() {
        return true;
    }
    if cfg!(target_os = "linux") { Path::new("/proc").join(pid).exists() } else { true }
}

/// Writes the file `path` under its temporary sibling, then renames it into place, so a reader
/// sees the old file or the new one; the temporary is removed if anything fails, and stale
/// temporaries of killed commands are removed first.
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    remove_stale_temporaries(path);
    let tmp = temporary_sibling(path);
    let written = fs::write(&tmp, bytes).and_then(|_| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

fn parent_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Writes the output folder `out` of `kind`: `fill` writes its files into a temporary sibling
/// folder, the marker is added, and the result takes `out`'s place. An absent or all-own `out`
/// is replaced by one rename, so an interrupted write leaves the old folder or the new one;
/// when the user's files are in `out` (allowed by [`check`] with `force`), casus's old files are
/// removed and the new ones moved in beside the user's. The temporary folder is removed on
/// failure, and those of killed commands (see [`remove_stale_temporaries`]) before writing.
/// Call [`check`] first.
pub fn publish(out: &Path, kind: Kind, identity: &str, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    refuse_dangerous(out).map_err(|r| io::Error::other(r.0))?;
    fs::create_dir_all(parent_of(out))?;
    remove_stale_temporaries(out);
    let tmp = temporary_sibling(out);
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?; // our own process's leftover: the name carries our PID
    }
    fs::create_dir_all(&tmp)?;
    let written = (|| {
        fill(&tmp)?;
        fs::write(tmp.join(MARKER), marker_text(kind, identity))?;
        let s = survey(out, kind)?;
        if !s.exists {
            return fs::rename(&tmp, out);
        }
        if !s.marked && s.foreign.iter().any(|p| kind.is_own(p)) {
            return Err(io::Error::other("the folder gained files casus would overwrite"));
        }
        remove_own(out, kind, &s)?;
        if s.foreign.is_empty() && fs::remove_dir(out).is_ok() {
            return fs::rename(&tmp, out);
        }
        move_into(&tmp, out)?;
        fs::remove_dir_all(&tmp)
    })();
    if written.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    written
}

/// Moves every file of `from` into `to`, creating subfolders; the marker goes last, so an
/// interrupted move leaves no marker and nothing is later taken for a complete output.
fn move_into(from: &Path, to: &Path) -> io::Result<()> {
    let mut files = Vec::new();
    collect_files(from, Path::new(""), &mut files)?;
    files.sort_by_key(|p| p.as_os_str() == MARKER);
    for rel in files {
        if let Some(dir) = rel.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(to.join(dir))?;
        }
        fs::rename(from.join(&rel), to.join(&rel))?;
    }
    Ok(())
}

fn collect_files(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for e in fs::read_dir(root.join(rel))? {
        let e = e?;
        let r = rel.join(e.file_name());
        if e.file_type()?.is_dir() { collect_files(root, &r, out)? } else { out.push(r) }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_files_are_the_ones_casus_writes() {
        for (kind, rel, own) in [
            (Kind::Run, "events.jsonl", true),
            (Kind::Run, "summary.json", true),
            (Kind::Run, "charts/forces.png", true),
            (Kind::Run, "charts/notes.txt", false),
            (Kind::Run, "notes.txt", false),
            (Kind::Run, "runs.csv", false),
            (Kind::Run, "events/runs-00000000.jsonl", false),
            (Kind::Sweep, "events/runs-00000000.jsonl", true),
            (Kind::Sweep, "events/mine.jsonl", false),
            (Kind::Sweep, "runs.csv", true),
            (Kind::Sweep, "sensitivity.csv", true),
            (Kind::Sweep, "sensitivity_s2.csv", true),
            (Kind::Sweep, "discovery.csv", true),
            (Kind::Sweep, "runs.parquet", true),
            (Kind::Sweep, ".points.parquet.tmp", true),
            (Kind::Sweep, "series.csv", true),
            (Kind::Sweep, "series.parquet", true),
            (Kind::Run, "runs.parquet", false),
            (Kind::Sweep, MARKER, true),
            (Kind::Sweep, "summary.json", false),
            (Kind::Run, "a/events.jsonl", false),
        ] {
            assert_eq!(kind.is_own(Path::new(rel)), own, "{kind:?} {rel}");
        }
    }

    #[test]
    fn the_current_folder_its_ancestors_root_and_home_are_refused() {
        for p in [".", "..", "/", "./", "../.."] {
            assert!(refuse_dangerous(Path::new(p)).is_err(), "{p}");
        }
        let cwd = std::env::current_dir().unwrap();
        assert!(refuse_dangerous(&cwd).is_err());
        assert!(refuse_dangerous(&cwd.join("sub/..")).is_err());
        if let Some(home) = std::env::var_os("HOME") {
            assert!(refuse_dangerous(Path::new(&home)).is_err());
        }
        assert!(refuse_dangerous(Path::new("runs/new-folder")).is_ok());
        assert!(refuse_dangerous(Path::new("")).is_err());
    }
}
