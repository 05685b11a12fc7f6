// Matching speed in the browser (issue 16: at least 200,000 entries a second), bundled by
// story.mjs with esbuild and run in the page: signed bundles made here with a throwaway root
// and tracer, verified in full (certificate, every check, the tracer's signature) and matched
// against a 14-day diary, as a sync does (the native Ed25519 path where the browser has it). Nothing in the bundles matches the diary, as for
// nearly every entry a phone sees.

import { ed25519 } from "@noble/curves/ed25519";
import { blake3 } from "@noble/hashes/blake3";
import { ascii, concat, u16, u64 } from "../../src/protocol/bytes.js";
import { Matcher, type ScanStats } from "../../src/protocol/matching.js";
import { BundleVerifier } from "../../src/protocol/notice.js";

const sign = (sk: Uint8Array, context: string, msg: Uint8Array) =>
  ed25519.sign(concat(ascii(context), new Uint8Array([0]), msg), sk);
const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65_536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65_536)));
  return out;
}

function certificate(rootSk: Uint8Array, tracerPk: Uint8Array, now: number): Uint8Array {
  const name = ascii("NHS Example Health Board Contact Tracing");
  const body = concat(new Uint8Array([2]), tracerPk, u64(now - 86_400), u64(now + 86_400), new Uint8Array([1, name.length]), name);
  return concat(body, sign(rootSk, "checkin/v2/tracer-certificate", body));
}

function bundle(tracerSk: Uint8Array, cert: Uint8Array, now: number, entries: number): Uint8Array {
  const tags: Uint8Array[] = Array.from({ length: entries }, () => random(16));
  tags.sort((a, b) => {
    for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  });
  const notices = Math.min(256, Math.max(1, Math.round(entries / 4)));
  const body = concat(
    new Uint8Array([2]),
    u16(cert.length),
    cert,
    u64(now - 60),
    random(16),
    u16(112),
    u16(notices),
    random(112 * notices),
    u32(entries),
    ...tags,
  );
  const digest = blake3(body, { context: "checkin/v2/notice-bundle-digest" });
  return concat(body, sign(tracerSk, "checkin/v2/notice-bundle", digest));
}

export async function runBench(): Promise<Record<string, number>> {
  const now = Math.floor(Date.now() / 1000);
  const rootSk = random(32);
  const tracerSk = random(32);
  const cert = certificate(rootSk, ed25519.getPublicKey(tracerSk), now);
  const root = ed25519.getPublicKey(rootSk);
  // A diary of 14 days, 4 visits a day of 2 hours.
  const visits = [];
  for (let day = 0; day < 14; day++) {
    for (let v = 0; v < 4; v++) {
      const arrival = now - day * 86_400 - v * 4 * 3600 - 7200;
      visits.push({ venueId: random(32), venueKey: ed25519.getPublicKey(random(32)), arrival, departure: arrival + 7200 });
    }
  }
  const officers = { keys: [random(32), random(32)].map((sk) => ed25519.getPublicKey(sk)), threshold: 2 };
  const matcher = new Matcher(visits, 900, officers);
  const out: Record<string, number> = {};
  for (const [name, entries, count] of [
    ["entries_per_s_bundles_of_16", 16, 200],
    ["entries_per_s_bundles_of_96", 96, 100],
    ["entries_per_s_bundles_of_4096", 4096, 10],
  ] as const) {
    const bundles = Array.from({ length: count }, () => bundle(tracerSk, cert, now, entries));
    const verifier = new BundleVerifier(root);
    const stats: ScanStats = { entries: 0, tagHits: 0, unapproved: 0, malformed: 0 };
    const t0 = performance.now();
    for (const b of bundles) matcher.scan(await verifier.verifyFast(b, now), stats);
    const secs = (performance.now() - t0) / 1000;
    if (stats.entries !== entries * count) throw new Error("not every entry was matched");
    out[name] = Math.round(stats.entries / secs);
    out[name.replace("entries_per_s", "ms_per_bundle")] = Number(((secs * 1000) / count).toFixed(3));
  }
  return out;
}

(globalThis as { runBench?: typeof runBench }).runBench = runBench;
