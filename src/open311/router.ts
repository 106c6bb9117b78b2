// The Open311 GeoReport v2 endpoints under /open311/v2 (JSON and XML), and the discovery document.
// Reading is public and answers with no personal data (requests.ts); filing needs an API key
// (keys.ts), sent in the body as the specification says, and is limited per key. Errors are the
// specification's list of { code, description }.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { clientAddress } from '../http/client-address.ts';
import { overLimit } from '../http/rate-limits.ts';
import type { Logger } from '../log.ts';
import type { RateLimitStore } from '../storage/rate-limits.ts';
import { sendErrors, sendList, sendObject, splitFormat, type Format } from './format.ts';
import type { ApiKeys } from './keys.ts';
import { attributesOf, FilingBody, ListQuery, RequestError, type Open311Requests } from './requests.ts';
import type { Service } from './services.ts';

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** When these endpoints last changed in a way a client would notice (discovery's `changeset`). */
const CHANGESET = '2026-12-07T00:00:00Z';

export interface Open311Dependencies {
  config: Config;
  requests: Open311Requests;
  services: Service[];
  keys: ApiKeys;
  logger: Logger;
  /** Per-key filing limits (shared by instances: the database store); per-address call limits (memory). */
  keyLimits: RateLimitStore;
  addressLimits: RateLimitStore;
}

function serviceJson(service: Service) {
  return {
    service_code: service.code,
    service_name: service.name,
    description: service.description,
    metadata: service.attributes.length > 0,
    type: 'realtime',
    keywords: service.keywords.join(', '),
    group: service.group,
  };
}

function definitionJson(service: Service) {
  return {
    service_code: service.code,
    attributes: service.attributes.map((attribute) => ({
      variable: true,
      code: attribute.code,
      datatype: attribute.datatype,
      required: attribute.required,
      datatype_description: null,
      order: attribute.order,
      description: attribute.description,
      values: attribute.values,
    })),
  };
}

export function createOpen311Router(deps: Open311Dependencies): Router {
  const { config, requests, services, keys, logger } = deps;
  const jurisdiction = config.open311.jurisdictionId || new URL(config.municipality.website).hostname;
  const router = express.Router();
  const perAddress: RateLimiterAbstract | undefined =
    config.open311.callsPerAddressPerMinute > 0 ? deps.addressLimits.limiter({ name: 'open311:address', points: config.open311.callsPerAddressPerMinute, seconds: 60 }) : undefined;
  const perKey: RateLimiterAbstract | undefined =
    config.open311.requestsPerKeyPerMinute > 0 ? deps.keyLimits.limiter({ name: 'open311:key', points: config.open311.requestsPerKeyPerMinute, seconds: 60, holdInMemory: true }) : undefined;

  const formatOf = (request: Request): Format => (request.path.endsWith('.xml') ? 'xml' : 'json');
  const tooMany = (response: Response, format: Format, waitMs: number) => {
    response.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
    sendErrors(response, format, [{ code: 429, description: `too many requests: try again in ${Math.ceil(waitMs / 1000)} seconds` }]);
  };

  router.use('/open311', (request, response, next) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Cache-Control', 'no-store');
    if (!perAddress) return next();
    overLimit(perAddress, clientAddress(request)).then((waitMs) => (waitMs > 0 ? tooMany(response, formatOf(request), waitMs) : next()), next);
  });

  // A jurisdiction_id, when given, must be this one (the specification allows leaving it out).
  router.use('/open311/v2', (request, response, next) => {
    const asked = request.query.jurisdiction_id;
    if (asked === undefined || asked === jurisdiction) return next();
    sendErrors(response, formatOf(request), [{ code: 404, description: 'jurisdiction_id not found' }]);
  });

  const discovery = (request: Request, response: Response, format: Format) => {
    const url = `${request.protocol}://${request.get('host')}/open311/v2`;
    const endpoint = { specification: SPECIFICATION, url, changeset: CHANGESET, type: 'production', formats: ['application/json', 'text/xml'] };
    const value = { changeset: CHANGESET, contact: `${config.municipality.name} <${config.municipality.email}>`, key_service: `mailto:${config.municipality.email}`, endpoints: [endpoint] };
    sendObject(response, format, 200, 'discovery', value, { ...value, endpoints: { endpoint: [{ ...endpoint, formats: { format: endpoint.formats } }] } });
  };

  router.get('/open311/:file', (request, response, next) => {
    const file = splitFormat(request.params.file);
    if (file?.name !== 'discovery') return next();
    discovery(request, response, file.format);
  });

  router.get('/open311/v2/:file', async (request, response, next) => {
    const file = splitFormat(request.params.file);
    if (!file) return next();
    try {
      if (file.name === 'discovery') return discovery(request, response, file.format);
      if (file.name === 'services') return sendList(response, file.format, 200, 'services', 'service', services.map(serviceJson));
      if (file.name !== 'requests') return next();
      const query = ListQuery.safeParse(request.query);
      if (!query.success) return sendErrors(response, file.format, [{ code: 400, description: describe(query.error) }]);
      sendList(response, file.format, 200, 'service_requests', 'request', await requests.list(query.data));
    } catch (error) {
      failed(error, response, file.format, next);
    }
  });

  router.get('/open311/v2/services/:file', (request, response, next) => {
    const file = splitFormat(request.params.file);
    if (!file) return next();
    const service = requests.service(file.name);
    if (!service) return sendErrors(response, file.format, [{ code: 404, description: `service_code "${file.name}" not found` }]);
    const definition = definitionJson(service);
    sendObject(response, file.format, 200, 'service_definition', definition, {
      service_code: definition.service_code,
      attributes: { attribute: definition.attributes.map((attribute) => ({ ...attribute, values: { value: attribute.values } })) },
    });
  });

  router.get('/open311/v2/requests/:file', async (request, response, next) => {
    const file = splitFormat(request.params.file);
    if (!file) return next();
    try {
      const found = await requests.find(file.name);
      if (!found) return sendErrors(response, file.format, [{ code: 404, description: `service_request_id "${file.name}" not found` }]);
      sendList(response, file.format, 200, 'service_requests', 'request', [found]);
    } catch (error) {
      failed(error, response, file.format, next);
    }
  });

  const body = [express.urlencoded({ extended: false, limit: '64kb' }), express.json({ limit: '64kb' })];
  router.post('/open311/v2/:file', ...body, async (request, response, next) => {
    const file = splitFormat(request.params.file);
    if (!file || file.name !== 'requests') return next();
    try {
      const raw = Object.fromEntries(Object.entries((request.body ?? {}) as Record<string, unknown>).filter(([, value]) => value !== ''));
      // A key in the URL ends up in proxies' and browsers' logs: refused, and the client told why.
      if (request.query.api_key !== undefined) return sendErrors(response, file.format, [{ code: 403, description: 'api_key must be sent in the request body, not in the URL' }]);
      const holder = await keys.verify(raw.api_key);
      if (!holder) return sendErrors(response, file.format, [{ code: 403, description: 'api_key is missing, invalid or revoked' }]);
      if (perKey) {
        const waitMs = await overLimit(perKey, holder.id);
        if (waitMs > 0) return tooMany(response, file.format, waitMs);
      }
      if (raw.jurisdiction_id !== undefined && raw.jurisdiction_id !== jurisdiction) return sendErrors(response, file.format, [{ code: 404, description: 'jurisdiction_id not found' }]);
      const fields = FilingBody.safeParse(raw);
      if (!fields.success) return sendErrors(response, file.format, [{ code: 400, description: describe(fields.error) }]);
      const created = await requests.file(fields.data, attributesOf(raw), holder);
      logger.info({ ticket: created.number, client: holder.name, keyId: holder.id }, 'Open311 request filed');
      sendList(response, file.format, 201, 'service_requests', 'request', [{ service_request_id: created.number, service_notice: null, account_id: null }]);
    } catch (error) {
      failed(error, response, file.format, next);
    }
  });

  // Unknown paths and unreadable bodies under /open311 answer in the specification's shape.
  router.use('/open311', (request, response) => sendErrors(response, formatOf(request), [{ code: 404, description: 'not found' }]));
  router.use('/open311', (error: Error & { status?: number }, request: Request, response: Response, next: NextFunction) => {
    if (!error.status || error.status >= 500) return next(error);
    sendErrors(response, formatOf(request), [{ code: error.status === 413 ? 413 : 400, description: error.status === 413 ? 'request body too large' : 'request body could not be read' }]);
  });
  return router;
}

function describe(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || 'request'}: ${issue.message}`).join('; ');
}

function failed(error: unknown, response: Response, format: Format, next: NextFunction): void {
  if (error instanceof RequestError) return sendErrors(response, format, [{ code: error.code, description: error.message }]);
  next(error);
}
