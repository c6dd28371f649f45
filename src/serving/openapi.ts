/**
 * `/v1/openapi.json`, generated from the routes' own JSON schemas (summary, params, querystring) as
 * they are registered, so the document cannot drift from the routes; and `/v1/docs`, a plain HTML page
 * of the same paths (no scripts, no CDN). @fastify/swagger would do the first; ~80 lines do both.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { docsPage } from './docs-page.ts';

// Route schemas carry a one-line summary for the document (as @fastify/swagger's would).
declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
  }
}

interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  [key: string]: unknown;
}

export interface OpenApiOperation {
  summary: string;
  parameters: {
    name: string;
    in: 'path' | 'query';
    required: boolean;
    description?: string;
    schema: JsonSchema;
    style?: string;
    explode?: boolean;
  }[];
  responses: Record<string, { description: string }>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes?: Record<string, unknown> };
}

function parametersOf(schema: {
  params?: JsonSchema;
  querystring?: JsonSchema;
}): OpenApiOperation['parameters'] {
  const list: OpenApiOperation['parameters'] = [];
  for (const [where, part] of [
    ['path', schema.params],
    ['query', schema.querystring],
  ] as const) {
    for (const [name, { description, ...rest }] of Object.entries(part?.properties ?? {}))
      list.push({
        name,
        in: where,
        required: where === 'path' || (part?.required ?? []).includes(name),
        description,
        schema: rest,
      });
    const extra = part?.additionalProperties;
    if (typeof extra === 'object')
      // Free-form query parameters: OpenAPI 3 says so with one exploded object parameter.
      list.push({
        name: 'keys',
        in: 'query',
        required: false,
        description: extra.description,
        style: 'form',
        explode: true,
        schema: { type: 'object', additionalProperties: { type: 'string' } },
      });
  }
  return list;
}

function operationOf(route: RouteOptions, bearer: boolean): OpenApiOperation {
  const schema = (route.schema ?? {}) as { summary?: string; params?: JsonSchema; querystring?: JsonSchema };
  const isV1 = route.url.startsWith('/v1/');
  const responses: OpenApiOperation['responses'] = { '200': { description: 'OK' } };
  if (route.url.includes(':view')) {
    responses['400'] = { description: 'a bad parameter: the message says which' };
    responses['404'] = { description: 'unknown view; the body lists the views' };
  }
  if (route.url === '/v1/views/:view')
    responses['304'] = { description: 'not modified (If-None-Match on a settled answer)' };
  if (isV1 && bearer) responses['401'] = { description: 'missing or wrong bearer token' };
  const operation: OpenApiOperation = {
    summary: schema.summary ?? '',
    parameters: parametersOf(schema),
    responses,
  };
  if (isV1 && bearer) operation.security = [{ bearer: [] }];
  return operation;
}

export function registerOpenApi(server: FastifyInstance, options: { bearer: boolean }): void {
  const document: OpenApiDocument = {
    openapi: '3.0.3',
    info: {
      title: 'speed-layer serve',
      version: '1',
      description:
        'The LMS views: batch rows before the boundary, complete speed rows after it (docs/serving.md).',
    },
    paths: {},
    components: options.bearer ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {},
  };
  server.addHook('onRoute', (route) => {
    const methods = [route.method].flat().filter((method) => method === 'GET');
    if (methods.length === 0) return;
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    document.paths[path] = { ...document.paths[path], get: operationOf(route, options.bearer) };
  });
  server.get('/v1/openapi.json', { schema: { summary: 'This document (OpenAPI 3)' } }, async () => document);
  server.get(
    '/v1/docs',
    { schema: { summary: 'The paths of this API as a page' } },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(document)),
  );
}
