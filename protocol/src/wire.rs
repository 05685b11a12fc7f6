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
    /// The text holds an invisible character: a format character, a line or paragraph
    /// separator or a default-ignorable code point (such as U+202E RIGHT-TO-LEFT OVERRIDE,
    /// U+200B ZERO WIDTH SPACE or U+3164 HANGUL FILLER), with which two fields could display
    /// alike or one could display unlike its bytes.
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
                "contains an invisible character (such as a direction override, a zero-width space or a blank filler letter)",
            ),
            TextProblem::Untrimmed => f.write_str("starts or ends with white space"),
        }
    }
}

/// The code points no text field may hold besides controls (spec section 3, "Text fields",
/// rule 4), as inclusive ranges in ascending order: Unicode 15.0's general categories Cf, Zl
/// and Zp and its `Default_Ignorable_Code_Point` property, less U+200C ZERO WIDTH NON-JOINER,
/// U+200D ZERO WIDTH JOINER and the variation selectors (which Persian, the Indic scripts,
/// Mongolian, CJK and emoji need), plus U+2800 BRAILLE PATTERN BLANK (a blank that is not
/// white space). The spec lists the table itself, so every implementation refuses exactly
/// these whatever Unicode version its libraries ship: a library's own table would refuse
/// more or less as Unicode grows.
const INVISIBLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180E, 0x180E),
    (0x200B, 0x200B),
    (0x200E, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE00FF),
    (0xE01F0, 0xE0FFF),
];

/// Whether `c` is in [`INVISIBLE`].
fn is_invisible(c: char) -> bool {
    let c = u32::from(c);
    INVISIBLE
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Checks a text field against the rules every format shares (spec section 3, "Text fields").
pub(crate) fn check_text(s: &str, max: usize, required: bool) -> Result<(), TextProblem> {
    if s.len() > max {
        return Err(TextProblem::TooLong { max });
    }
    if s.chars().any(char::is_control) {
        return Err(TextProblem::ControlCharacter);
    }
    if s.chars().any(is_invisible) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invisible_table_is_sorted_and_holds_every_format_character_but_the_joiners() {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};
        assert!(INVISIBLE.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(INVISIBLE.iter().all(|&(lo, hi)| lo <= hi));
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            let format = matches!(
                c.general_category(),
                GeneralCategory::Format
                    | GeneralCategory::LineSeparator
                    | GeneralCategory::ParagraphSeparator
            );
            if format && !matches!(c, '\u{200C}' | '\u{200D}') {
                assert!(
                    is_invisible(c),
                    "U+{:04X} is a format character",
                    u32::from(c)
                );
            }
        }
    }

    #[test]
    fn invisible_letters_are_refused_and_visible_marks_and_emoji_kept() {
        for refused in [
            "\u{115F}a",
            "a\u{3164}b",
            "a\u{034F}b",
            "a\u{2800}b",
            "a\u{FFA0}",
        ] {
            assert_eq!(
                check_text(refused, 80, true),
                Err(TextProblem::FormatCharacter),
                "{refused:?}"
            );
        }
        for kept in [
            "S\u{0336}a\u{0336}le",
            "\u{2764}\u{FE0F} Caf\u{00E9}",
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
            "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
            "\u{845B}\u{E0100}",
        ] {
            assert_eq!(check_text(kept, 80, true), Ok(()), "{kept:?}");
        }
    }
}
