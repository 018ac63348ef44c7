/**
 * OpenAPI for every service, generated from the routes' zod schemas
 * (@fastify/swagger with fastify-type-provider-zod's transform) and served
 * at `/docs/json`. Role-protected operations carry the bearer security
 * requirement and an `x-roles` list, so the document says who may call what.
 */
import swagger from '@fastify/swagger';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { FastifySchema } from 'fastify';

export const OPENAPI_PATH = '/docs/json';

export interface OpenApiPluginOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

const zodTransform = createJsonSchemaTransform({ skipList: [] });

type TransformInput = Parameters<typeof zodTransform>[0];

function transform(input: TransformInput): { schema: FastifySchema; url: string } {
  const result = zodTransform(input);
  const roles = (input.route.config as { roles?: readonly string[] } | undefined)?.roles;
  // A route may declare roles without any schema (e.g. a plain GET): the transform then returns no schema.
  const schema = (result.schema ?? {}) as FastifySchema & { hide?: boolean };
  if (roles === undefined || schema.hide === true) return result;
  return {
    url: result.url,
    schema: { ...schema, security: [{ bearerAuth: [] }], 'x-roles': [...roles] } as FastifySchema,
  };
}

export const openapiPlugin = fp<OpenApiPluginOptions>(
  async (app, options) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: options.title, version: options.version, ...(options.description !== undefined && { description: options.description }) },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      transform,
      transformObject: jsonSchemaTransformObject,
    });

    app.get(OPENAPI_PATH, { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger()));
    });
  },
  { name: 'govsvc-openapi', fastify: '5.x' },
);
