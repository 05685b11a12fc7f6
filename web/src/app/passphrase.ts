// Which passphrases the app refuses to seal a diary with. A passphrase only helps if a copy of
// the browser's storage cannot be opened by guessing it: each guess costs an Argon2id
// (BENCHMARKS.md), so what matters is that the passphrase is not among the first few million
// an attacker tries. The rule is short enough to say in words: at least 12 characters, and not
// a run (123456, abcdef, qwerty), one short part repeated, or a common word with digits added.
// A dictionary estimator (zxcvbn) would catch more, at the price of a dictionary several times
// the size of the app.

/** Fewest characters (Unicode code points) a passphrase may have. */
export const MIN_PASSPHRASE = 12;

/** Rows of a keyboard and the digits, in order: a step along one of them is a run. */
const ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"];

/** Words that guessers try first, with digits or symbols around them. */
const COMMON = new Set([
  "password", "passphrase", "passwort", "cyfrinair", "qwerty", "letmein", "iloveyou", "welcome",
  "checkin", "admin", "monkey", "dragon", "football", "sunshine", "princess", "secret",
]);

/** Whether `b` follows `a` in a run: the same character, the next or previous code point, or
 * a neighbour on a keyboard row. */
function step(a: string, b: string): boolean {
  const d = (b.codePointAt(0) ?? 0) - (a.codePointAt(0) ?? 0);
  return Math.abs(d) <= 1 || ROWS.some((r) => r.includes(a + b) || r.includes(b + a));
}

/** Why `passphrase` is refused (a message key), or null when it may seal the diary. */
export function passphraseProblem(passphrase: string): "passphraseShort" | "passphraseWeak" | null {
  const chars = [...passphrase.toLowerCase()];
  if (chars.length < MIN_PASSPHRASE) return "passphraseShort";
  // A run: nearly every character follows the one before it.
  const steps = chars.slice(1).filter((c, i) => step(chars[i]!, c)).length;
  if (steps >= chars.length - 4) return "passphraseWeak";
  // One short part repeated: "abcabcabcabc", "passwordpassword".
  const text = chars.join("");
  for (let n = 1; n <= chars.length / 2; n++) {
    if (chars.length % n === 0 && chars.slice(0, n).join("").repeat(chars.length / n) === text) return "passphraseWeak";
  }
  // A common word with digits or symbols added: "Password2024!".
  const letters = text.replace(/[^\p{L}]/gu, "");
  if (COMMON.has(letters) || [...COMMON].some((w) => letters === w + w)) return "passphraseWeak";
  return null;
}
