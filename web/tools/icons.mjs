// Draws the app's PNG icons (static/icon-192.png, icon-512.png, and icon-maskable.png, whose
// mark keeps within the middle 80% that launchers may crop to) from the same drawing as
// static/icon.svg, with Debian's Chromium. Run by hand when the icon changes; the PNGs are
// committed, so a build needs no browser.
import { chromium } from "playwright-core";

const mark = `<path d="M17 33l10 10 20-22" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>`;
const plain = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#0b5394"/>${mark}</svg>`;
// Full bleed, the mark scaled into the safe zone (a circle of 80% of the width).
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#0b5394"/><g transform="translate(32 32) scale(0.7) translate(-32 -32)">${mark}</g></svg>`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox"] });
try {
  for (const [file, svg, size] of [
    ["icon-192.png", plain, 192],
    ["icon-512.png", plain, 512],
    ["icon-maskable.png", maskable, 512],
  ]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
    await page.screenshot({ path: new URL(`../static/${file}`, import.meta.url).pathname, omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
