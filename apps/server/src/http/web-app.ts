import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { securityHeaders } from './security-headers.js';

// The reference web app (apps/web), built to static files and served at /. The server reads the
// directory; it imports nothing of the app. Same origin as the API, so no CORS.

/**
 * The app's policy: its own scripts and styles only (Vite writes no inline script), calls to this
 * origin (the API and its event streams), nothing framed.
 */
const WEB_APP_HEADERS = securityHeaders({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      manifestSrc: ["'self'"],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
});

/**
 * Serves `dir` at / when it holds a built app (index.html); without one, a newcomer who opens the
 * address lands on the API docs.
 */
export async function webApp(app: FastifyInstance, { dir }: { dir: string }): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', async (_req, reply) => reply.redirect('/docs'));
    return;
  }
  // Registered as its own plugin, so this policy covers the app's files only.
  app.addHook('onRequest', async (_req, reply) => {
    reply.headers(WEB_APP_HEADERS);
  });
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // Hashed file names change with their content: cached for a year. index.html is always
    // asked again, so a deploy reaches every browser at its next load.
    setHeaders: (res, path) => {
      res.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // OAuth's consent screen is a page of the app (its policy: frame-ancestors 'none', never framed).
  app.get('/oauth/consent', async (_req, reply) => reply.header('cache-control', 'no-store').sendFile('index.html'));
}
