// The diary on the phone: one record in IndexedDB, sealed with AES-GCM under a key that
// WebCrypto generated as non-extractable, so the browser keeps it and no script (this one
// included) can read its bytes; or, if the citizen chooses, under a key derived from a
// passphrase (Argon2id with a random 16-byte salt, its parameters recorded beside the diary so
// that a later version can raise them), which is then kept nowhere. Diaries sealed under a
// passphrase before Argon2id (PBKDF2-SHA256, 600,000 iterations) still open, and are sealed
// again with Argon2id at that unlock. Every save is one transaction with strict durability: the
// promise resolves only once the browser reports the data written.
//
// The sealed plaintext is padded as the command-line client pads its diary file: a 4-byte
// length, the JSON, zero bytes up to 16 KiB or the next power of two above, so that the size
// of what the browser keeps says nothing of how many visits, alerts or queued records it holds
// beyond its bucket. Diaries sealed before padding (no `v`) are read as they are, and padded
// at their next save.

import { argon2idAsync } from "@noble/hashes/argon2";

export interface VisitRec {
  id: string;
  /** The poster's encoding, base64url. */
  poster: string;
  venue: string;
  arrival: number;
  /** Null while the visit is open. */
  departure: number | null;
  /** When an open visit ends by itself. */
  autoDeparture: number;
  /** The citizen chose to share contact details for this visit. */
  share: boolean;
  /** Its contact records are sealed and queued (or could not be: see `sealProblem`). */
  sealed: boolean;
  sealProblem: string | null;
}

export interface ContactDetails {
  name: string;
  phone: string;
  email: string;
  partySize: number;
}

/** A sealed contact record waiting for an upload slot (spec section 14.5). */
export interface Queued {
  /** The authority's layer (the inner record, spec 14.2), base64url, sealed when the visit
   * ended; the venue's layer is added when it is sent, filed under the day it leaves. */
  inner?: string;
  /** The venue's X25519 key, base64url, and its bucket (spec 9), for the venue's layer. */
  venueKey?: string;
  bucket?: number;
  /** A whole record an earlier version sealed, filed under its hour's day: sent as it is. */
  record?: string;
  notBefore: number;
  /** The visit it belongs to, so that editing the visit replaces what has not left yet. */
  visit?: string;
}

export interface AlertRec {
  id: string;
  visit: string;
  venue: string;
  start: number;
  end: number;
  overlapSecs: number;
  severity: 1 | 2;
  message: string;
  issuer: string;
  issuerKey: string;
  approver: "venue" | "authority";
  withdrawn: boolean;
  /** The citizen marked it read (absent in alerts from before this field). */
  read?: boolean;
}

export interface Diary {
  version: 1;
  started: boolean;
  /** The trust file this phone pinned at its first run. */
  trust: string | null;
  visits: VisitRec[];
  alerts: AlertRec[];
  /** Closed hours whose batches this phone holds (spec section 12.3). */
  held: number[];
  /** Hours that failed, and how many syncs they have failed. */
  retries: Record<string, number>;
  /** Held hours whose second look (spec section 12.3) is still due, with its earliest time;
   * absent in diaries written before the rule. */
  rechecks?: Record<string, number>;
  /** The newest revocation list verified, base64url. */
  revocations: string | null;
  lastSync: number | null;
  contact: ContactDetails | null;
  /** "ask": the check-in screen offers to share; "never": it does not. */
  consent: "ask" | "never";
  outbox: Queued[];
  /** When the next upload slot is due; null: at the next run. */
  nextSlot: number | null;
  /** Notifications while checked in: absent until the citizen has been asked. */
  notify?: "on" | "off";
  /** The SHA256SUMS of the signed release this phone installed (section 16d), which the app
   * compares the server's files with at every start; absent until one verified. */
  release?: string;
}

export const emptyDiary = (): Diary => ({
  version: 1,
  started: false,
  trust: null,
  visits: [],
  alerts: [],
  held: [],
  retries: {},
  rechecks: {},
  revocations: null,
  lastSync: null,
  contact: null,
  consent: "ask",
  outbox: [],
  nextSlot: null,
});

