import pg from 'pg';

export interface CapturedQuery {
  sql: string;
  parameters: readonly unknown[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, visit: (node: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

export interface PlanSummary {
  top: string;
  indexes: string[];
  seqScanOnTasks: boolean;
}

/** EXPLAINs each captured query: the top node, the indexes used, any seq scan on tasks. */
export async function explain(url: string, queries: CapturedQuery[]): Promise<PlanSummary> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const summary: PlanSummary = { top: '', indexes: [], seqScanOnTasks: false };
    for (const query of queries) {
      const result = await client.query(`explain (format json) ${query.sql}`, [...query.parameters]);
      const plan = (result.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]?.Plan;
      if (!plan) continue;
      summary.top = summary.top ? `${summary.top}; ${plan['Node Type']}` : plan['Node Type'];
      walk(plan, (node) => {
        if (node['Index Name'] && !summary.indexes.includes(node['Index Name']))
          summary.indexes.push(node['Index Name']);
        if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'tasks') summary.seqScanOnTasks = true;
      });
    }
    return summary;
  } finally {
    await client.end();
  }
}
