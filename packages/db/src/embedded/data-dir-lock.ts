import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

// The embedded database belongs to one process: two that write one data directory corrupt it.
// A lock file beside the directory names its holder; a second process fails at once, naming the
// directory and the holder, and a lock left by a process that died (kill -9) is taken over.

interface Holder {
  pid: number;
  host: string;
  /** Linux: the process's start time in clock ticks, so a reused pid is not mistaken for the holder. */
  started: string | null;
  command: string;
}

/** Another live process holds the data directory. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: { pid: number; host: string; command: string },
  ) {
    const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
    super(
      `The embedded database in ${dataDir} is in use by process ${holder.pid}${where} (${holder.command}): ` +
        'stop it first, or set DATABASE_URL to share a Postgres between processes',
    );
  }
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command, which may hold spaces). */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return process.title;
  }
}

function readHolder(path: string): Holder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    // Missing, or half-written by a process that died while writing it.
    return null;
  }
}

function isAlive(holder: Holder): boolean {
  // Another machine's process cannot be checked from here: assume it is alive.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTime(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

export interface DataDirLock {
  release(): void;
}

/** Takes the lock on `dataDir` for this process, or throws DataDirInUseError. */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = `${dataDir}.lock`;
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    started: startTime(process.pid),
    command: commandOf(process.pid),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return {
        release() {
          if (readHolder(path)?.pid === me.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (holder && isAlive(holder)) throw new DataDirInUseError(dataDir, holder);
    // Left by a process that is gone: take it over.
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const holder = readHolder(path);
  throw new DataDirInUseError(dataDir, holder ?? { pid: 0, host: hostname(), command: 'unknown' });
}
