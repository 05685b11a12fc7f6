// Run in the app's page by story.mjs and release.mjs: turns the diary back into what an earlier
// release kept, or into what code that was not the authority's could have written,
// so that the story can open it as a citizen who updated: a trust file pinned before trust
// files were signed, and a passphrase sealed with PBKDF2-SHA256 (its salt and iterations
// beside it). Also reads how the diary's passphrase is derived.

import { deriveKey, openDiary, PBKDF2_ITERATIONS, sealDiary, type Kdf, type SealedDiary } from "../../src/app/store.js";

function put(d: IDBDatabase, entries: [string, unknown][]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const tx = d.transaction("kv", "readwrite", { durability: "strict" });
    for (const [k, v] of entries) tx.objectStore("kv").put(v, k);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

function db(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open("checkin-diary", 1);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function get<T>(d: IDBDatabase, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const r = d.transaction("kv", "readonly").objectStore("kv").get(key);
    r.onsuccess = () => resolve(r.result as T);
    r.onerror = () => reject(r.error);
  });
}

declare global {
  // eslint-disable-next-line no-var
  var storedKdf: () => Promise<Record<string, unknown> | null>;
  // eslint-disable-next-line no-var
  var sealAsEarlierRelease: (passphrase: string) => Promise<void>;
  // eslint-disable-next-line no-var
  var pinUnsignedTrust: () => Promise<void>;
  // eslint-disable-next-line no-var
  var pinTrust: (text: string) => Promise<void>;
  // eslint-disable-next-line no-var
  var pinnedTrust: () => Promise<string | null>;
}

/** The diary under the browser-kept key gets `text` as its pinned trust file, as code that
 * was not the authority's could write it (release.mjs). */
globalThis.pinTrust = async (text) => {
  const d = await db();
  const key = await get<CryptoKey>(d, "key");
  const diary = await openDiary(await get<SealedDiary>(d, "diary"), key);
  diary.trust = text;
  await put(d, [["diary", await sealDiary(diary, key)]]);
};

globalThis.pinnedTrust = async () => {
  const d = await db();
  const diary = await openDiary(await get<SealedDiary>(d, "diary"), await get<CryptoKey>(d, "key"));
  return diary.trust;
};

/** The diary under the browser-kept key gets the pinned trust file as it was before files
 * were signed: no serial line, no signature line. */
globalThis.pinUnsignedTrust = async () => {
  const d = await db();
  const key = await get<CryptoKey>(d, "key");
  const diary = await openDiary(await get<SealedDiary>(d, "diary"), key);
  if (!diary.trust) throw new Error("no trust file is pinned");
  diary.trust = diary.trust
    .split("\n")
    .filter((l) => !l.startsWith("serial:") && !l.startsWith("signature:"))
    .join("\n");
  await put(d, [["diary", await sealDiary(diary, key)]]);
};

globalThis.storedKdf = async () => {
  const kdf = await get<Kdf | undefined>(await db(), "kdf");
  return kdf ? { ...kdf, salt: kdf.salt.length } : null;
};

globalThis.sealAsEarlierRelease = async (passphrase) => {
  const d = await db();
  const kdf = await get<Kdf>(d, "kdf");
  const diary = await openDiary(await get<SealedDiary>(d, "diary"), await deriveKey(passphrase, kdf));
  const old: Kdf = { salt: crypto.getRandomValues(new Uint8Array(16)), iterations: PBKDF2_ITERATIONS };
  await put(d, [
    ["diary", await sealDiary(diary, await deriveKey(passphrase, old))],
    ["kdf", old],
  ]);
};
