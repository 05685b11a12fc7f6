// The passphrase rule: what it refuses (the weakest passphrases, in words that say what to do)
// and what it lets through (words a person chose).

import { describe, expect, test } from "vitest";
import { MIN_PASSPHRASE, passphraseProblem } from "../src/app/passphrase.js";

describe("a passphrase", () => {
  test.each(["correct horse 42", "lamp orbit velvet crane", "Mae'r gath yn cysgu ar y to", "tea at four on tuesdays"])(
    "of words a person chose is accepted: %s",
    (p) => expect(passphraseProblem(p)).toBeNull(),
  );

  test.each(["", "abc", "eleven char", "äöüäöüäöüä"])("shorter than twelve characters is refused: '%s'", (p) =>
    expect(passphraseProblem(p)).toBe("passphraseShort"),
  );

  test("counts characters, not bytes", () => {
    expect(MIN_PASSPHRASE).toBe(12);
    expect(passphraseProblem("ŵŷâêîôû bydd")).toBeNull();
  });

  test.each([
    "aaaaaaaaaaaa",
    "123456789012",
    "abcdefghijklmnop",
    "zyxwvutsrqpo",
    "qwertyuiopas",
    "1qaz1qaz1qaz",
    "abcabcabcabc",
    "passwordpassword",
    "Password2024!",
    "Password-2024",
    "iloveyou1234",
  ])("among the first anyone would guess is refused: %s", (p) => expect(passphraseProblem(p)).toBe("passphraseWeak"));
});
