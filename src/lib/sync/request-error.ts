// A request to a node that failed: its HTTP status and CouchDB error name
// (e.g. 409 conflict). The pages turn it into words (src/lib/i18n/errors.ts);
// the node's English reason stays here, for the console, not the screen.
export class RequestError extends Error {
  constructor(readonly status: number, readonly error: string = '', readonly reason: string = '') {
    super(`${status} ${error}${reason ? `: ${reason}` : ''}`);
  }
}
