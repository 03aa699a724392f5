/** What a detail page's load function hands its page: the data, or why there is none. */
export type Loaded<T> = { state: 'signed-out' } | { state: 'missing' } | { state: 'failed'; failure: unknown } | ({ state: 'ok' } & T);

export const isMissing = (e: unknown) => (e as { status?: number })?.status === 404;
