//! The export archive: a ZIP written front to back (no seeking: each entry is followed by a
//! data descriptor), whose bytes are taken out as soon as they are written, so the archive can
//! be sent while it is being made and never sits whole in memory. The size and SHA-256 of
//! every entry's content are recorded for the manifest.

use std::io::{self, Write};
use std::sync::Arc;

use parking_lot::Mutex;
use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::clock::Timestamp;

/// How an entry is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// Text (JSON): deflated at the default level.
    Text,
    /// A document as uploaded (often compressed already): deflated at the fastest level.
    Document,
}

/// One file of the archive, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// Its path inside the archive.
    pub path: String,
    /// What it is.
    pub description: String,
    /// Its size once extracted.
    pub size_bytes: u64,
    /// Hex SHA-256 of its extracted content.
    pub sha256: String,
}

/// The bytes written so far and not yet taken.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Open {
    path: String,
    description: String,
    size_bytes: u64,
    hasher: Sha256,
}

/// A ZIP archive being written.
pub struct Archive {
    zip: ZipWriter<StreamWriter<Output>>,
    output: Output,
    modified: DateTime,
    files: Vec<FileEntry>,
    open: Option<Open>,
}

/// The ZIP time of `at` (ZIP times have no zone, span 1980–2107 and count even seconds).
fn zip_time(at: Timestamp) -> DateTime {
    let t = at.as_offset();
    u16::try_from(t.year())
        .ok()
        .and_then(|year| {
            DateTime::from_date_and_time(
                year,
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second() & !1,
            )
            .ok()
        })
        .unwrap_or_default()
}

impl Archive {
    /// An empty archive whose entries are dated `at`.
    pub fn new(at: Timestamp) -> Self {
        let output = Output::default();
        Self {
            zip: ZipWriter::new_stream(output.clone()),
            output,
            modified: zip_time(at),
            files: Vec::new(),
            open: None,
        }
    }

    /// Starts the entry `path` (closing the one before), to be filled by [`Archive::write`].
    pub fn begin(&mut self, path: &str, description: &str, packing: Packing) -> io::Result<()> {
        self.end();
        let level = match packing {
            Packing::Text => 6,
            Packing::Document => 1,
        };
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(level))
            .last_modified_time(self.modified)
            .unix_permissions(0o600)
            .large_file(true);
        self.zip.start_file(path, options).map_err(io::Error::other)?;
        self.open = Some(Open {
            path: path.to_string(),
            description: description.to_string(),
            size_bytes: 0,
            hasher: Sha256::new(),
        });
        Ok(())
    }

    /// Appends `bytes` to the open entry.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let open = self.open.as_mut().ok_or_else(|| io::Error::other("no entry is open"))?;
        open.hasher.update(bytes);
        open.size_bytes += bytes.len() as u64;
        self.zip.write_all(bytes)
    }

    /// Closes the open entry (if any) and records it for the manifest.
    pub fn end(&mut self) {
        if let Some(open) = self.open.take() {
            self.files.push(FileEntry {
                path: open.path,
                description: open.description,
                size_bytes: open.size_bytes,
                sha256: hex::encode(open.hasher.finalize()),
            });
        }
    }

    /// The entries closed so far.
    pub fn files(&self) -> &[FileEntry] {
        &self.files
    }

    /// The archive's bytes written since the last call.
    pub fn take_output(&self) -> Vec<u8> {
        std::mem::take(&mut *self.output.0.lock())
    }

    /// Writes the last entry, `manifest` at `path` (not listed in itself), and the archive's
    /// central directory; returns the bytes not yet taken.
    pub fn finish(mut self, path: &str, manifest: &[u8]) -> io::Result<Vec<u8>> {
        self.begin(path, "this manifest", Packing::Text)?;
        self.write(manifest)?;
        self.open = None;
        let output = self.output.clone();
        self.zip.finish().map_err(io::Error::other)?;
        let rest = std::mem::take(&mut *output.0.lock());
        Ok(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_recorded_with_their_size_and_hash_and_the_archive_reads_back() {
        let mut archive = Archive::new(Timestamp::parse_rfc3339("2026-11-28T06:00:01Z").unwrap());
        let mut bytes = Vec::new();
        archive.begin("a/one.txt", "the first", Packing::Document).unwrap();
        archive.write(b"hello ").unwrap();
        bytes.extend(archive.take_output());
        archive.write(b"world").unwrap();
        archive.begin("two.json", "the second", Packing::Text).unwrap();
        archive.write(b"[]").unwrap();
        archive.end();
        let files = archive.files().to_vec();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "a/one.txt");
        assert_eq!(files[0].size_bytes, 11);
        assert_eq!(files[0].sha256, hex::encode(Sha256::digest(b"hello world")));
        assert_eq!(files[1].description, "the second");
        bytes.extend(archive.take_output());
        bytes.extend(archive.finish("manifest.json", b"{}").unwrap());

        let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), 3);
        let read = |zip: &mut zip::ZipArchive<io::Cursor<Vec<u8>>>, name: &str| {
            let mut out = Vec::new();
            io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
            out
        };
        assert_eq!(read(&mut zip, "a/one.txt"), b"hello world");
        assert_eq!(read(&mut zip, "two.json"), b"[]");
        assert_eq!(read(&mut zip, "manifest.json"), b"{}");
        let modified = zip.by_name("two.json").unwrap().last_modified().unwrap();
        assert_eq!((modified.year(), modified.month(), modified.day()), (2026, 11, 28));
    }
}
