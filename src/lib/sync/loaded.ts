/** What a detail page's load function hands its page: the data, or why there is none. */
export type Loaded<T> = { state: 'signed-out' } | { state: 'missing' } | { state: 'failed'; failure: unknown } | ({ state: 'ok' } & T);

export const isMissing = (e: unknown) => (e as { status?: number })?.status === 404;

/** Reads a page's data when someone is signed in, and turns a failure into the state the page shows. */
export async function loadFor<T extends object>(signedIn: boolean, read: () => Promise<T>): Promise<Loaded<T>> {
  if (!signedIn) return { state: 'signed-out' };
  try {
    return { state: 'ok', ...(await read()) };
  } catch (e) {
    return isMissing(e) ? { state: 'missing' } : { state: 'failed', failure: e };
  }
}
