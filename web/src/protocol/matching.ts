// Matching a diary against verified bundles (spec section 13): an index of the diary's
// per-hour notice tags, a look-up per entry, and the notices opened and their approvals
// checked only where a tag matched.

import { type Bundle, type NoticePayload, openNotice, approvalOk } from "./notice.js";
import type { EmergencyOfficers } from "./trust.js";
import { hex } from "./bytes.js";
import { hoursCovered, noticeKey, noticeTag, TAG_LEN } from "./derive.js";

export const DEFAULT_THRESHOLD_SECS = 900;

export interface Visit {
  venueId: Uint8Array;
  /** The poster's Ed25519 key: what approves the venue's notices. */
  venueKey: Uint8Array;
  arrival: number;
  departure: number;
}

export interface Alert {
  visit: number;
  notice: NoticePayload;
  overlapSecs: number;
  issuer: string;
  approver: "venue" | "authority";
  bundleId: string;
}

export interface ScanStats {
  entries: number;
  tagHits: number;
  unapproved: number;
  malformed: number;
}

interface Slot {
  tag: Uint8Array;
  venueId: Uint8Array;
  venueKey: Uint8Array;
  hour: number;
  visits: number[];
}

const noticeKeyOf = (n: NoticePayload): string =>
  `${n.start}/${n.end}/${n.severity}/${n.approver}/${hex(n.approval)}/${n.message}`;

export class Matcher {
  /** Slots by the first 6 bytes of their tag, as a number (no string made per entry); a hit
   * is confirmed against the whole tag. */
  private readonly index = new Map<number, Slot[]>();

  constructor(
    private readonly visits: Visit[],
    private readonly thresholdSecs: number,
    private readonly officers: EmergencyOfficers,
  ) {
    if (thresholdSecs < 1) throw new Error("the threshold must be at least one second");
    visits.forEach((v, i) => {
      const [first, last] = hoursCovered(v.arrival, v.departure);
      for (let h = first; h <= last; h++) {
        const tag = noticeTag(v.venueId, h);
        const key = prefix(tag, 0);
        const slots = this.index.get(key) ?? [];
        let slot = slots.find((s) => sameTag(s.tag, tag, 0));
        if (!slot) {
          slot = { tag, venueId: v.venueId, venueKey: v.venueKey, hour: h, visits: [] };
          slots.push(slot);
          this.index.set(key, slots);
        }
        slot.visits.push(i);
      }
    });
  }

  /** Every alert `bundle` raises for the diary; `seen` holds alerts already raised (by visit
   * and notice), so that a window's several entries, or a bundle fetched twice, alert once. */
  scan(bundle: Bundle, stats: ScanStats, seen = new Set<string>()): Alert[] {
    const alerts: Alert[] = [];
    for (let e = 0; e < bundle.count; e++) {
      stats.entries++;
      const at = e * TAG_LEN;
      const slot = this.index.get(prefix(bundle.entries, at))?.find((s) => sameTag(s.tag, bundle.entries, at));
      if (!slot) continue;
      stats.tagHits++;
      const key = noticeKey(slot.venueId, bundle.salt);
      bundle.notices.forEach((sealed, index) => {
        let notice: NoticePayload;
        try {
          notice = openNotice(key, index, sealed, slot.hour);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code !== "notice_decryption_failed" && code !== "notice_window_outside_hour") stats.malformed++;
          return;
        }
        if (!approvalOk(notice, slot.venueId, bundle.cert, slot.venueKey, this.officers)) {
          stats.unapproved++;
          return;
        }
        for (const i of slot.visits) {
          const v = this.visits[i]!;
          const overlap = Math.max(0, Math.min(v.departure, notice.end) - Math.max(v.arrival, notice.start));
          if (overlap < this.thresholdSecs) continue;
          const id = `${i}|${noticeKeyOf(notice)}`;
          if (seen.has(id)) continue;
          seen.add(id);
          alerts.push({
            visit: i,
            notice,
            overlapSecs: overlap,
            issuer: bundle.cert.name,
            approver: notice.approver === 1 ? "venue" : "authority",
            bundleId: hex(bundle.id),
          });
        }
      });
    }
    return alerts;
  }
}

/** The first 6 bytes of the tag at `at`, as a number (exact: below 2^53). */
function prefix(b: Uint8Array, at: number): number {
  return (b[at]! * 2 ** 40) + (b[at + 1]! * 2 ** 32) + ((b[at + 2]! << 24) >>> 0) + ((b[at + 3]! << 16) | (b[at + 4]! << 8) | b[at + 5]!);
}

function sameTag(tag: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < TAG_LEN; i++) if (tag[i] !== b[at + i]) return false;
  return true;
}