/** The smallest padded plaintext, as the command-line client's (`client/src/store.rs`). */
export const MIN_BUCKET = 16 << 10;

/** The padded plaintext size for a JSON of `len` bytes (with its 4-byte length). */
export const bucket = (len: number): number => {
  let size = MIN_BUCKET;
  while (size < len + 4) size *= 2;
  return size;
};

/** `json` framed and padded to its bucket. */
export function pad(json: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bucket(json.length));
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  return out;
}

/** The JSON inside a padded plaintext; throws on a frame that does not fit. */
export function unpad(plain: Uint8Array): Uint8Array {
  if (plain.length < 4) throw new Error("the diary is truncated");
  const len = new DataView(plain.buffer, plain.byteOffset, plain.byteLength).getUint32(0);
  if (len > plain.length - 4) throw new Error("the diary is truncated");
  return plain.subarray(4, 4 + len);
}

/** What IndexedDB keeps: `v: 2` padded; without `v`, the unpadded JSON of earlier releases. */
export interface SealedDiary {
  v?: 2;
  iv: Uint8Array<ArrayBuffer>;
  ct: ArrayBuffer;
}

/** Seals `d` under `key`, padded. */
export async function sealDiary(d: Diary, key: CryptoKey): Promise<SealedDiary> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, pad(new TextEncoder().encode(JSON.stringify(d))));
  return { v: 2, iv, ct };
}

/** Opens a sealed diary of this release or an earlier one; throws when `key` does not. */
export async function openDiary(sealed: SealedDiary, key: CryptoKey): Promise<Diary> {
  const plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, key, sealed.ct));
  const json = sealed.v === 2 ? unpad(plain) : plain;
  return { ...emptyDiary(), ...(JSON.parse(new TextDecoder().decode(json)) as Diary) };
}

const DB = "checkin-diary";
const STORE = "kv";

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("storage error"));
  });
}

function open(): Promise<IDBDatabase> {
  const r = indexedDB.open(DB, 1);
  r.onupgradeneeded = () => r.result.createObjectStore(STORE);
  return request(r);
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("storage error"));
    tx.onabort = () => reject(tx.error ?? new Error("the write was aborted"));
  });
}

/** PBKDF2-SHA256 iterations of diaries sealed under a passphrase before Argon2id. */
export const PBKDF2_ITERATIONS = 600_000;

/** Argon2id's cost for a passphrase sealed now (RFC 9106, version 0x13): memory in KiB,
 * passes, lanes; OWASP's first choice for Argon2id. A diary records the parameters it was
 * sealed with and opens with those, so these can be raised without losing a diary. The cost of
 * one guess in a browser is in BENCHMARKS.md. */
export const ARGON2ID = { m: 19_456, t: 2, p: 1 } as const;

/** How a passphrase becomes the diary's key, kept beside the diary (not secret). */
export type Kdf =
  | { alg: "argon2id"; salt: Uint8Array<ArrayBuffer>; m: number; t: number; p: number }
  /** Diaries sealed before Argon2id: PBKDF2-SHA256, with no `alg`. */
  | { alg?: undefined; salt: Uint8Array<ArrayBuffer>; iterations: number };

/** A fresh salt and today's Argon2id parameters. */
const newKdf = (): Kdf => ({ alg: "argon2id", salt: crypto.getRandomValues(new Uint8Array(16)), ...ARGON2ID });

/** The AES-GCM key `passphrase` gives under `kdf`: non-extractable, as the browser-kept one. */
export async function deriveKey(passphrase: string, kdf: Kdf): Promise<CryptoKey> {
  if (kdf.alg === "argon2id") {
    // The async form yields to the page now and then, so that the screen stays responsive.
    const derived = await argon2idAsync(new TextEncoder().encode(passphrase), kdf.salt, { m: kdf.m, t: kdf.t, p: kdf.p, dkLen: 32 });
    const bytes = new Uint8Array(derived);
    derived.fill(0);
    try {
      return await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
    } finally {
      bytes.fill(0);
    }
  }
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: kdf.salt, iterations: kdf.iterations },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** A diary under a passphrase that has not been given yet. */
export class Locked {
  constructor(
    private readonly db: IDBDatabase,
    private readonly kdf: Kdf,
  ) {}

