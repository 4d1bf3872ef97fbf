import { createServer } from 'node:net';
import { StartupError } from './startup-error.js';

/**
 * Fails at once when PORT is taken, before the database is opened (which takes seconds), instead
 * of after with a stack. The port is released again before the server binds it.
 */
export async function ensurePortIsFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      reject(new StartupError(`PORT ${port} is in use on ${host}: stop what holds it, or set PORT=… to a free port`));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
