import type { ApiDeps } from '@taskwire/api';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { registerBearerChallenge } from './bearer-challenge.js';
import { jsonBodyParser } from './json-body.js';
import { type OriginOf, originRule } from './origin.js';
import { type RequestContextFactory, requestContextFactory } from './request-context.js';

// What every door shares, registered once: the request context (token verified, caller recorded
// for the log), the origin rule, the bearer challenge on every 401 and one JSON body parser.

declare module 'fastify' {
  interface FastifyInstance {
    /** Builds a request's API context; every door calls procedures with it. */
    contextFor: RequestContextFactory;
    /** Where this server says it lives (PUBLIC_ORIGIN, or a plain Host), or null. */
    originOf: OriginOf;
  }
}

export interface KernelOptions {
  api: ApiDeps;
  /** The server's public origin (scheme://host[:port]); unset: the request's plain Host. */
  publicOrigin?: string | undefined;
}

export const doorsKernel = fp(
  async (app: FastifyInstance, { api, publicOrigin }: KernelOptions) => {
    app.decorate('contextFor', requestContextFactory(api));
    app.decorate('originOf', originRule(publicOrigin));
    // One JSON parser for every route: prototype keys and deep nesting are refused.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser('an error'));
    registerBearerChallenge(app, app.originOf);
  },
  { name: 'doors-kernel' },
);
