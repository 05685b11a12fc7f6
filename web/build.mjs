// Builds the app into OUT (default dist/): app.js and sw.js bundled and minified by esbuild,
// and the static files copied. The output is committed, and a test rebuilds it and fails on
// any difference, so a stale bundle cannot ship.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";

const out = process.argv[2] ?? "dist";
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, target: "es2022", legalComments: "eof", logLevel: "warning" };
const bundled = new Set();
const note = (result) => {
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (m) bundled.add(m[1]);
  }
};
note(await build({ ...common, metafile: true, entryPoints: ["src/app/main.ts"], outfile: `${out}/app.js`, format: "esm" }));
cpSync("static", out, { recursive: true });
// The worker names its cache after the release (the hash of every other file, but the
// licences, which are written last and change only with the libraries, and so with app.js),
// so that a new release is a new worker, installed whole in the background while the old one
// keeps serving.
const release = createHash("sha256");
for (const f of readdirSync(out).filter((f) => !["SHA256SUMS", "sw.js", "LICENSES.txt"].includes(f)).sort()) {
  release.update(`${f}\0`).update(readFileSync(`${out}/${f}`));
}
note(await build({
  ...common,
  metafile: true,
  entryPoints: ["src/app/sw.ts"],
  outfile: `${out}/sw.js`,
  format: "iife",
  define: { RELEASE: JSON.stringify(release.digest("hex").slice(0, 16)) },
}));

// The licences of every library bundled into app.js and sw.js, whole (minifying keeps only
// their short notices, at the end of each bundle): served beside the app as LICENSES.txt.
const notices = [...bundled].sort().map((name) => {
  const dir = `node_modules/${name}`;
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file || !existsSync(`${dir}/${file}`)) {
    throw new Error(`${name} ships no licence file: add its licence text to LICENSES.txt by hand`);
  }
  const text = readFileSync(`${dir}/${file}`, "utf8").trim();
  return `${pkg.name} ${pkg.version} (${pkg.license ?? "see below"})\n${"=".repeat(72)}\n${text}\n`;
});
writeFileSync(
  `${out}/LICENSES.txt`,
  `Libraries bundled into this app (app.js, sw.js), with their licences.\n\n${notices.join("\n")}`,
);

// The release's hashes: anyone can compare what a server sends (`curl -s URL | sha256sum`)
// with what was built from these sources.
const sums = readdirSync(out)
  .filter((f) => f !== "SHA256SUMS")
  .sort()
  .map((f) => `${createHash("sha256").update(readFileSync(`${out}/${f}`)).digest("hex")}  ${f}\n`)
  .join("");
writeFileSync(`${out}/SHA256SUMS`, sums);
