import type { FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';

/** Deeper documents are refused: no input of ours nests past a handful of levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of objects and arrays in a JSON text, without parsing it (brackets inside
 * strings do not count). A parser, and any code that walks the result recursively, would
 * otherwise run out of stack on a document nested 10 000 deep.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

/** A client error for Fastify's error handlers, with the code they map to "Malformed JSON body". */
export const malformedJson = (message: string) =>
  Object.assign(new Error(message), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });

/**
 * Parses a JSON body for every route: refuses `__proto__` and `constructor.prototype` keys, and
 * documents nested deeper than MAX_JSON_DEPTH, with 400. `emptyIs` says what an empty body means.
 */
export function jsonBodyParser(emptyIs: 'no input' | 'an error') {
  return (_req: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => {
    if (body === '') {
      return emptyIs === 'no input'
        ? done(null, undefined)
        : done(Object.assign(new Error('Empty JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY' }));
    }
    if (jsonDepth(body) > MAX_JSON_DEPTH)
      return done(malformedJson(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
    try {
      done(null, secureJson.parse(body, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      done(malformedJson((error as Error).message));
    }
  };
}
