import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev`: Vite with hot reload on :5173, the API proxied to the server on :3000, so the
// browser sees one origin, as it does when the server serves the built app.
const api = process.env.TASKWIRE_API ?? 'http://127.0.0.1:3000';
const proxied = ['/trpc', '/api', '/docs', '/openapi.json', '/mcp', '/healthz', '/readyz'];

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: api, changeOrigin: false }])),
  },
  build: { outDir: 'dist', sourcemap: false, target: 'es2022' },
});
