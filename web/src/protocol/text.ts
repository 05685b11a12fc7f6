// The text rules every text field follows (spec section 3, "Text fields").

const CONTROL = /\p{Cc}/u;
// A UTF-16 surrogate without its pair: a string that no UTF-8 bytes decode to.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Rule 4's table, copied from the spec (as protocol/src/wire.rs does) rather than built from
// \p{Cf} and \p{Default_Ignorable_Code_Point}: the browser's Unicode version would then decide
// what is refused, and phones on different browsers would disagree with each other and with
// the Rust client. Unicode 15.0's Cf, Zl, Zp and Default_Ignorable_Code_Point, less U+200C,
// U+200D and the variation selectors, plus U+2800 BRAILLE PATTERN BLANK.
const INVISIBLE = new RegExp(
  "[" +
    [
      "\\u00AD", "\\u034F", "\\u0600-\\u0605", "\\u061C", "\\u06DD", "\\u070F", "\\u0890-\\u0891",
      "\\u08E2", "\\u115F-\\u1160", "\\u17B4-\\u17B5", "\\u180E", "\\u200B", "\\u200E-\\u200F",
      "\\u2028-\\u202E", "\\u2060-\\u206F", "\\u2800", "\\u3164", "\\uFEFF", "\\uFFA0",
      "\\uFFF0-\\uFFFB", "\\u{110BD}", "\\u{110CD}", "\\u{13430}-\\u{1343F}",
      "\\u{1BCA0}-\\u{1BCA3}", "\\u{1D173}-\\u{1D17A}", "\\u{E0000}-\\u{E00FF}",
      "\\u{E01F0}-\\u{E0FFF}",
    ].join("") +
    "]",
  "u",
);
const EDGE_SPACE = /^\p{White_Space}|\p{White_Space}$/u;

/** Why `s` breaks the text rules for a field of at most `max` bytes, or null. */
export function textProblem(s: string, max: number, required: boolean): string | null {
  if (LONE_SURROGATE.test(s)) return "is not valid UTF-8";
  const bytes = new TextEncoder().encode(s).length;
  if (bytes > max) return `is ${bytes} bytes, more than ${max}`;
  if (required && s.length === 0) return "is empty";
  if (CONTROL.test(s)) return "contains a control character";
  if (INVISIBLE.test(s)) return "contains an invisible character";
  if (EDGE_SPACE.test(s)) return "begins or ends with white space";
  return null;
}
