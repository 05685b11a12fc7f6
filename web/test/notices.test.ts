// Certificates, revocation lists, bundles, notices, batches and matching against
// spec/vectors: every vector of those files, positive and negative.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { hex, unhex } from "../src/protocol/bytes.js";
import { certDigest, decodeCertificate, tracerFingerprint, verifyCert } from "../src/protocol/cert.js";
import { noticeKey } from "../src/protocol/derive.js";
import { Matcher, type ScanStats } from "../src/protocol/matching.js";
import {
  BundleVerifier,
  decodeBatch,
  decodeDay,
  openApprovedNotice,
  openNotice,
  approvalOk,
} from "../src/protocol/notice.js";
import { decodePoster, venueId } from "../src/protocol/poster.js";
import { replaces, verifyRevocations } from "../src/protocol/revocation.js";
import { parseTrust } from "../src/protocol/trust.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), "utf8"));

const keys = load("keys.json");
const root = unhex(keys.authority_root.ed25519_public);
// The emergency officers of trust.json, whose keys are keys.json's authority_officers.
const emergency = parseTrust(load("trust.json").text).emergency;
const posters = load("poster.json").valid.map((p: { encoding: string }) => decodePoster(unhex(p.encoding)));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const named = (list: any[]): [string, any][] => list.map((x) => [x.name, x]);
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? `no code: ${e}`;
  }
  return "accepted";
};

describe("certificate.json", () => {
  const c = load("certificate.json");
  test("valid certificates decode and verify", () => {
    for (const v of c.valid) {
      const cert = decodeCertificate(unhex(v.encoding));
      verifyCert(cert, root);
      expect(hex(cert.tracerPublic)).toBe(v.tracer_public);
      if (v.tracer_fingerprint !== undefined) {
        expect(tracerFingerprint(cert.tracerPublic)).toBe(v.tracer_fingerprint);
      }
      expect([cert.notBefore, cert.notAfter, cert.name]).toEqual([v.not_before, v.not_after, v.name]);
      expect((cert.publish ? 1 : 0) | (cert.query ? 2 : 0)).toBe(v.roles);
    }
  });
  test.each(named(c.negative))("%s", (_, n) => {
    const v = n as { encoding: string; error: string };
    expect(codeOf(() => verifyCert(decodeCertificate(unhex(v.encoding)), root))).toBe(v.error);
  });
});

describe("notice.json", () => {
  const n = load("notice.json");
  const cert = decodeCertificate(unhex(load("certificate.json").valid[0].encoding));
  test("the bundle verifies, with its entries and id", () => {
    const b = new BundleVerifier(root).verify(unhex(n.bundle.encoding), n.bundle.now);
    expect(b.createdAt).toBe(n.bundle.created_at);
    expect(hex(b.id)).toBe(n.bundle.id);
    expect(hex(b.salt)).toBe(n.salt);
    const entries = Array.from({ length: b.count }, (_, i) => hex(b.entries.subarray(16 * i, 16 * i + 16)));
    expect(entries).toEqual(n.bundle.entries);
    expect(b.notices.map(hex)).toEqual(n.notices.map((x: { sealed: string }) => x.sealed));
  });
  test.each(named(n.negative_bundles))("%s", async (_, x) => {
    const v = x as { bundle: string; now: number; error: string };
    expect(codeOf(() => new BundleVerifier(root).verify(unhex(v.bundle), v.now))).toBe(v.error);
    // The native path refuses the same, with the same error.
    let fast = "accepted";
    await new BundleVerifier(root).verifyFast(unhex(v.bundle), v.now).catch((e) => (fast = e.code));
    expect(fast).toBe(v.error);
  });
  test("the native path accepts the bundle and refuses S + L, which a lax verifier takes", async () => {
    const good = unhex(n.bundle.encoding);
    expect(hex((await new BundleVerifier(root).verifyFast(good, n.bundle.now)).id)).toBe(n.bundle.id);
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = good.length - 1; i >= good.length - 32; i--) s = (s << 8n) | BigInt(good[i]!);
    s += L;
    const bad = good.slice();
    for (let i = good.length - 32; i < good.length; i++, s >>= 8n) bad[i] = Number(s & 255n);
    let code = "accepted";
    await new BundleVerifier(root).verifyFast(bad, n.bundle.now).catch((e) => (code = e.code));
    expect(code).toBe("bundle_bad_signature");
    expect(codeOf(() => new BundleVerifier(root).verify(bad, n.bundle.now))).toBe("bundle_bad_signature");
  });
  test("each notice opens through each of its entries, and its approval is as stated", () => {
    for (const x of n.notices) {
      const p = posters[x.poster]!;
      const id = venueId(p.encoding);
      expect(hex(id)).toBe(x.venue_id);
      for (const e of x.entries) {
        const got = openNotice(noticeKey(id, unhex(n.salt)), x.index, unhex(x.sealed), e.hour);
        expect([got.start, got.end, got.severity, got.approver, got.message, hex(got.approval)]).toEqual([
          x.payload.start,
          x.payload.end,
          x.payload.severity,
          x.payload.approver,
          x.payload.message,
          x.payload.approval,
        ]);
        expect(approvalOk(got, id, cert, p.ed25519Public, emergency)).toBe(x.approval === "valid");
      }
    }
  });
  test.each(named(n.negative_notices))("%s", (_, x) => {
    const v = x as { poster: number; venue_id: string; salt: string; index: number; sealed: string; hour: number; error: string };
    const p = posters[v.poster]!;
    const got = codeOf(() =>
      openApprovedNotice(unhex(v.venue_id), p.ed25519Public, unhex(v.salt), v.index, unhex(v.sealed), v.hour, cert, emergency),
    );
    expect(got).toBe(v.error);
  });
  test("the certificate digest is what the approvals sign", () => {
    expect(certDigest(cert)).toHaveLength(32);
  });
});

