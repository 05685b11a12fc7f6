// Case diaries against case.json: the file opens to its visits, every negative fails with its
// error, and what this client seals opens the same way.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { hex, unhex } from "../src/protocol/bytes.js";
import {
  caseId,
  caseTag,
  caseTagKey,
  newCaseCode,
  openCase,
  parseCaseCode,
  sealCase,
  showCaseCode,
  verifyCaseTag,
} from "../src/protocol/case.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), "utf8"));
const keys = load("keys.json");
const c = load("case.json");
const posters = load("poster.json").valid.map((p: { encoding: string }) => unhex(p.encoding));
const secret = unhex(keys.authority_case.x25519_secret);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const named: [string, any][] = c.negative.map((n: { name: string }) => [n.name, n]);

describe("case.json", () => {
  test("the case file opens to its visits", async () => {
    const d = await openCase(unhex(c.file), secret);
    expect(d.createdAt).toBe(c.created_at);
    expect(d.visits.map((v) => [v.poster.encoding, v.arrival, v.departure])).toEqual(
      c.visits.map((v: { poster: number; arrival: number; departure: number }) => [posters[v.poster], v.arrival, v.departure]),
    );
  });
  test.each(named)("%s", async (_, n) => {
    let code = "accepted";
    await openCase(unhex(n.file), secret).catch((e) => (code = e.code));
    expect(code).toBe(n.error);
  });
  test("what this client seals opens, from no visits (16,433 bytes, the smallest size) to several", async () => {
    const empty = await sealCase([], 1_767_398_400, unhex(keys.authority_case.x25519_public));
    expect(empty).toHaveLength(16_433);
    expect((await openCase(empty, secret)).visits).toEqual([]);
    const visits = c.visits.map((v: { poster: number; arrival: number; departure: number }) => ({ ...v, poster: posters[v.poster] }));
    const file = await sealCase(visits, 7, unhex(keys.authority_case.x25519_public));
    const d = await openCase(file, secret);
    expect(d.createdAt).toBe(7);
    expect(d.visits.map((v) => v.arrival)).toEqual(visits.map((v: { arrival: number }) => v.arrival));
  });
  test("forty visits seal to the smallest size too: the size hides the count", async () => {
    const one = c.visits[0];
    const visits = Array.from({ length: 40 }, (_, i) => ({ poster: posters[one.poster], arrival: one.arrival + i, departure: one.departure }));
    expect(await sealCase(visits, 7, unhex(keys.authority_case.x25519_public))).toHaveLength(16_433);
  });
});

describe("case.json hand_over", () => {
  const ho = c.hand_over;
  test("the code gives the id, the tag's key and the tag of the file", () => {
    const code = parseCaseCode(ho.code);
    expect(code).toBe(ho.canonical);
    expect(parseCaseCode(ho.typed)).toBe(code);
    expect(showCaseCode(code)).toBe(ho.code);
    expect(hex(caseId(code))).toBe(ho.id);
    expect(hex(caseTagKey(code))).toBe(ho.key);
    expect(hex(caseTag(code, unhex(c.file)))).toBe(ho.tag);
    verifyCaseTag(code, unhex(c.file), unhex(ho.tag));
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const negatives: [string, any][] = ho.negative.map((n: { name: string }) => [n.name, n]);
  test.each(negatives)("%s", (_, n) => {
    let code = "accepted";
    try {
      verifyCaseTag(parseCaseCode(n.code), unhex(n.file), unhex(n.tag));
    } catch (e) {
      code = (e as { code: string }).code;
    }
    expect(code).toBe(n.error);
  });
  test("a fresh code is 16 characters of the alphabet, read back as itself", () => {
    const code = newCaseCode();
    expect(code).toMatch(/^[A-Z2-7]{16}$/);
    expect(parseCaseCode(showCaseCode(code).toLowerCase())).toBe(code);
  });
});
