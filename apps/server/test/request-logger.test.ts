import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyChildLoggerFactory } from '../src/ops/logger.js';

// A request's logger is pino's child made on first use: every line it writes must be the line
// pino's own child writes, and a request that writes nothing at the level must not make one.

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      const { time: _time, ...line } = JSON.parse(String(chunk)) as Record<string, unknown>;
      lines.push(line);
      done();
    },
  });
  // Redaction as the process logger has it, writing to the capture.
  const logger = pino({ level, redact: { paths: ['*.token', '*.password'], censor: '[redacted]' } }, stream);
  return { lines, logger };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('request logger', () => {
  it('writes exactly the lines pino’s own child writes, bindings and redaction included', async () => {
    const lazy = capture('info');
    const eager = capture('info');
    const bindings = { requestId: 'req-1' };
    const mine = lazyChildLoggerFactory(lazy.logger, bindings, {});
    const pinos = eager.logger.child(bindings, {});
    for (const logger of [mine, pinos]) {
      logger.info({ status: 200, body: { token: 'secret' } }, 'request completed');
      logger.warn({ err: new Error('boom') }, 'slow');
      logger.error('plain message %s', 'formatted');
      logger.debug({ hidden: true }, 'below the level');
      logger.child({ part: 'db' }).info({ user: { password: 'p' } }, 'nested');
    }
    await flush();
    expect(lazy.lines).toEqual(eager.lines);
    expect(lazy.lines).toHaveLength(4);
    expect(JSON.stringify(lazy.lines)).not.toMatch(/secret|"p"/);
    expect(lazy.lines[0]).toMatchObject({ requestId: 'req-1', status: 200, msg: 'request completed' });
  });

  it('makes no child for a request that writes nothing at the level', () => {
    const { logger } = capture('warn');
    let children = 0;
    const counting = Object.create(logger, {
      child: {
        value: (...args: Parameters<typeof logger.child>) => {
          children++;
          return logger.child(...args);
        },
      },
    });
    const mine = lazyChildLoggerFactory(counting, { requestId: 'r' }, {});
    mine.info({ a: 1 }, 'dropped');
    mine.debug('dropped');
    expect(children).toBe(0);
    expect(mine.level).toBe('warn');
    expect((mine as unknown as { isLevelEnabled: (level: string) => boolean }).isLevelEnabled('info')).toBe(false);
    mine.warn('kept');
    expect(children).toBe(1);
  });

  it('honours a route’s own level, as pino’s child does', async () => {
    const lazy = capture('warn');
    const mine = lazyChildLoggerFactory(lazy.logger, { requestId: 'r' }, { level: 'debug' });
    expect(mine.level).toBe('debug');
    mine.debug({ step: 1 }, 'route debug');
    await flush();
    expect(lazy.lines).toEqual([expect.objectContaining({ requestId: 'r', step: 1, msg: 'route debug', level: 20 })]);
  });
});
