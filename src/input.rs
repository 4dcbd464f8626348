//! Reading input files: every file casus reads (a scenario or plan, a log, a run folder's
//! `summary.json`, `scenario.ron` and `fork.json`, a sweep's manifest, rows, checksums and
//! events, a folder's marker, a report page) is opened with [`open`], which refuses anything
//! but a regular file (a folder, a device such as `/dev/zero`, a pipe, a socket; a symbolic
//! link is followed to what it names) before reading a byte. Whole files are read with
//! [`read`], which reads at most its limit and one byte more, whatever size the file reports,
//! and refuses a longer one. Files read a line at a time are bounded by a line limit instead
//! ([`Lines`], and `log::LogReader` for logs), applied while the line is read.

use std::fs;
use std::io::{self, BufRead, Read};
use std::path::Path;

/// The longest small file casus reads whole, in bytes: a scenario or plan, `summary.json`,
/// `fork.json`, a sweep's `manifest.json`, `points.csv` and marker, a report page.
/// (The scenario's limit, `model::scenario::MAX_FILE_BYTES`: a unit test checks they agree.)
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// The longest sweep file `--resume` and `casus merge` read whole to verify it against its
/// checksums (`runs.jsonl`, `runs.csv`, `checksums.jsonl`, an events file of
/// `sweep::folder::EVENTS_CHUNK` runs' logs), in bytes: what they may hold in memory.
pub const MAX_SWEEP_FILE_BYTES: usize = 4 << 30;

/// Why a path is not read: not a regular file.
pub const NOT_REGULAR: &str = "not a regular file (a folder, device or pipe)";

/// Opens `path` for reading if it is a regular file (a symbolic link is followed); anything
/// else is refused with [`NOT_REGULAR`] before it is opened (opening a pipe would wait for a
/// writer; a device may never end).
pub fn open(path: &Path) -> io::Result<fs::File> {
    let not_regular = || io::Error::new(io::ErrorKind::InvalidInput, NOT_REGULAR);
    if !fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = fs::File::open(path)?;
    // It may have been replaced between the two looks.
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

/// The error for a file over `limit` bytes (`len` or more).
fn too_big(len: u64, limit: usize) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("file is {len} bytes or more; the limit is {limit} bytes"))
}

/// Reads the regular file `path` whole if it holds at most `limit` bytes.
pub fn read(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    let file = open(path)?;
    let reported = file.metadata()?.len();
    if reported > limit as u64 {
        return Err(too_big(reported, limit));
    }
    let mut bytes = Vec::new();
    // The reported size is a hint: a file growing while it is read is cut at the limit.
    let _ = bytes.try_reserve(reported as usize);
    file.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(too_big(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(path: &Path, limit: usize) -> io::Result<String> {
    String::from_utf8(read(path, limit)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to())))
}

/// The lines of a reader (without their `\n` or `\r\n`), like `BufRead::lines`, each read
/// only up to `limit` bytes: a longer line is an error (and the last item), never held whole.
pub struct Lines<R> {
    reader: R,
    limit: usize,
    done: bool,
}

/// The lines of `reader`, each at most `limit` bytes.
pub fn lines<R: BufRead>(reader: R, limit: usize) -> Lines<R> {
    Lines { reader, limit, done: false }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<String>;

    fn next(&mut self) -> Option<io::Result<String>> {
        if self.done {
            return None;
        }
        let mut line = Vec::new();
        // The line and its newline: at most `limit + 1` bytes.
        let read = (&mut self.reader).take(self.limit as u64 + 1).read_until(b'\n', &mut line);
        let result = match read {
            Ok(0) => {
                self.done = true;
                return None;
            }
            Ok(_) if line.last() == Some(&b'\n') => {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                String::from_utf8(line).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a line is not UTF-8"))
            }
            Ok(_) if line.len() > self.limit => {
                Err(io::Error::new(io::ErrorKind::InvalidData, format!("a line is longer than {} bytes", self.limit)))
            }
            Ok(_) => String::from_utf8(line).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a line is not UTF-8")),
            Err(e) => Err(e),
        };
        self.done = result.is_err();
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_limit_is_the_scenarios() {
        assert_eq!(MAX_FILE_BYTES, crate::model::scenario::MAX_FILE_BYTES);
    }

    /// `Lines` reads what `BufRead::lines` reads, and refuses a line over its limit after
    /// reading at most the limit and one byte of it.
    #[test]
    fn lines_are_those_of_bufread_and_bounded() {
        for text in ["", "a", "a\n", "a\r\nbb\n\nccc", "é\nx"] {
            let ours: Vec<String> = lines(text.as_bytes(), 16).map(Result::unwrap).collect();
            let theirs: Vec<String> = text.as_bytes().lines().map(Result::unwrap).collect();
            assert_eq!(ours, theirs, "{text:?}");
        }
        let exactly: Vec<String> = lines("abcd\nabcd".as_bytes(), 4).map(Result::unwrap).collect();
        assert_eq!(exactly, ["abcd", "abcd"]);
        let mut endless = lines(io::BufReader::new(io::repeat(b'a')), 1000);
        assert!(endless.next().unwrap().unwrap_err().to_string().contains("longer than 1000 bytes"));
        assert!(endless.next().is_none());
    }

    /// Issue 21, item 10: a device, a folder or a pipe is refused before it is read; a file
    /// over the limit is refused.
    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        for path in ["/dev/zero", "/dev/null", "/"] {
            assert_eq!(read(Path::new(path), 10).unwrap_err().to_string(), NOT_REGULAR, "{path}");
        }
        let dir = std::env::temp_dir().join(format!("casus-input-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("f");
        fs::write(&file, "12345").unwrap();
        assert_eq!(read(&file, 5).unwrap(), b"12345");
        assert!(read(&file, 4).unwrap_err().to_string().contains("the limit is 4 bytes"));
        let link = dir.join("zero");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert_eq!(open(&link).unwrap_err().to_string(), NOT_REGULAR);
        let _ = fs::remove_dir_all(&dir);
    }
}
