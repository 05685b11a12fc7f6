// Run in the app's page by story.mjs: reads how the diary's passphrase is derived, and turns a
// diary under a passphrase back into what an earlier release kept (sealed with PBKDF2-SHA256,
// its salt and iterations beside it), so that the story can open it as a citizen who updated.

import { deriveKey, openDiary, PBKDF2_ITERATIONS, sealDiary, type Kdf, type SealedDiary } from "../../src/app/store.js";

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
}

globalThis.storedKdf = async () => {
  const kdf = await get<Kdf | undefined>(await db(), "kdf");
  return kdf ? { ...kdf, salt: kdf.salt.length } : null;
};

globalThis.sealAsEarlierRelease = async (passphrase) => {
  const d = await db();
  const kdf = await get<Kdf>(d, "kdf");
  const diary = await openDiary(await get<SealedDiary>(d, "diary"), await deriveKey(passphrase, kdf));
  const old: Kdf = { salt: crypto.getRandomValues(new Uint8Array(16)), iterations: PBKDF2_ITERATIONS };
  const sealed = await sealDiary(diary, await deriveKey(passphrase, old));
  await new Promise<void>((resolve, reject) => {
    const tx = d.transaction("kv", "readwrite", { durability: "strict" });
    tx.objectStore("kv").put(sealed, "diary");
    tx.objectStore("kv").put(old, "kdf");
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
};
