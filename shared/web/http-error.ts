// One error type for every answer that is not a success; the error handler turns it into
// JSON {error, message, requestId}.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string, id: string | number): HttpError => new HttpError(404, 'not_found', `${what} ${id} not found`);

