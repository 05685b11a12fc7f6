// Case diaries against case.json: the file opens to its visits, every negative fails with its
// error, and what this client seals opens the same way.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { unhex } from "../src/protocol/bytes.js";
import { openCase, sealCase } from "../src/protocol/case.js";

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
  test("what this client seals opens, from no visits (1,073 bytes) to several", async () => {
    const empty = await sealCase([], 1_767_398_400, unhex(keys.authority_case.x25519_public));
    expect(empty).toHaveLength(1073);
    expect((await openCase(empty, secret)).visits).toEqual([]);
    const visits = c.visits.map((v: { poster: number; arrival: number; departure: number }) => ({ ...v, poster: posters[v.poster] }));
    const file = await sealCase(visits, 7, unhex(keys.authority_case.x25519_public));
    const d = await openCase(file, secret);
    expect(d.createdAt).toBe(7);
    expect(d.visits.map((v) => v.arrival)).toEqual(visits.map((v: { arrival: number }) => v.arrival));
  });
});
