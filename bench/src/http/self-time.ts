// Reads a V8 CPU profile (`node --cpu-prof`): the functions that held the CPU themselves, as shares
// of the samples in which the thread was busy (idle samples left out).

export interface CpuProfile {
  nodes: {
    id: number;
    hitCount?: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
}

export interface SelfTime {
  name: string;
  /** The file (its path from node_modules or the repository) and line, or V8's own label. */
  where: string;
  share: number;
}

const IDLE = '(idle)';

/** Shortens a file URL to what identifies it: the package and file, or the repository path. */
function shortWhere(url: string, line: number): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  const short =
    inModules >= 0 ? path.slice(inModules + '/node_modules/'.length) : path.replace(/^.*?\/(apps|packages)\//, '$1/');
  return `${short.replace(/^\.pnpm\/[^/]+\/node_modules\//, '')}:${line + 1}`;
}

/** The `count` functions with the most self time, merged across call sites. */
export function topBySelfTime(profile: CpuProfile, count: number): SelfTime[] {
  const totals = new Map<string, SelfTime & { hits: number }>();
  let busy = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (hits === 0 || functionName === IDLE) continue;
    busy += hits;
    const name = functionName || '(anonymous)';
    const where = shortWhere(url, lineNumber);
    const key = `${name} ${where}`;
    const entry = totals.get(key) ?? { name, where, share: 0, hits: 0 };
    entry.hits += hits;
    totals.set(key, entry);
  }
  return [...totals.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, count)
    .map(({ name, where, hits }) => ({ name, where, share: busy === 0 ? 0 : hits / busy }));
}
