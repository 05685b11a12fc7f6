//! Byte-level reading and writing shared by every format.
//!
//! All integers are big-endian. Text is UTF-8 behind a one-byte length. The reader never
//! panics: running out of input is reported as [`Short`], which each format turns into its
//! own "truncated" error.

/// The input ended before a field was complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Short;

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], Short> {
        let end = self.pos.checked_add(n).ok_or(Short)?;
        let out = self.buf.get(self.pos..end).ok_or(Short)?;
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Short> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Short> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Short> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Short> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Short> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A one-byte length followed by that many bytes.
    pub(crate) fn short_bytes(&mut self) -> Result<&'a [u8], Short> {
        let len = self.u8()?;
        self.bytes(usize::from(len))
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = &self.buf[self.pos..];
        self.pos = self.buf.len();
        out
    }
}

pub(crate) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(crate) fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Writes a one-byte length and the bytes. Callers validate the length first.
pub(crate) fn put_short_bytes(out: &mut Vec<u8>, v: &[u8]) {
    debug_assert!(v.len() <= usize::from(u8::MAX));
    out.push(v.len().min(255) as u8);
    out.extend_from_slice(&v[..v.len().min(255)]);
}

/// Why a text field is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// The field is empty or only white space, and it is required.
    Empty,
    /// The field is longer than its limit, in bytes of UTF-8.
    TooLong {
        /// The limit in bytes.
        max: usize,
    },
    /// The bytes are not valid UTF-8.
    NotUtf8,
    /// The text holds a control character (C0, DEL or C1), which could disguise what is shown.
    ControlCharacter,
    /// The text holds an invisible format character or a line or paragraph separator (such as
    /// U+202E RIGHT-TO-LEFT OVERRIDE or U+200B ZERO WIDTH SPACE), with which two fields could
    /// display alike or one could display unlike its bytes.
    FormatCharacter,
    /// The text starts or ends with white space; the canonical form is trimmed.
    Untrimmed,
}

impl std::fmt::Display for TextProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextProblem::Empty => f.write_str("must not be empty"),
            TextProblem::TooLong { max } => write!(f, "is longer than {max} bytes of UTF-8"),
            TextProblem::NotUtf8 => f.write_str("is not valid UTF-8"),
            TextProblem::ControlCharacter => f.write_str("contains a control character"),
            TextProblem::FormatCharacter => f.write_str(
                "contains an invisible formatting character (such as a direction override or a zero-width space)",
            ),
            TextProblem::Untrimmed => f.write_str("starts or ends with white space"),
        }
    }
}

/// Unicode general category Cf (format), Zl (line separator) or Zp (paragraph separator),
/// except U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER, which Persian, the Indic
/// scripts and emoji need to be written at all (spec section 3, "Text fields").
fn is_format_character(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};
    matches!(
        c.general_category(),
        GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) && !matches!(c, '\u{200C}' | '\u{200D}')
}

/// Checks a text field against the rules every format shares (spec section 3, "Text fields").
pub(crate) fn check_text(s: &str, max: usize, required: bool) -> Result<(), TextProblem> {
    if s.len() > max {
        return Err(TextProblem::TooLong { max });
    }
    if s.chars().any(char::is_control) {
        return Err(TextProblem::ControlCharacter);
    }
    if s.chars().any(is_format_character) {
        return Err(TextProblem::FormatCharacter);
    }
    if s.trim() != s {
        return Err(TextProblem::Untrimmed);
    }
    if required && s.is_empty() {
        return Err(TextProblem::Empty);
    }
    Ok(())
}

pub(crate) fn decode_text(b: &[u8], max: usize, required: bool) -> Result<&str, TextProblem> {
    let s = std::str::from_utf8(b).map_err(|_| TextProblem::NotUtf8)?;
    check_text(s, max, required)?;
    Ok(s)
}
