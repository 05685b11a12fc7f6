//! The tracer's record of what it has published, kept beside its key (`published.txt`), so
//! that `tracer notify publish` run twice with one approval does not show phones the same
//! notice twice.
//!
//! Sealing draws fresh randomness, so two bundles made from one approval differ byte for byte
//! and the server (which sees only sealed entries) cannot tell that they carry one notice: the
//! tracer has to. One line per approved notice: its digest (BLAKE3 of the approved statement),
//! the Unix time, the server, and either `started` (written, and made durable, before the
//! post), `posted SEQ` (after the server's answer) or `not-posted` (the server was not reached,
//! or refused the bundle: nothing was stored). A `started` line with nothing after it means the
//! answer was lost: the notice may or may not be on the server.

use std::path::{Path, PathBuf};

use crate::Error;

/// File name of the record, in the tracer key's directory.
pub const FILE: &str = "published.txt";

/// What the record says about one notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// A post was started at this time, to this server, and its answer not recorded.
    Started { at: u64, server: String },
    /// Posted at this time to this server, as this sequence number.
    Posted { at: u64, server: String, seq: u64 },
}

/// The digest that names an approved notice in the record.
pub fn digest(statement: &[u8]) -> String {
    blake3::hash(statement).to_hex().to_string()
}

/// The record in the key directory `dir`.
pub struct Journal {
    path: PathBuf,
    text: String,
}

impl Journal {
    /// Reads the record in `dir` (empty when there is none yet).
    pub fn open(dir: &Path) -> Result<Journal, Error> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(common::Error::io("read", &path, e).into()),
        };
        Ok(Journal { path, text })
    }

    /// What the record last says about the notice `digest`, if anything.
    pub fn state(&self, digest: &str) -> Result<Option<State>, Error> {
        let mut last = None;
        for (i, line) in self.text.lines().enumerate() {
            let f: Vec<&str> = line.split('\t').collect();
            if f.first() != Some(&digest) {
                continue;
            }
            let bad = || {
                Error::bad_file(
                    &self.path,
                    format!(
                        "line {} is not \"DIGEST<TAB>TIME<TAB>SERVER<TAB>started\", \
                         \"...<TAB>not-posted\" or \"...<TAB>posted<TAB>SEQ\": repair or \
                         remove that line",
                        i + 1
                    ),
                )
            };
            let at = f.get(1).and_then(|t| t.parse().ok()).ok_or_else(bad)?;
            let server = f.get(2).ok_or_else(bad)?.to_string();
            last = Some(match (f.get(3), f.get(4), f.len()) {
                (Some(&"started"), None, 4) => State::Started { at, server },
                (Some(&"not-posted"), None, 4) => {
                    last = None;
                    continue;
                }
                (Some(&"posted"), Some(seq), 5) => State::Posted {
                    at,
                    server,
                    seq: seq.parse().map_err(|_| bad())?,
                },
                _ => return Err(bad()),
            });
        }
        Ok(last)
    }

    /// Adds lines, durably (the file is replaced whole, then its directory synced), before
    /// returning.
    pub fn append(&mut self, lines: &[String]) -> Result<(), Error> {
        let mut text = self.text.clone();
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        common::files::write_replace(&self.path, text.as_bytes(), 0o600)?;
        self.text = text;
        Ok(())
    }

    /// The `started` line of a notice.
    pub fn started(digest: &str, at: u64, server: &str) -> String {
        format!("{digest}\t{at}\t{server}\tstarted")
    }

    /// The line saying a post stored nothing (the server was not reached, or refused it).
    pub fn not_posted(digest: &str, at: u64, server: &str) -> String {
        format!("{digest}\t{at}\t{server}\tnot-posted")
    }

    /// The `posted` line of a notice.
    pub fn posted(digest: &str, at: u64, server: &str, seq: u64) -> String {
        format!("{digest}\t{at}\t{server}\tposted\t{seq}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn the_last_line_about_a_notice_says_where_it_stands() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path()).unwrap();
        let (a, b) = (digest(b"a"), digest(b"b"));
        assert_eq!(j.state(&a).unwrap(), None);
        j.append(&[Journal::started(&a, 10, "s"), Journal::started(&b, 10, "s")])
            .unwrap();
        j.append(&[Journal::not_posted(&a, 11, "s")]).unwrap();
        let j = Journal::open(dir.path()).unwrap();
        assert_eq!(j.state(&a).unwrap(), None, "not reached: free to publish");
        assert_eq!(
            j.state(&b).unwrap(),
            Some(State::Started {
                at: 10,
                server: "s".into()
            }),
            "no answer recorded: it may be on the server"
        );
        let mut j = j;
        j.append(&[Journal::posted(&b, 12, "s", 7)]).unwrap();
        assert_eq!(
            Journal::open(dir.path()).unwrap().state(&b).unwrap(),
            Some(State::Posted {
                at: 12,
                server: "s".into(),
                seq: 7
            })
        );
        std::fs::write(dir.path().join(FILE), format!("{a}\tnope\n")).unwrap();
        let e = Journal::open(dir.path()).unwrap().state(&a).unwrap_err();
        assert!(e.to_string().contains("line 1 is not"), "{e}");
    }
}