  /** The store, or null when `passphrase` does not open the diary. A diary sealed with
   * PBKDF2 is sealed again with Argon2id here, the only moment its passphrase is known; if that
   * cannot be saved, it stays as it was and opens as before. */
  async unlock(passphrase: string): Promise<Store | null> {
    const key = await deriveKey(passphrase, this.kdf);
    const store = new Store(this.db, key, true);
    let diary: Diary;
    try {
      diary = await store.load();
    } catch {
      return null;
    }
    if (this.kdf.alg !== "argon2id") {
      try {
        await store.setPassphrase(diary, passphrase);
      } catch {
        // Tried again at the next unlock.
      }
    }
    return store;
  }

  /** How this diary's passphrase is turned into its key. */
  get derivation(): Kdf {
    return this.kdf;
  }

  /** Erases the diary: the way out for a forgotten passphrase. */
  erase(): Promise<void> {
    return eraseAll(this.db);
  }
}

export class Store {
  constructor(
    private readonly db: IDBDatabase,
    private key: CryptoKey,
    /** Whether a passphrase seals the diary. */
    public passphrase: boolean,
  ) {}

  /** Opens the diary's database, making its key on first use; a diary under a passphrase
   * comes back locked. */
  static async open(): Promise<Store | Locked> {
    const db = await open();
    const tx = db.transaction(STORE, "readonly");
    const kdf = (await request(tx.objectStore(STORE).get("kdf"))) as Kdf | undefined;
    if (kdf) return new Locked(db, kdf);
    let key = (await request(db.transaction(STORE, "readonly").objectStore(STORE).get("key"))) as CryptoKey | undefined;
    if (!key) {
      key = await newKey();
      const w = db.transaction(STORE, "readwrite", { durability: "strict" });
      w.objectStore(STORE).put(key, "key");
      await done(w);
    }
    return new Store(db, key, false);
  }

  async load(): Promise<Diary> {
    const tx = this.db.transaction(STORE, "readonly");
    const sealed = (await request(tx.objectStore(STORE).get("diary"))) as SealedDiary | undefined;
    return sealed ? openDiary(sealed, this.key) : emptyDiary();
  }

  private sealed(d: Diary, key: CryptoKey): Promise<SealedDiary> {
    return sealDiary(d, key);
  }

  async save(d: Diary): Promise<void> {
    const sealed = await this.sealed(d, this.key);
    const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
    tx.objectStore(STORE).put(sealed, "diary");
    await done(tx);
  }

  /** Seals the diary under `passphrase` from now on (or, with null, under a browser-kept key
   * again): the diary and what opens it change in one transaction. */
  async setPassphrase(d: Diary, passphrase: string | null): Promise<void> {
    const kdf: Kdf | null = passphrase === null ? null : newKdf();
    const key = kdf && passphrase !== null ? await deriveKey(passphrase, kdf) : await newKey();
    const sealed = await this.sealed(d, key);
    const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
    const s = tx.objectStore(STORE);
    s.put(sealed, "diary");
    if (kdf) {
      s.put(kdf, "kdf");
      s.delete("key");
    } else {
      s.put(key, "key");
      s.delete("kdf");
    }
    await done(tx);
    this.key = key;
    this.passphrase = kdf !== null;
  }

  /** Deletes the diary and its key. */
  erase(): Promise<void> {
    return eraseAll(this.db);
  }
}

/** Deletes the diary and whatever opens it, in one durable transaction. */
async function eraseAll(db: IDBDatabase): Promise<void> {
  const tx = db.transaction(STORE, "readwrite", { durability: "strict" });
  tx.objectStore(STORE).clear();
  await done(tx);
}

const newKey = (): Promise<CryptoKey> =>
  crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
