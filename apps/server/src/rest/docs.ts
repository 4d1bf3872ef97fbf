import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { securityHeaders } from '../http/security-headers.js';
import { buildOpenApiDocument } from './openapi.js';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// The only files served from the package: a fixed list, so no request names a path on disk.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// No inline script: the page's own script is a file too, so the policy needs no 'unsafe-inline' for scripts.
const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  displayRequestDuration: true,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Taskwire REST API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-initializer.js"></script>
  </body>
</html>
`;

/**
 * The API denies pages everything (http-security.ts); Swagger UI needs its own scripts and styles
 * (it sets inline styles), images it ships as data: URLs, and calls to this origin.
 */
const DOCS_HEADERS = securityHeaders({
  contentSecurityPolicy: {
    // Exactly these: helmet's defaults would add upgrade-insecure-requests, which breaks the page on plain-HTTP development servers.
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
});
const docs = { config: { securityHeaders: DOCS_HEADERS } };

/** `/openapi.json` and Swagger UI at `/docs`, served from the swagger-ui-dist package (no CDN). */
export function registerDocs(app: FastifyInstance): void {
  let document: string | undefined;
  app.get('/openapi.json', async (_req, reply) => {
    document ??= JSON.stringify(buildOpenApiDocument());
    return reply.type('application/json; charset=utf-8').send(document);
  });

  app.get('/docs', docs, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/swagger-initializer.js', docs, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').send(INITIALIZER),
  );

  const cache = new Map<string, Buffer>();
  for (const [file, type] of Object.entries(ASSETS)) {
    app.get(`/docs/${file}`, docs, async (_req, reply) => {
      let content = cache.get(file);
      if (!content) {
        content = await readFile(join(swaggerUiDir, file));
        cache.set(file, content);
      }
      return reply.type(type).header('cache-control', 'public, max-age=3600').send(content);
    });
  }
}
