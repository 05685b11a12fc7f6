// The Scan screen: reads a poster's QR code with the camera inside the app, so that a check-in
// adds nothing to the browser's history (a poster opened by the phone's camera app is a page
// load that the browser records with its time; spec section 2). The browser's own
// BarcodeDetector where it has one for QR codes, else ZXing's QR reader (`@zxing/library`),
// bundled. Frames never leave the page.

// Deep imports: the package's index pulls in every format (some 450 KB); these are the QR
// reader's own modules.
import BinaryBitmap from "@zxing/library/esm/core/BinaryBitmap.js";
import HybridBinarizer from "@zxing/library/esm/core/common/HybridBinarizer.js";
import QRCodeReader from "@zxing/library/esm/core/qrcode/QRCodeReader.js";
import RGBLuminanceSource from "@zxing/library/esm/core/RGBLuminanceSource.js";
import { t } from "../messages.js";
import { h, button } from "../ui.js";

/** How often a frame is read. */
const FRAME_MS = 200;

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
};

/** The browser's QR detector, or null where it has none. */
async function nativeDetector(): Promise<Detector | null> {
  const cls = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (!cls) return null;
  try {
    return (await cls.getSupportedFormats()).includes("qr_code") ? new cls({ formats: ["qr_code"] }) : null;
  } catch {
    return null;
  }
}

/** What a QR code's text holds: a poster of this app's service (its URL is the app's own,
 * `app`), a poster of another service (another authority's, whose notices this app never
 * receives), or nothing of use. HTTPS only, or plain HTTP on this computer (as browsers allow
 * for secure pages). */
export type Code = { kind: "ours"; poster: string } | { kind: "elsewhere"; url: string } | null;

export function posterInCode(text: string, app: string): Code {
  const hash = text.indexOf("#");
  if (hash < 0) return null;
  const base = text.slice(0, hash).trim();
  const fragment = text.slice(hash + 1).trim();
  if (!/^[A-Za-z0-9_-]{40,}$/.test(fragment)) return null;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return null;
  }
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) return null;
  const strip = (u: string): string => u.replace(/\/+$/, "");
  return strip(url.origin + url.pathname) === strip(app) ? { kind: "ours", poster: fragment } : { kind: "elsewhere", url: text.trim() };
}

/** Reads a QR code from the video's current frame with ZXing. */
function zxingRead(video: HTMLVideoElement, canvas: HTMLCanvasElement, reader: QRCodeReader): string | null {
  const w = video.videoWidth;
  const hgt = video.videoHeight;
  if (!w || !hgt) return null;
  canvas.width = w;
  canvas.height = hgt;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) return null;
  ctx.drawImage(video, 0, 0, w, hgt);
  const rgba = ctx.getImageData(0, 0, w, hgt).data;
  const grey = new Uint8ClampedArray(w * hgt);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = (rgba[i * 4]! * 299 + rgba[i * 4 + 1]! * 587 + rgba[i * 4 + 2]! * 114) / 1000;
  }
  try {
    return reader.decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(grey, w, hgt)))).getText();
  } catch {
    return null; // no code in this frame
  }
}

export interface ScanSession {
  element: HTMLElement;
  /** Stops the camera; the screen is done. */
  stop(): void;
}

/** A scan screen that calls `found` with the first poster it reads (the camera stopped), or
 * `cancel` when the citizen stops. */
export function scanScreen(found: (code: NonNullable<Code>) => void, cancel: () => void): ScanSession {
  const video = h("video", { playsinline: "", muted: "", "aria-label": t("scanVideo"), class: "scan-video" }) as HTMLVideoElement;
  const state = h("p", { class: "status", role: "status" }, t("scanStarting"));
  let stream: MediaStream | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const track of stream?.getTracks() ?? []) track.stop();
    video.srcObject = null;
  };
  const element = h(
    "section",
    { "aria-labelledby": "scan-title", class: "scan" },
    h("h2", { id: "scan-title", tabindex: "-1" }, t("scanTitle")),
    h("p", { class: "hint" }, t("scanHint")),
    video,
    state,
    button(t("scanStop"), () => {
      stop();
      cancel();
    }),
  );
  void (async () => {
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error("no camera"), { name: "NotFoundError" });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      if (stopped) return stop();
      video.srcObject = stream;
      video.muted = true;
      await video.play();
    } catch (e) {
      stop();
      state.textContent = (e as Error).name === "NotAllowedError" ? t("scanDenied") : t("scanNoCamera");
      state.className = "status error";
      state.setAttribute("role", "alert");
      return;
    }
    state.textContent = t("scanLooking");
    const native = await nativeDetector();
    const reader = new QRCodeReader();
    const canvas = document.createElement("canvas");
    const tick = async (): Promise<void> => {
      if (stopped) return;
      let text: string | null = null;
      if (native) {
        text = (await native.detect(video).catch(() => []))[0]?.rawValue ?? null;
      } else {
        text = zxingRead(video, canvas, reader);
      }
      if (text !== null) {
        const code = posterInCode(text, location.origin + location.pathname);
        if (code) {
          stop();
          found(code);
          return;
        }
        if (state.textContent !== t("scanNotPoster")) state.textContent = t("scanNotPoster");
      }
      timer = setTimeout(() => void tick(), FRAME_MS);
    };
    void tick();
  })();
  return { element, stop };
}
