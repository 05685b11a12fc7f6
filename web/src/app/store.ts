// The diary on the phone: one record in IndexedDB, sealed with AES-GCM under a key that
// WebCrypto generated as non-extractable, so the browser keeps it and no script (this one
// included) can read its bytes. Every save is one transaction with strict durability: the
// promise resolves only once the browser reports the data written.

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
  record: string;
  notBefore: number;
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
  /** The newest revocation list verified, base64url. */
  revocations: string | null;
  lastSync: number | null;
  contact: ContactDetails | null;
  /** "ask": the check-in screen offers to share; "never": it does not. */
  consent: "ask" | "never";
  outbox: Queued[];
  /** When the next upload slot is due; null: at the next run. */
  nextSlot: number | null;
}

export const emptyDiary = (): Diary => ({
  version: 1,
  started: false,
  trust: null,
  visits: [],
  alerts: [],
  held: [],
  retries: {},
  revocations: null,
  lastSync: null,
  contact: null,
  consent: "ask",
  outbox: [],
  nextSlot: null,
});

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

export class Store {
  private constructor(
    private readonly db: IDBDatabase,
    private readonly key: CryptoKey,
  ) {}

  /** Opens the diary's database, making its key on first use. */
  static async open(): Promise<Store> {
    const db = await open();
    const tx = db.transaction(STORE, "readonly");
    let key = (await request(tx.objectStore(STORE).get("key"))) as CryptoKey | undefined;
    if (!key) {
      key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
      const w = db.transaction(STORE, "readwrite", { durability: "strict" });
      w.objectStore(STORE).put(key, "key");
      await done(w);
    }
    return new Store(db, key);
  }

  async load(): Promise<Diary> {
    const tx = this.db.transaction(STORE, "readonly");
    const sealed = (await request(tx.objectStore(STORE).get("diary"))) as
      | { iv: Uint8Array<ArrayBuffer>; ct: ArrayBuffer }
      | undefined;
    if (!sealed) return emptyDiary();
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, this.key, sealed.ct);
    return { ...emptyDiary(), ...(JSON.parse(new TextDecoder().decode(plain)) as Diary) };
  }

  async save(d: Diary): Promise<void> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv },
      this.key,
      new TextEncoder().encode(JSON.stringify(d)),
    );
    const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
    tx.objectStore(STORE).put({ iv, ct }, "diary");
    await done(tx);
  }

  /** Deletes the diary and its key. */
  async erase(): Promise<void> {
    const tx = this.db.transaction(STORE, "readwrite", { durability: "strict" });
    tx.objectStore(STORE).clear();
    await done(tx);
  }
}
