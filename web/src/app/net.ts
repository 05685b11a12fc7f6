// Every request the page makes goes through here: no cookies or other credentials, no HTTP
// cache (so no validators such as an ETag that a server or a proxy made for this phone go
// back), no referrer, and a deadline, so that a network that accepts connections and never
// answers cannot hold the app.

/** How long a request may take before the app gives up on it and says so. */
export const DEADLINE_MS = 20_000;

/** The failure the citizen is told about: never the browser's own English ("Failed to fetch")
 * nor a raw status. */
export class NetError extends Error {
  constructor(
    /** "offline": no answer at all; "server": an answer that is not the one expected. */
    public readonly kind: "offline" | "timeout" | "server",
    public readonly status = 0,
  ) {
    super(kind === "server" ? `the server answered ${status}` : kind);
  }
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(path, {
      ...init,
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
  } catch (e) {
    throw new NetError((e as Error).name === "TimeoutError" ? "timeout" : "offline");
  }
}

/** A JSON POST; throws a `NetError` unless the answer is a 2xx (or exactly `status`). */
export async function postJson(path: string, body: unknown, status?: number): Promise<unknown> {
  const r = await request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const answer: unknown = await r.json().catch(() => null);
  if (status === undefined ? !r.ok : r.status !== status) throw new NetError("server", r.status);
  return answer;
}
