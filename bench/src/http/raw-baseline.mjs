// The hand-written baselines for `pnpm bench`: the least a server can do for task.list — Fastify,
// one pg pool, the same token checks — running the identical SQL and answering the identical JSON.
// Plain JavaScript on purpose: nothing between the socket and the query but what must be there.
//  - BASELINE=raw (row B): an unnamed query and jose's async (WebCrypto) verify, as most servers do;
//  - BASELINE=ceiling (row C): a named prepared statement and a synchronous HMAC, the two things
//    Taskwire does too, so it is what Taskwire could reach with nothing else in the way.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';

const {
  DATABASE_URL,
  JWT_SECRET,
  JWT_ISSUER = 'taskwire',
  JWT_AUDIENCE = 'taskwire-api',
  PORT = '3100',
  BASELINE = 'raw',
} = process.env;
if (BASELINE !== 'raw' && BASELINE !== 'ceiling') throw new Error(`BASELINE is raw or ceiling, not ${BASELINE}`);
const key = new TextEncoder().encode(JWT_SECRET);
const keyObject = createSecretKey(Buffer.from(JWT_SECRET ?? ''));
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
pool.on('error', () => {});

// What the API's Kysely query for task.list with no input does: the caller's projects, each one's
// page through its own index, merged.
const LIST_SQL = `select "page".* from (select "project_members"."project_id" from "project_members" where "project_members"."user_id" = $1) as "member"
  inner join lateral (select "tasks"."id", "tasks"."project_id", "tasks"."assignee_id", "tasks"."created_by", "tasks"."title", "tasks"."description", "tasks"."completed", "tasks"."completed_at", "tasks"."priority", "tasks"."due_at", "tasks"."remind_at", "tasks"."recurrence", "tasks"."deleted_at", "tasks"."created_at", "tasks"."updated_at", "tasks"."version", case when cardinality(tasks.tag_ids) = 0 then '{}'::text[] else array(
    select tg.name from tags tg where tg.project_id = tasks.project_id and tg.id = any(tasks.tag_ids)
    order by lower(tg.name), tg.name) end as "tags", tasks.created_at as "sort_key"
    from "tasks" where tasks.project_id = "member"."project_id" and "tasks"."deleted_at" is null
    order by tasks.created_at desc, "tasks"."id" desc limit $2) as "page" on true
  order by page.sort_key desc, "page"."id" desc limit $2`;

const PRIORITIES = ['none', 'low', 'medium', 'high'];
const iso = (d) => (d ? d.toISOString() : null);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The checks jwtVerify makes above, with one synchronous HMAC; throws as jose does. */
function verifySync(token) {
  const [header = '', payload = '', signature = '', extra] = token.split('.');
  if (extra !== undefined) throw new Error('bad token');
  if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'HS256') throw new Error('bad token');
  const given = Buffer.from(signature, 'base64url');
  const expected = createHmac('sha256', keyObject).update(`${header}.${payload}`).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad token');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== JWT_ISSUER || !audience.includes(JWT_AUDIENCE)) throw new Error('bad token');
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp <= now) {
    throw new Error('bad token');
  }
  return { payload: claims };
}
const verify =
  BASELINE === 'ceiling'
    ? async (token) => verifySync(token)
    : (token) =>
        jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
          requiredClaims: ['exp', 'iat', 'sub', 'typ'],
        });
const listQuery =
  BASELINE === 'ceiling'
    ? (values) => pool.query({ name: 'task-list', text: LIST_SQL, values })
    : (values) => pool.query(LIST_SQL, values);

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/tasks', async (req, reply) => {
  const match = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
  let userId;
  try {
    const { payload } = await verify(match?.[1] ?? '');
    if (payload.typ !== 'access' || !UUID.test(payload.sub)) throw new Error('bad token');
    userId = payload.sub;
  } catch {
    return reply.code(401).send({ error: { message: 'Sign in required' } });
  }
  const { rows } = await listQuery([userId, 21]);
  const page = rows.slice(0, 20);
  const last = page.at(-1);
  return {
    result: {
      data: {
        items: page.map((r) => ({
          id: r.id,
          projectId: r.project_id,
          assigneeId: r.assignee_id,
          createdBy: r.created_by,
          title: r.title,
          description: r.description,
          completed: r.completed,
          completedAt: iso(r.completed_at),
          priority: PRIORITIES[r.priority] ?? 'none',
          tags: r.tags,
          dueAt: iso(r.due_at),
          remindAt: iso(r.remind_at),
          recurrence: r.recurrence,
          deletedAt: iso(r.deleted_at),
          createdAt: r.created_at.toISOString(),
          updatedAt: r.updated_at.toISOString(),
          version: r.version,
        })),
        nextCursor:
          rows.length > 20 && last
            ? Buffer.from(JSON.stringify(['createdAt', 'desc', last.created_at.toISOString(), last.id])).toString(
                'base64url',
              )
            : null,
      },
    },
  };
});

await app.listen({ port: Number(PORT), host: '127.0.0.1' });
console.log(`${BASELINE} baseline listening on ${PORT}`);
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
