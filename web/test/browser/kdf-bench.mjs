// The cost of one passphrase guess in the browser: the diary's key derivation (store.ts's
// `deriveKey`, Argon2id with the parameters a diary records) against the PBKDF2-SHA256 of
// diaries sealed before it, each timed RUNS times in Debian's Chromium on a loopback page (a
// secure context, as the app's). Prints one JSON line: the median and every run, in ms.
// Run: node test/browser/kdf-bench.mjs [RUNS]  (CHROMIUM, default /usr/bin/chromium)

import { createServer } from "node:http";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const runs = Number(process.argv[2] ?? 3);
const code = await build({
  stdin: {
    contents: `
      import { deriveKey, ARGON2ID, PBKDF2_ITERATIONS } from "./src/app/store.ts";
      globalThis.kdfBench = async (runs) => {
        const salt = crypto.getRandomValues(new Uint8Array(16));
        const time = async (kdf) => {
          const out = [];
          for (let i = 0; i < runs; i++) {
            const t0 = performance.now();
            await deriveKey("correct horse battery staple", kdf);
            out.push(performance.now() - t0);
          }
          return out;
        };
        return {
          argon2id: { params: ARGON2ID, ms: await time({ alg: "argon2id", salt, ...ARGON2ID }) },
          pbkdf2: { iterations: PBKDF2_ITERATIONS, ms: await time({ salt, iterations: PBKDF2_ITERATIONS }) },
        };
      };`,
    resolveDir: new URL("../..", import.meta.url).pathname,
    loader: "ts",
  },
  bundle: true,
  write: false,
  format: "iife",
  target: "es2022",
});
const server = createServer((_, res) => res.end("<!doctype html><title>kdf</title>"));
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.evaluate(code.outputFiles[0].text);
  const r = await page.evaluate((n) => globalThis.kdfBench(n), runs);
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  for (const k of Object.keys(r)) r[k].median = Math.round(median(r[k].ms));
  console.log(JSON.stringify({ browser: browser.version(), ...r }));
} finally {
  await browser.close();
  server.close();
}
