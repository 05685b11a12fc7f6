// The text rules (spec section 3): the table of invisible code points that text.ts copies from
// the spec holds only format characters, separators and default-ignorable code points (less
// the joiners and variation selectors) and U+2800, and the examples the spec names behave as it
// says. The table, not this engine's Unicode version, decides; poster.json's vectors check the
// same through whole posters.

import { describe, expect, test } from "vitest";
import { textProblem } from "../src/protocol/text.js";

const INVISIBLE = "contains an invisible character";
const property = /^[\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]$/u;
const kept = /^[\u200C\u200D\p{Variation_Selector}]$/u;

describe("text rules", () => {
  test("every code point the table refuses is invisible by Unicode's own properties", () => {
    let refused = 0;
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCodePoint(c);
      if (textProblem(`a${ch}b`, 80, true) !== INVISIBLE) continue;
      refused++;
      expect(c === 0x2800 || (property.test(ch) && !kept.test(ch)), c.toString(16)).toBe(true);
    }
    // The size of the spec's table, range by range: every code point of it is refused.
    expect(refused).toBe(3947);
  });
  test("invisible letters are refused; visible marks, joiners and variation selectors kept", () => {
    for (const s of ["\u115Fa", "a\u3164b", "a\u034Fb", "a\u2800b", "a\uFFA0", "a\u200Bb"]) {
      expect(textProblem(s, 80, true), JSON.stringify(s)).toBe(INVISIBLE);
    }
    for (const s of [
      "S\u0336a\u0336le",
      "\u2764\uFE0F Café",
      "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}",
      "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
      "\u845B\u{E0100}",
    ]) {
      expect(textProblem(s, 80, true), JSON.stringify(s)).toBeNull();
    }
  });
});
