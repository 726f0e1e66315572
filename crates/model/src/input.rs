//! The bytes of an input, read at the edge with a size limit, and refused
//! early when they are not text.
//!
//! Every command that reads an inventory or a KubeVCluster manifest reads
//! it through [`read_input`] (a path, or `-` for standard input), so no
//! input can make the tool hold more than the limit in memory:
//! `kubev-ha check /dev/zero` once grew to 6.4 GB. A regular file larger
//! than the limit is refused from its size, before a byte is read; a
//! stream (a pipe, a device, standard input) is read in chunks and refused
//! as soon as it passes the limit. Each chunk is checked as it arrives, so
//! binary input (a NUL byte, bytes that are not UTF-8) is refused at the
//! first bad byte, with its line and column, however long the stream.
//!
//! The limit, [`DEFAULT_MAX_INPUT`] unless `--max-input` says otherwise, is
//! eight times the largest inventory the benchmarks generate (20,000
//! workers and 400,000 VMs in 7.8 MB of YAML): a real inventory never
//! meets it, and whatever does is not worth holding.

use std::io::Read;
use std::path::Path;

use crate::error::{InputError, LoadError, Problem};
use crate::location::SourcePos;
use crate::quantity::ByteSize;

/// The input size limit without `--max-input`.
pub const DEFAULT_MAX_INPUT: ByteSize = ByteSize::mib(64);

/// The name standard input goes by in messages and reports.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads the input `path` names (`-`: standard input) as text of at most
/// `limit` bytes; returns the name to report it under and the text.
// The error is large (the text read so far, for the rendered snippet), but
// it is returned once per run and only on bad input: boxing buys nothing.
#[allow(clippy::result_large_err)]
pub fn read_input(path: &Path, limit: ByteSize) -> Result<(String, String), LoadError> {
    if path.as_os_str() == "-" {
        let text = read_limited(STDIN_NAME, std::io::stdin().lock(), limit)?;
        return Ok((STDIN_NAME.to_string(), text));
    }
    let name = path.display().to_string();
    let text = read_path(path, limit)?;
    Ok((name, text))
}

/// Reads the file at `path` as text of at most `limit` bytes.
#[allow(clippy::result_large_err)]
pub(crate) fn read_path(path: &Path, limit: ByteSize) -> Result<String, LoadError> {
    let name = path.display().to_string();
    let io = |source| LoadError::Io { path: name.clone(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    // A regular file says its size: one over the limit is refused before
    // anything is read (a sparse file of terabytes costs nothing).
    // Devices and pipes report 0 and are bounded while they are read.
    if metadata.is_file() && metadata.len() > limit.as_u64() {
        return Err(LoadError::TooLarge { path: name, limit, size: Some(metadata.len()) });
    }
    read_limited(&name, file, limit)
}

/// Reads `reader` to its end as text of at most `limit` bytes; `name` is
/// used in messages.
#[allow(clippy::result_large_err)]
pub(crate) fn read_limited(name: &str, mut reader: impl Read, limit: ByteSize) -> Result<String, LoadError> {
    let limit = limit.as_u64();
    let mut bytes: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    // Bytes at the front already known to be text.
    let mut checked = 0;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(LoadError::Io { path: name.to_string(), source }),
        };
        if (bytes.len() + n) as u64 > limit {
            return Err(LoadError::TooLarge { path: name.to_string(), limit: ByteSize::bytes(limit), size: None });
        }
        bytes.extend_from_slice(&chunk[..n]);
        checked = check_text(name, &bytes, checked, false).map_err(LoadError::Input)?;
    }
    check_text(name, &bytes, checked, true).map_err(LoadError::Input)?;
    // Every byte was checked above; this cannot fail, but is not unwrapped.
    String::from_utf8(bytes).map_err(|e| LoadError::Input(not_text(name, e.as_bytes(), e.utf8_error().valid_up_to())))
}

/// `bytes` as text, or the error naming the first byte that is not: a NUL
/// or a byte that is not UTF-8.
// The error is large (the text before the bad byte); see read_input.
#[allow(clippy::result_large_err)]
pub(crate) fn text_of<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, InputError> {
    check_text(name, bytes, 0, true)?;
    std::str::from_utf8(bytes).map_err(|e| not_text(name, bytes, e.valid_up_to()))
}

