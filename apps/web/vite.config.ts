import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev`: Vite with hot reload on WEB_PORT (5173), the API proxied to the server that
// `npm run dev` started (TASKWIRE_API, which it sets from PORT), so the browser sees one origin, as
// it does when the server serves the built app.
const api = process.env.TASKWIRE_API ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const port = Number(process.env.WEB_PORT ?? 5173);
const proxied = ['/trpc', '/api', '/docs', '/openapi.json', '/mcp', '/healthz', '/readyz'];

export default defineConfig(({ command }) => {
  // `vite build` makes the production bundle whatever NODE_ENV the shell has (a .env copied from
  // .env.example says development): Vite would otherwise bundle React's development build, and
  // turbo's cache would hand that dist to every later start and test. Vite reads it after this.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    plugins: [react()],
    server: {
      host: '127.0.0.1',
      port,
      strictPort: true,
      proxy: Object.fromEntries(proxied.map((path) => [path, { target: api, changeOrigin: false }])),
    },
    build: { outDir: 'dist', sourcemap: false, target: 'es2022' },
  };
});
