/**
 * What the scenarios write: events shaped like intake's (a submitted application with its
 * materials, about 600 bytes of JSON), isolated schemas per system, and the raw baseline table.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { NewEvent } from '@govsvc/eventstore/port';
import { PG_TYPES } from '@govsvc/eventstore/postgres/pg-client';
import { EVENTS_COMMIT_ORDER_INDEX, EVENTS_COMPRESSION, EVENTS_TABLE } from '@govsvc/eventstore/sql/schema';
import { config, inSchema } from './config.ts';

export const EVENT_TYPES = ['ApplicationSubmitted', 'MaterialsChecked', 'SupplementRequested', 'SupplementReceived', 'CaseAccepted'] as const;

export function eventData(caseId: string, n: number): Record<string, unknown> {
  return {
    caseId,
    itemCode: '11000000000000000A-0001-01',
    guideVersion: '2025.2',
    sequence: n,
    applicant: { kind: 'enterprise', maskedId: '911101********3X2P', ref: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    channel: 'online',
    materials: [
      { materialId: 'm-application-form', name: '食品经营许可申请书', form: 'electronic', source: 'applicant' },
      { materialId: 'm-business-licence', name: '营业执照', form: 'electronic', source: 'data-sharing' },
    ],
    submittedAt: '2025-03-10T10:15:00+08:00',
    acceptanceDue: { date: '2025-03-11', provisional: false },
  };
}

export function eventMetadata(caseId: string): NewEvent['metadata'] {
  return { caseId, correlationId: randomUUID(), causationId: randomUUID(), actor: { id: 'clerk-7', role: 'window-clerk', department: 'bj-market-regulation' } };
}

export function newCaseEvent(caseId: string, n: number): NewEvent {
  return { id: randomUUID(), type: EVENT_TYPES[n % EVENT_TYPES.length]!, schemaVersion: 1, data: eventData(caseId, n), metadata: eventMetadata(caseId) };
}

/** Metadata of the same size as ours for the raw table (which computes no chain). */
export const rawMetadata = (caseId: string) => ({ ...eventMetadata(caseId), prevHash: 'x'.repeat(64), hash: 'y'.repeat(64) });

/** Drops and recreates a schema; returns its connection string. */
export async function freshSchema(name: string): Promise<string> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await client.query(`CREATE SCHEMA ${name}`);
  } finally {
    await client.end();
  }
  return inSchema(name);
}

export async function dropSchema(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * A pool for the raw peers, parsing columns as pg does by default, with the parsers our store's driver
 * fixes for itself. emmett-postgresql replaces pg's process-wide json/jsonb parser (a reviver for big
 * integers) when it loads, and the peers would otherwise run on that from the first scenario that
 * loads emmett on, while our store does not.
 */
export function peerPool(connectionString: string, max: number): pg.Pool {
  return new pg.Pool({ connectionString, max, types: PG_TYPES });
}

/**
 * The raw baseline: exactly our `events` table (same columns, constraints, compression, commit-order index),
 * written with plain INSERTs and no event store around them.
 */
export async function rawTable(schema: string): Promise<pg.Pool> {
  const url = await freshSchema(schema);
  const pool = peerPool(url, 40);
  for (const statement of [EVENTS_TABLE, EVENTS_COMPRESSION, EVENTS_COMMIT_ORDER_INDEX]) await pool.query(statement);
  return pool;
}

export const RAW_INSERT = `INSERT INTO events (stream_name, stream_revision, event_id, type, schema_version, data, metadata)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;
