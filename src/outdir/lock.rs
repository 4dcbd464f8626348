//! An exclusive lock on an output folder, held for the whole of a command, so that two casus
//! commands never write one folder at once (two `casus sweep --resume` appending the same rows,
//! a run replacing a folder a report is writing into).
//!
//! The lock is an OS advisory lock (`flock` on Unix) on a small file beside the folder,
//! `.NAME.lock`, which names its holder: process id, command line and start time. The system
//! releases the lock when the holder's process ends, however it ends, so a killed command never
//! leaves a folder locked; the file itself is removed when the lock is released, and a file
//! left by a killed command is simply locked again by the next one.

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{Refusal, parent_of, resolve};

/// A held lock on an output folder; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct Lock {
    file: fs::File,
    path: PathBuf,
}

/// The lock file of the folder `out` (already resolved): `.NAME.lock` beside it.
fn lock_path(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    parent_of(out).join(format!(".{name}.lock"))
}

impl Lock {
    /// Takes the lock on the folder `out` (which need not exist yet), or refuses, naming the
    /// command that holds it. Never waits. (It does not judge the folder: call
    /// [`super::refuse_dangerous`] or [`super::check`] for an output folder.)
    pub fn acquire(out: &Path) -> Result<Lock, Refusal> {
        let shown = out.display();
        let failed = |e: io::Error| Refusal(format!("error: {shown}: cannot lock the folder: {e}"));
        let path = lock_path(&resolve(out).map_err(failed)?);
        fs::create_dir_all(parent_of(&path)).map_err(failed)?;
        loop {
            let mut file = fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(failed)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    // The holder writes a line; more is not read.
                    let _ = (&mut file).take(4096).read_to_string(&mut text);
                    return Err(Refusal(format!(
                        "error: {shown} is in use by another casus command ({}); wait for it to finish, or choose another --out",
                        describe_holder(&text)
                    )));
                }
                Err(fs::TryLockError::Error(e)) => return Err(failed(e)),
            }
            // The holder before us may have removed the file between our opening and locking
            // it: then the lock is on a file nobody else will find; take the new one instead.
            if !is_same_file(&file, &path) {
                continue;
            }
            let holder = holder_text();
            file.set_len(0).and_then(|_| file.rewind()).and_then(|_| file.write_all(holder.as_bytes())).map_err(failed)?;
            return Ok(Lock { file, path });
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so no other command can be holding this file; the lock
        // itself goes when the file is closed.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn is_same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_same_file(_file: &fs::File, path: &Path) -> bool {
    path.exists()
}

/// What the lock file says of its holder: process id, command line and start time (UTC).
fn holder_text() -> String {
    let command: Vec<String> = std::iter::once("casus".to_string()).chain(std::env::args().skip(1)).collect();
    // The start time is for people reading the lock; it reaches no simulation.
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let v = serde_json::json!({"pid": std::process::id(), "command": command.join(" "), "started": utc(now)});
    v.to_string() + "\n"
}

/// The holder named in a lock file's text, for the refusal message.
fn describe_holder(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    match (v["pid"].as_u64(), v["command"].as_str(), v["started"].as_str()) {
        (Some(pid), Some(command), Some(started)) => {
            let command: String = command.chars().flat_map(|c| c.escape_debug().collect::<Vec<_>>()).collect();
            format!("PID {pid}, `{command}`, started {started}")
        }
        _ => "the holder has not yet written its name".into(),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970 (the civil calendar, proleptic Gregorian).
fn utc(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn a_second_lock_on_one_folder_is_refused_until_the_first_is_released() {
        let dir = std::env::temp_dir().join(format!("casus-lock-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let out = dir.join("o");
        let first = Lock::acquire(&out).unwrap();
        let refused = Lock::acquire(&out).unwrap_err().0;
        assert!(refused.contains(&format!("PID {}", std::process::id())), "{refused}");
        drop(first);
        assert!(!dir.join(".o.lock").exists());
        let again = Lock::acquire(&dir.join("./o")).unwrap();
        drop(again);
        let _ = fs::remove_dir_all(&dir);
    }
}
