// The pinning rule of loadTrust (chooseTrust, spec section 16a) against trust.json: a server
// that swaps the case, emergency or sealing key of the genuine file is refused, the pinned file
// stays, and a case diary is still sealed to the authority's genuine case key.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { equal, unhex } from "../src/protocol/bytes.js";
import { openCase, sealCase } from "../src/protocol/case.js";
import { chooseTrust, parseTrust } from "../src/protocol/trust.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), "utf8"));
const keys = load("keys.json");
const t = load("trust.json");
const file = (list: { name: string; text: string }[], name: string): string => {
  const found = list.find((n) => n.name === name);
  if (!found) throw new Error(`trust.json has no ${name}`);
  return found.text;
};

describe("a phone pins a trust file", () => {
  test("the first file pins itself when its signature verifies", () => {
    const c = chooseTrust(null, t.text);
    expect(c.refused).toBeNull();
    expect(c.text).toBe(t.text);
    expect(c.anchor?.serial).toBe(BigInt(t.serial));
  });

  test("an unsigned or altered first file is refused and nothing is pinned", () => {
    for (const name of ["trust_unsigned", "trust_case_key_swapped"]) {
      const c = chooseTrust(null, file(t.negative, name));
      expect(c.anchor).toBeNull();
      expect(c.text).toBeNull();
      expect(c.refused?.code).toMatch(/^trust_(unsigned|bad_signature)$/);
    }
  });

  test.each(["trust_case_key_swapped", "trust_emergency_key_swapped", "trust_sealing_key_swapped"])(
    "a server serving %s is refused in words and the pinned file stays",
    async (name) => {
      const c = chooseTrust(t.text, file(t.negative, name));
      expect(c.refused?.code).toBe("trust_bad_signature");
      expect(c.refused?.message).toContain("signature does not verify");
      expect(c.text).toBe(t.text);
      const genuine = unhex(keys.authority_case.x25519_public);
      expect(c.anchor && equal(c.anchor.case, genuine)).toBe(true);
      // The case diary is sealed to the anchor kept, so the authority's case key opens it.
      const sealed = await sealCase([], 7, c.anchor!.case);
      expect((await openCase(sealed, unhex(keys.authority_case.x25519_secret))).createdAt).toBe(7);
    },
  );

  test("an older file of the same authority, or another authority's file, is refused", () => {
    for (const name of ["trust_older_serial", "trust_different_root"]) {
      const c = chooseTrust(t.text, file(t.replacing, name));
      expect(c.refused?.code).toBe(name);
      expect(c.text).toBe(t.text);
    }
  });

  test("a newer file of the same authority replaces the pinned one", () => {
    const newer = file(t.replacing, "trust_newer_serial_replaces");
    const c = chooseTrust(t.text, newer);
    expect(c.refused).toBeNull();
    expect(c.text).toBe(newer);
    expect(c.anchor?.serial).toBe(parseTrust(t.text).serial + 1n);
  });

  test("offline, the pinned file is used", () => {
    const c = chooseTrust(t.text, null);
    expect(c.refused).toBeNull();
    expect(c.text).toBe(t.text);
  });
});

describe("a phone that pinned a trust file before files were signed", () => {
  const legacy = load("trust_legacy.json");

  test("trusts nothing of it but its root, and takes the first file that root signed", () => {
    // Offline: nothing is trusted, and the old file stays pinned.
    expect(chooseTrust(legacy.pinned, null)).toMatchObject({ text: legacy.pinned, anchor: null, refused: null, legacy: true });
    // A server that swaps a key of the genuine file, or serves another authority's, is refused.
    for (const [text, code] of [
      [file(t.negative, "trust_emergency_key_swapped"), "trust_bad_signature"],
      [file(t.replacing, "trust_different_root"), "trust_different_root"],
    ] as const) {
      const c = chooseTrust(legacy.pinned, text);
      expect(c.refused?.code).toBe(code);
      expect(c.anchor).toBeNull();
      expect(c.text).toBe(legacy.pinned);
    }
    // The genuine signed file replaces it, and from then on the ordinary rule holds.
    const upgraded = chooseTrust(legacy.pinned, t.text);
    expect(upgraded).toMatchObject({ text: t.text, refused: null, legacy: true });
    expect(upgraded.anchor?.serial).toBe(BigInt(t.serial));
    const after = chooseTrust(upgraded.text, file(t.replacing, "trust_older_serial"));
    expect(after.refused?.code).toBe("trust_older_serial");
    expect(after.legacy).toBeUndefined();
  });
});
