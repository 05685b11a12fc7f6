// Handing the case diary to the server by code (spec 16b, POST /v1/cases). A 503 or a lost
// answer does not mean the server holds nothing, so an unsettled hand-over is sent again with
// the identical body: the server then holds the file once and answers the same code. A case
// file is sealed afresh (new randomness) each time, so the body is kept, not rebuilt, for as
// long as the diary it was sealed from is unchanged, together with the code drawn for it (spec
// 16.1): the body holds the code's id and the file's tag, never the code.

/** A body sent (or about to be) for the diary named by `key`, not yet settled. */
export interface Handover {
  key: string;
  body: string;
  /** The code (canonical form) whose id and tag the body carries: shown once the server holds it. */
  code: string;
}

/** Names a diary's visits as a case file records them: a hand-over kept for another key is
 * stale. An open visit is named by its arrival only, so the passing minutes do not reseal. */
export function caseKey(visits: readonly { id: string; arrival: number; departure: number | null }[]): string {
  return JSON.stringify(visits.map((v) => [v.id, v.arrival, v.departure]));
}

/** The body to send for the diary `key`: the one kept from an unsettled attempt on the same
 * diary, or a fresh one from `seal`. */
export async function caseBody(
  kept: Handover | undefined,
  key: string,
  seal: () => Promise<{ body: string; code: string }>,
): Promise<Handover> {
  if (kept && kept.key === key) return kept;
  return { key, ...(await seal()) };
}

/** Whether an answer settles a hand-over: a 2xx, or a refusal (4xx) other than 429 that the
 * same bytes would meet again. A 503, a 429 or no answer leaves it to be sent again as is. */
export function settled(status: number): boolean {
  return (status >= 200 && status < 300) || (status >= 400 && status < 500 && status !== 429);
}
