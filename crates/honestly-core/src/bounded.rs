//! Reading what a user hands us with a size bound: at most the bound plus one byte is ever
//! read (and held in memory), so `/dev/zero`, a pipe that never ends or a huge file is refused
//! quickly with [`BoundedError::TooLarge`] instead of growing until the process is killed.

use std::io::{self, BufRead, Read};
use std::path::Path;

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum BoundedError {
    /// The input holds more than `limit` bytes.
    #[error("{what} is larger than {limit} bytes")]
    TooLarge {
        /// What was read (a file's path, `stdin`, …).
        what: String,
        /// The bound, in bytes.
        limit: u64,
    },
    /// The input could not be read.
    #[error("cannot read {what}: {source}")]
    Io {
        /// What was read.
        what: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

/// Reads all of `reader` if it holds at most `limit` bytes; `what` names it in errors.
pub fn read_to_limit(reader: impl Read, limit: u64, what: &str) -> Result<Vec<u8>, BoundedError> {
    let mut out = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|source| BoundedError::Io { what: what.to_string(), source })?;
    if out.len() as u64 > limit {
        return Err(BoundedError::TooLarge { what: what.to_string(), limit });
    }
    Ok(out)
}

/// Reads one line (without its line ending) from `reader` if it holds at most `limit` bytes.
pub fn read_line(reader: impl BufRead, limit: u64, what: &str) -> Result<String, BoundedError> {
    let mut line = String::new();
    reader
        .take(limit.saturating_add(1))
        .read_line(&mut line)
        .map_err(|source| BoundedError::Io { what: what.to_string(), source })?;
    if line.len() as u64 > limit {
        return Err(BoundedError::TooLarge { what: what.to_string(), limit });
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Reads the file at `path` if it holds at most `limit` bytes. A regular file whose size is
/// already known to be too large is refused without reading it; anything else (devices,
/// pipes, files that grow) is read up to the bound plus one byte.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, BoundedError> {
    let what = path.display().to_string();
    let io_error = |source| BoundedError::Io { what: what.clone(), source };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let metadata = file.metadata().map_err(io_error)?;
    if metadata.is_dir() {
        return Err(io_error(io::Error::other("is a directory")));
    }
    if metadata.is_file() && metadata.len() > limit {
        return Err(BoundedError::TooLarge { what, limit });
    }
    read_to_limit(file, limit, &what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_bound_and_no_further() {
        assert_eq!(read_to_limit(&b"abcd"[..], 4, "x").unwrap(), b"abcd");
        assert!(matches!(read_to_limit(&b"abcde"[..], 4, "x"), Err(BoundedError::TooLarge { limit: 4, .. })));
        assert_eq!(read_to_limit(&b""[..], 0, "x").unwrap(), b"");
        // An endless reader stops at the bound plus one byte.
        let endless = io::repeat(0);
        let err = read_to_limit(endless, 1 << 20, "stdin").unwrap_err();
        assert_eq!(err.to_string(), "stdin is larger than 1048576 bytes");
    }

    #[test]
    fn lines_are_bounded_too() {
        assert_eq!(read_line(&b"key\nrest"[..], 16, "stdin").unwrap(), "key");
        assert_eq!(read_line(&b"key\r\n"[..], 16, "stdin").unwrap(), "key");
        assert!(matches!(
            read_line(io::BufReader::new(io::repeat(b'a')), 16, "stdin"),
            Err(BoundedError::TooLarge { .. })
        ));
    }

    #[test]
    fn files_over_the_bound_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, vec![b'1'; 101]).unwrap();
        assert!(matches!(read_file(&path, 100), Err(BoundedError::TooLarge { limit: 100, .. })));
        assert_eq!(read_file(&path, 101).unwrap().len(), 101);
        assert!(matches!(read_file(&dir.path().join("missing"), 100), Err(BoundedError::Io { .. })));
        assert!(matches!(read_file(dir.path(), 100), Err(BoundedError::Io { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_is_refused() {
        let err = read_file(Path::new("/dev/zero"), 4 << 20).unwrap_err();
        assert!(matches!(err, BoundedError::TooLarge { limit, .. } if limit == 4 << 20), "{err}");
    }
}