/// Checks `bytes[from..]` for a NUL byte or invalid UTF-8 and returns how
/// far the bytes are known to be text. A UTF-8 sequence cut at the end of
/// the bytes read so far is left for the next chunk, unless `at_end`.
#[allow(clippy::result_large_err)]
fn check_text(name: &str, bytes: &[u8], from: usize, at_end: bool) -> Result<usize, InputError> {
    let fresh = &bytes[from..];
    let (utf8_ok, utf8_bad) = match std::str::from_utf8(fresh) {
        Ok(_) => (fresh.len(), None),
        Err(e) if e.error_len().is_none() && !at_end => (e.valid_up_to(), None),
        Err(e) => (e.valid_up_to(), Some(e.valid_up_to())),
    };
    // A NUL is valid UTF-8 but never part of an inventory (YAML forbids it
    // unescaped): the surest sign of a binary file, reported first when
    // it comes first.
    let nul = fresh[..utf8_bad.unwrap_or(utf8_ok)].iter().position(|&b| b == 0);
    match (nul, utf8_bad) {
        (Some(at), _) => Err(not_text(name, bytes, from + at)),
        (None, Some(at)) => Err(not_text(name, bytes, from + at)),
        (None, None) => Ok(from + utf8_ok),
    }
}

/// The error for a file that is not text at byte `offset`, with the text
/// before it (valid UTF-8 by construction) for the snippet.
fn not_text(name: &str, bytes: &[u8], offset: usize) -> InputError {
    let before = String::from_utf8_lossy(&bytes[..offset]).into_owned();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let pos = SourcePos {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
        offset: Some(offset),
    };
    let what = if bytes[offset] == 0 {
        "a NUL byte: the input is binary, not text"
    } else {
        "a byte that is not UTF-8: the input is not UTF-8 text"
    };
    let problem = Problem::at(pos, format!("byte {offset} is {what}"))
        .with_help("an inventory or KubeVCluster manifest is YAML or JSON text; is this the right file?");
    InputError::new(name, before, vec![problem])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out `data` a few bytes at a time, as a pipe may.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(self.data.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[allow(clippy::result_large_err)]
    fn read(data: &[u8], step: usize, limit: u64) -> Result<String, LoadError> {
        read_limited("t.yaml", Trickle { data, step }, ByteSize::bytes(limit))
    }

    fn problem(result: Result<String, LoadError>) -> String {
        match result {
            Err(LoadError::Input(e)) => e.render_plain(),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn text_within_the_limit_reads_whole() {
        // A multi-byte character split across reads is not an error.
        let text = "kind: Inventory\nname: gr\u{fc}n \u{1f600}\n";
        for step in 1..8 {
            assert_eq!(read(text.as_bytes(), step, 1024).unwrap(), text);
        }
        assert_eq!(read(text.as_bytes(), 3, text.len() as u64).unwrap(), text, "exactly the limit is allowed");
    }

    #[test]
    fn a_stream_over_the_limit_is_refused_without_reading_it_all() {
        let data = vec![b'a'; 10_000];
        match read(&data, 1000, 4096) {
            Err(LoadError::TooLarge { size: None, limit, .. }) => assert_eq!(limit, ByteSize::bytes(4096)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nul_and_invalid_utf8_are_refused_at_their_position() {
        assert_eq!(
            problem(read(b"kind: x\nab\0cd", 4, 1024)),
            "t.yaml:2:3: byte 10 is a NUL byte: the input is binary, not text"
        );
        assert_eq!(
            problem(read(b"a: \xff\n", 2, 1024)),
            "t.yaml:1:4: byte 3 is a byte that is not UTF-8: the input is not UTF-8 text"
        );
        // A sequence cut off by the end of the input.
        assert_eq!(
            problem(read(b"a: \xe2\x82", 1, 1024)),
            "t.yaml:1:4: byte 3 is a byte that is not UTF-8: the input is not UTF-8 text"
        );
        // Whichever comes first is named.
        assert!(problem(read(b"\xff\0", 1, 1024)).starts_with("t.yaml:1:1: byte 0 is a byte that is not UTF-8"));
        assert!(problem(read(b"\0\xff", 1, 1024)).starts_with("t.yaml:1:1: byte 0 is a NUL byte"));
    }

    #[test]
    fn an_endless_stream_of_nuls_is_refused_at_the_first_chunk() {
        // Stands in for /dev/zero: a reader that never ends. Reading stops
        // at the first chunk, so this returns at all.
        let endless = std::io::repeat(0);
        let result = read_limited("/dev/zero", endless, ByteSize::gib(1024));
        assert!(problem(result).starts_with("/dev/zero:1:1: byte 0 is a NUL byte"));
    }
}
