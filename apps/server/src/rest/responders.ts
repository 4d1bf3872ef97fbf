import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RestResource } from './resource.js';

/** How a route turns its procedure's output into the HTTP answer, and how the document describes it. */
export interface Responder<Output> {
  status: 200 | 201 | 204;
  /** The success body: one resource, or an array of them; none for 204. */
  body?: { resource: RestResource<never, unknown>; array: boolean };
  /** Response headers the document lists for the success status. */
  headers?: ('Location' | 'Link')[];
  /**
   * A property, not a method, so that TypeScript checks it strictly: together with `output` this
   * makes a responder fit exactly one output type, and a route whose procedure returns more than
   * its resource declares (fields the mapper would pass on undocumented) does not compile.
   */
  send: (
    reply: FastifyReply,
    output: Output,
    userId: string,
    /** Calls the procedure again with more input (the next page's cursor), for an answer streamed page by page. */
    more?: (extra: Record<string, unknown>) => Promise<unknown>,
  ) => FastifyReply;
  /** Type-level only. */
  readonly output?: Output;
}

const erase = <Output, Body>(resource: RestResource<Output, Body>) => resource as RestResource<never, unknown>;

/** 200 (or `status`) with the resource. */
export function one<Output, Body>(resource: RestResource<Output, Body>, status: 200 | 201 = 200): Responder<Output> {
  return {
    status,
    body: { resource: erase(resource), array: false },
    send: (reply, output, userId) => reply.code(status).send(resource.toRest(output, userId)),
  };
}

/**
 * 201 with the resource and its URL in Location: the request's path plus the new id. `action` is a
 * last path segment naming a way to create in the collection (`/quick` of `…/tasks/quick`), which
 * the new resource's URL leaves out.
 */
export function created<Output extends { id: string }, Body>(
  resource: RestResource<Output, Body>,
  action = '',
): Responder<Output> {
  const collectionOf = (path: string) => (action && path.endsWith(action) ? path.slice(0, -action.length) : path);
  return {
    status: 201,
    body: { resource: erase(resource), array: false },
    headers: ['Location'],
    send: (reply, output, userId) =>
      reply
        .code(201)
        .header('location', `${collectionOf(pathOf(reply.request))}/${output.id}`)
        .send(resource.toRest(output, userId)),
  };
}

/** 200 with a JSON array. */
export function many<Item, Body>(resource: RestResource<Item, Body>): Responder<Item[]> {
  return {
    status: 200,
    body: { resource: erase(resource), array: true },
    send: (reply, output, userId) => reply.code(200).send(output.map((item) => resource.toRest(item, userId))),
  };
}

interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** 200 with one page as a JSON array; the next page's URL is in `Link: <…>; rel="next"` (RFC 8288). */
export function paged<Item, Body>(resource: RestResource<Item, Body>): Responder<Page<Item>> {
  return {
    status: 200,
    body: { resource: erase(resource), array: true },
    headers: ['Link'],
    send: (reply, output, userId) => {
      if (output.nextCursor) reply.header('link', `<${nextPageUrl(reply.request, output.nextCursor)}>; rel="next"`);
      return reply.code(200).send(output.items.map((item) => resource.toRest(item, userId)));
    },
  };
}

/** 204 without a body. */
export function noContent(): Responder<unknown> {
  return { status: 204, send: (reply) => reply.code(204).send() };
}

const pathOf = (req: FastifyRequest) => req.url.split('?')[0] ?? req.url;

/**
 * The same request with `cursor` replaced, as an absolute URL (as GitHub's API gives it), so a
 * client can follow it as it is: every filter, sort and limit carries over. Scheme and host are
 * the ones the client used (X-Forwarded-Proto/-Host count only behind TRUST_PROXY); without a
 * usable host, the link is the path alone.
 */
function nextPageUrl(req: FastifyRequest, cursor: string): string {
  const query = new URLSearchParams(req.url.slice(pathOf(req).length + 1));
  query.set('cursor', cursor);
  // The one origin rule: without a trustworthy origin, the link is the path alone.
  const origin = req.server.originOf(req) ?? '';
  return `${origin}${pathOf(req)}?${query}`;
}
