// Builds the app into OUT (default dist/): app.js and sw.js bundled and minified by esbuild,
// and the static files copied. The output is committed, and a test rebuilds it and fails on
// any difference, so a stale bundle cannot ship.
//
// The app is built for one authority (spec section 16d): CHECKIN_AUTHORITY_ROOT is its root
// key (the `root:` value of its trust file), which app.js carries and checks the phone's
// pinned trust file against at every start. Without it, the build is for the development
// authority of the main command's server, whose root and release keys are public and fixed
// (common/src/authority.rs): the committed dist is that build, and it is signed here with the
// development release key (Ed25519 signatures are deterministic, so the signature is
// reproducible). A deployment builds with its own root and signs the release with its own
// release key (`tracer authority release-sign --authority DIR --dist OUT`).
import { build } from "esbuild";
import { ed25519 } from "@noble/curves/ed25519";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** The development authority's root key, from its public seed (common::authority::DEV_ROOT_SEED). */
const DEV_ROOT_SEED = "checkin development root, public";
/** Its release key's public seed (common::authority::DEV_RELEASE_SEED). */
const DEV_RELEASE_SEED = "checkin development release key!";
const b64 = (bytes) => Buffer.from(bytes).toString("base64url");
const devRoot = b64(ed25519.getPublicKey(Buffer.from(DEV_ROOT_SEED)));
const root = process.env.CHECKIN_AUTHORITY_ROOT ?? devRoot;
if (!/^[A-Za-z0-9_-]{43}$/.test(root)) {
  throw new Error("CHECKIN_AUTHORITY_ROOT must be the authority's root key: the 43-character `root:` value of its trust file");
}

const out = process.argv[2] ?? "dist";
mkdirSync(out, { recursive: true });
// A signature left from an earlier build signs other files.
rmSync(`${out}/SHA256SUMS.sig`, { force: true });
const common = { bundle: true, minify: true, target: "es2022", legalComments: "eof", logLevel: "warning" };
const bundled = new Set();
const note = (result) => {
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (m) bundled.add(m[1]);
  }
};
note(await build({
  ...common,
  metafile: true,
  entryPoints: ["src/app/main.ts"],
  outfile: `${out}/app.js`,
  format: "esm",
  define: { AUTHORITY_ROOT: JSON.stringify(root) },
}));
cpSync("static", out, { recursive: true });
// The worker names its cache after the release (the hash of every other file, but the
// licences, which are written last and change only with the libraries, and so with app.js),
// so that a new release is a new worker, installed whole in the background while the old one
// keeps serving.
const release = createHash("sha256");
for (const f of readdirSync(out).filter((f) => !["SHA256SUMS", "SHA256SUMS.sig", "sw.js", "LICENSES.txt"].includes(f)).sort()) {
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

// The release's hashes: anyone can compare what a server sends (`curl -s URL | sha256sum`,
// or `checkin verify-app`) with what was built from these sources. The signature over them
// cannot be one of them.
const sums = readdirSync(out)
  .filter((f) => f !== "SHA256SUMS" && f !== "SHA256SUMS.sig")
  .sort()
  .map((f) => `${createHash("sha256").update(readFileSync(`${out}/${f}`)).digest("hex")}  ${f}\n`)
  .join("");
writeFileSync(`${out}/SHA256SUMS`, sums);

// The development build is signed with the development release key: "checkin/v2/release-sums"
// || 0x00 || SHA256SUMS (spec section 16d), as `tracer authority release-sign` signs.
if (root === devRoot) {
  const message = Buffer.concat([Buffer.from("checkin/v2/release-sums"), Buffer.from([0]), Buffer.from(sums)]);
  const sig = ed25519.sign(message, Buffer.from(DEV_RELEASE_SEED));
  writeFileSync(`${out}/SHA256SUMS.sig`, `checkin-release-signature v1\nsignature: ${b64(sig)}\n`);
} else {
  console.log(`Built for the authority whose root key is ${root}: sign ${out}/SHA256SUMS with its release key (tracer authority release-sign --authority DIR --dist ${out}).`);
}
