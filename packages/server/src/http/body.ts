/**
 * Request bodies: JSON only, at most BODY_LIMIT_BYTES (the server-wide bodyLimit),
 * an empty body meaning `{}` whatever its Content-Type.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

/** Parsed value of an empty body; the operation sees `{}`. */
export const EMPTY_BODY = undefined;

export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, EMPTY_BODY);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(
        new ApiError('VALIDATION_ERROR', { message: 'Malformed JSON body', details: { '(body)': 'malformed JSON' } }),
        undefined,
      );
    }
  });
  // Any other (or no) Content-Type: only an empty body is acceptable.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if (body.length === 0) done(null, EMPTY_BODY);
    else done(new ApiError('UNSUPPORTED_MEDIA_TYPE'), undefined);
  });
}