describe("batch.json", () => {
  const b = load("batch.json");
  test("batches decode to their bundles", () => {
    expect(decodeBatch(unhex(b.batch), b.hour).map(hex)).toEqual(b.bundles);
    expect(decodeBatch(unhex(b.empty.batch), b.empty.hour)).toEqual([]);
  });
  test.each(named(b.negative))("%s", (_, x) => {
    const v = x as { batch: string; asked: number; error: string };
    expect(codeOf(() => decodeBatch(unhex(v.batch), v.asked))).toBe(v.error);
  });
  test("a day file splits into its 24 hour batches", () => {
    const hours = decodeDay(unhex(b.day.file), b.day.day);
    expect(hours.map(([, x]) => hex(x))).toEqual(b.day.hour_batches);
    for (const [i, [h, batch]] of hours.entries()) {
      expect(h).toBe(b.day.day * 24 + i);
      expect(decodeBatch(batch, h)).toHaveLength(h === b.hour ? 1 : 0);
    }
  });
  test.each(named(b.day_negative))("%s", (_, x) => {
    const v = x as { file: string; asked: number; error: string };
    expect(codeOf(() => decodeDay(unhex(v.file), v.asked))).toBe(v.error);
  });
  test.each(named(b.day_hour_negative))("%s", (_, x) => {
    const v = x as { file: string; day: number; index: number; error: string };
    const hours = decodeDay(unhex(v.file), v.day);
    for (const [i, [h, batch]] of hours.entries()) {
      if (i === v.index) expect(codeOf(() => decodeBatch(batch, h))).toBe(v.error);
      else expect(() => decodeBatch(batch, h)).not.toThrow();
    }
  });
});

describe("revocation.json", () => {
  const r = load("revocation.json");
  test("lists verify, and a listed tracer's bundle is refused", () => {
    for (const l of [r.list, r.empty_list]) {
      const got = verifyRevocations(root, unhex(l.encoding), r.now);
      expect(got.issuedAt).toBe(l.issued_at);
      expect([...got.keys]).toEqual(l.keys);
    }
    const v = new BundleVerifier(root);
    v.revoked = verifyRevocations(root, unhex(r.list.encoding), r.now).keys;
    expect(codeOf(() => v.verify(unhex(r.revoked_bundle.bundle), r.revoked_bundle.now))).toBe(
      r.revoked_bundle.error,
    );
  });
  test.each(named(r.negative))("%s", (_, x) => {
    const v = x as { encoding: string; now: number; error: string };
    expect(codeOf(() => verifyRevocations(root, unhex(v.encoding), v.now))).toBe(v.error);
  });
  test("replacement never goes back", () => {
    for (const c of r.replacement) {
      const held = c.held === null ? null : verifyRevocations(root, unhex(c.held), r.now);
      const offered = verifyRevocations(root, unhex(c.offered), r.now);
      let got: string;
      try {
        got = replaces(offered, held);
      } catch (e) {
        got = (e as { code: string }).code;
      }
      expect(got).toBe(c.result);
    }
  });
});

describe("matching.json", () => {
  const m = load("matching.json");
  const n = load("notice.json");
  test("every visit alerts exactly when it should", () => {
    const bundle = new BundleVerifier(root).verify(unhex(n.bundle.encoding), n.bundle.now);
    const visits = m.visits.map((v: { poster: number; arrival: number; departure: number }) => {
      const p = posters[v.poster]!;
      return { venueId: venueId(p.encoding), venueKey: p.ed25519Public, arrival: v.arrival, departure: v.departure };
    });
    const stats: ScanStats = { entries: 0, tagHits: 0, unapproved: 0, malformed: 0 };
    const alerts = new Matcher(visits, m.threshold_secs, emergency).scan(bundle, stats);
    expect(stats.unapproved).toBe(m.unapproved);
    m.visits.forEach((v: { alert: boolean; approver?: string; overlap_secs?: number; note: string }, i: number) => {
      const got = alerts.filter((a) => a.visit === i);
      expect(got.length, v.note).toBe(v.alert ? 1 : 0);
      if (v.alert) {
        expect(got[0]!.approver, v.note).toBe(v.approver);
        expect(got[0]!.overlapSecs, v.note).toBe(v.overlap_secs);
      }
    });
  });
});
