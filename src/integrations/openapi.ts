// The OpenAPI 3.1 document of the back-office API and the webhooks, served at /api/openapi.json.
// Written from the routes' own table (backoffice.ts) and the zod schemas that validate them
// (payloads.ts), through zod's own JSON Schema output: the document cannot drift from the code.
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Handoff } from '../handoff/handoff.ts';
import type { Database } from '../storage/database.ts';
import { BACKOFFICE_BASE, backofficeRoutes } from './backoffice.ts';
import { AssignBody, BackofficeTicket, ErrorAnswer, ReplyBody, StatusChangeBody, WebhookEvent } from './payloads.ts';
import { DELIVERY_HEADER, EVENT_HEADER, REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook.ts';

export const OPENAPI_PATH = '/api/openapi.json';

const SCHEMAS = { StatusChange: StatusChangeBody, Assign: AssignBody, Reply: ReplyBody, Ticket: BackofficeTicket, Error: ErrorAnswer, WebhookEvent };

/** A schema as OpenAPI 3.1 holds it (JSON Schema 2020-12 without its `$schema` line). */
function jsonSchema(name: string, schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  // A schema with an id (`.meta({ id })`) comes as a reference to its own definition: the definition is what goes under components.
  const own = ($defs as Record<string, Record<string, unknown>> | undefined)?.[name];
  if (!own) return rest;
  const { id: __, ...definition } = own;
  return definition;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });

function nameOf(schema: z.ZodType): string {
  const found = Object.entries(SCHEMAS).find(([, candidate]) => candidate === schema);
  if (!found) throw new Error('a route uses a schema that openapi.ts does not list');
  return found[0];
}

export function openApiDocument(routes: ReturnType<typeof backofficeRoutes>, serverUrl = ''): Record<string, unknown> {
  const errors = {
    '400': { description: 'The body is not valid', ...json('Error') },
    '401': { description: 'No valid API key', ...json('Error') },
    '403': { description: 'The key belongs to no department', ...json('Error') },
    '404': { description: "No such ticket in the key's department", ...json('Error') },
    '409': { description: 'The change is not possible now (e.g. rejecting without a note, a citizen no channel reaches)', ...json('Error') },
    '429': { description: 'Too many calls with this key; see Retry-After', ...json('Error') },
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const body = route.body;
    const operation = {
      operationId: route.operationId,
      summary: route.summary,
      security: [{ apiKey: [] }],
      parameters: [{ name: 'number', in: 'path', required: true, schema: { type: 'string' }, example: 'YSL-2026-000123' }],
      ...(body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref(nameOf(body)), examples: Object.fromEntries(((z.globalRegistry.get(body)?.examples as unknown[]) ?? []).map((value, index) => [`example${index + 1}`, { value }])) } },
        },
      }),
      responses: { '200': { description: 'The ticket after the call', ...json('Ticket') }, ...errors },
    };
    paths[route.path] = { ...paths[route.path], [route.method]: operation };
  }
  const schemas = Object.fromEntries(
    Object.entries(SCHEMAS).map(([name, schema]) => [name, jsonSchema(name, schema, [StatusChangeBody, AssignBody, ReplyBody].includes(schema as never) ? 'input' : 'output')]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Çözüm back-office API and webhooks',
      version: '1',
      description:
        `A department's own system changes its tickets (status, assignment, public reply) with a department API key made by an admin in the console, sent as \`Authorization: Bearer czm_…\`. ` +
        `Ticket events are POSTed to the department's webhook, signed: \`${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of "<${TIMESTAMP_HEADER}>.<body>" with the department's secret>\`; ` +
        `refuse a call whose timestamp is more than ${REPLAY_WINDOW_SECONDS} seconds from your clock. See docs/integrations.md.`,
    },
    servers: [{ url: `${serverUrl}${BACKOFFICE_BASE}` }],
    paths,
    webhooks: {
      ticketEvent: {
        post: {
          operationId: 'ticketEvent',
          summary: 'A ticket of the department was created, changed status, or was rated',
          parameters: [
            { name: TIMESTAMP_HEADER, in: 'header', required: true, schema: { type: 'string' }, description: 'Unix seconds when the call was signed.' },
            { name: SIGNATURE_HEADER, in: 'header', required: true, schema: { type: 'string' }, description: 'sha256=<hex>: HMAC-SHA256 of `<timestamp>.<body>`.' },
            { name: EVENT_HEADER, in: 'header', required: true, schema: { type: 'string' }, description: 'The event type, as in the body.' },
            { name: DELIVERY_HEADER, in: 'header', required: true, schema: { type: 'string' }, description: 'This delivery; the same on each retry.' },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookEvent'), examples: { statusChanged: { value: (z.globalRegistry.get(WebhookEvent)?.examples as unknown[])[0] } } } } },
          responses: { '200': { description: 'Any 2xx: received. 5xx, 408, 429 or no answer: sent again with backoff; another 4xx: given up (shown in the console).' } },
        },
      },
    },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A department API key (czm_…).' } }, schemas },
  };
}

export function createOpenApiRouter(handoff: Handoff, db: Database): Router {
  const router = express.Router();
  const document = openApiDocument(backofficeRoutes(handoff, db));
  router.get(OPENAPI_PATH, (request, response) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.json({ ...document, servers: [{ url: `${request.protocol}://${request.get('host')}${BACKOFFICE_BASE}` }] });
  });
  return router;
}
