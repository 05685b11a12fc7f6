// Builds the app into OUT (default dist/): app.js and sw.js bundled and minified by esbuild,
// and the static files copied. The output is committed, and a test rebuilds it and fails on
// any difference, so a stale bundle cannot ship.
import { build } from "esbuild";
import { cpSync, mkdirSync } from "node:fs";

const out = process.argv[2] ?? "dist";
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, target: "es2022", legalComments: "none", logLevel: "warning" };
await build({ ...common, entryPoints: ["src/app/main.ts"], outfile: `${out}/app.js`, format: "esm" });
await build({ ...common, entryPoints: ["src/app/sw.ts"], outfile: `${out}/sw.js`, format: "iife" });
cpSync("static", out, { recursive: true });
