// The text rules every text field follows (spec section 3, "Text fields").

const CONTROL = /\p{Cc}/u;
// A UTF-16 surrogate without its pair: a string that no UTF-8 bytes decode to.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Cf, Zl and Zp, except U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER.
const FORMAT = /(?![\u200C\u200D])[\p{Cf}\p{Zl}\p{Zp}]/u;
const EDGE_SPACE = /^\p{White_Space}|\p{White_Space}$/u;

/** Why `s` breaks the text rules for a field of at most `max` bytes, or null. */
export function textProblem(s: string, max: number, required: boolean): string | null {
  if (LONE_SURROGATE.test(s)) return "is not valid UTF-8";
  const bytes = new TextEncoder().encode(s).length;
  if (bytes > max) return `is ${bytes} bytes, more than ${max}`;
  if (required && s.length === 0) return "is empty";
  if (CONTROL.test(s)) return "contains a control character";
  if (FORMAT.test(s)) return "contains an invisible formatting character";
  if (EDGE_SPACE.test(s)) return "begins or ends with white space";
  return null;
}
