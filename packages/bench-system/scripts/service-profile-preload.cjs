/**
 * Loaded into each service of a megacity day by `--profile-services <dir>` (through NODE_OPTIONS
 * `--require`): a CPU profile of the whole process, a count of the SQL statements it sent
 * through `pg`, by prepared-statement name (or the statement's first words), and of the Kafka
 * requests its main thread sent, by API, written to
 * <dir>/<service>-<pid>.{cpuprofile,statements.json,kafka-requests.json} when the process exits. Diagnostics only:
 * nothing here runs unless the bench asks for it, and no service code knows about it.
 */
'use strict';
const { Session } = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.GOVSVC_PROFILE_DIR;
if (dir) {
  const name = `${process.env.SERVICE_NAME || path.basename(process.cwd())}-${process.pid}`;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');

  // The pg the event store's driver loads (resolved from its package), so the count sees the services' queries.
  const statements = new Map();
  // GOVSVC_PROFILE_SITES=<statement name>: also count where in the services that statement is sent from (the
  // async stack through the store, its first three frames of our own code outside the store's SQL adapter;
  // `<statement>:<n>` for n frames).
  const [sitesOf, framesWanted] = (process.env.GOVSVC_PROFILE_SITES || '').split(':');
  const siteFrames = Number(framesWanted) || 3;
  const sites = new Map();
  const countSite = () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 80;
    const stack = new Error().stack || '';
    Error.stackTraceLimit = limit;
    const frames = stack.split('\n').filter((l) => /\/(services|packages)\//.test(l) && !/node_modules|sql-event-store|pg-client|stream-fold-cache|preload|guarded/.test(l));
    const site = frames.slice(0, siteFrames).map((l) => l.trim().replace(/^at (async )?/, '').replace(/\(?(file:\/\/)?\/.*\/(services|packages)\//, '($2/')).join(' < ');
    sites.set(site, (sites.get(site) || 0) + 1);
  };
  try {
    const pg = require(require.resolve('pg', { paths: [path.join(__dirname, '../../eventstore')] }));
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function countedQuery(config, ...rest) {
      const key = typeof config === 'string' ? config : config && (config.name || String(config.text || ''));
      if (key) {
        const label = key.replace(/\s+/g, ' ').slice(0, 70);
        statements.set(label, (statements.get(label) || 0) + 1);
      }
      return query.call(this, config, ...rest);
    };
    // Sites are taken at the pool: the client's query runs later, from the pool's queue, off the caller's async path.
    if (sitesOf) {
      const poolQuery = pg.Pool.prototype.query;
      pg.Pool.prototype.query = function sitedQuery(config, ...rest) {
        if (sitesOf && config && config.name === sitesOf) countSite();
        return poolQuery.call(this, config, ...rest);
      };
    }
  } catch {
    // A process without pg (none of the services today) is profiled without a count.
  }

  // Kafka requests this thread sent, by API (Fetch, OffsetCommit, Heartbeat…): what the broker's CPU is spent on.
  // The relay's producer runs in a worker thread of its own, which this count does not see.
  const kafkaRequests = new Map();
  try {
    const Connection = require(require.resolve('kafkajs/src/network/connection', { paths: [path.join(__dirname, '../../messaging')] }));
    const send = Connection.prototype.send;
    Connection.prototype.send = function countedSend(args, ...rest) {
      const api = args && args.request && args.request.apiName;
      if (api) kafkaRequests.set(api, (kafkaRequests.get(api) || 0) + 1);
      return send.call(this, args, ...rest);
    };
  } catch {
    // No kafkajs here: counted without it.
  }

  process.on('exit', () => {
    // An inspector session on the main thread answers synchronously, so this runs to the end before exit.
    session.post('Profiler.stop', (error, result) => {
      if (!error) fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(result.profile));
    });
    const sorted = Object.fromEntries([...statements].sort((a, b) => b[1] - a[1]));
    if (sites.size > 0) {
      const bySite = Object.fromEntries([...sites].sort((a, b) => b[1] - a[1]));
      fs.writeFileSync(path.join(dir, `${name}.sites.json`), `${JSON.stringify(bySite, null, 1)}\n`);
    }
    const kafka = Object.fromEntries([...kafkaRequests].sort((a, b) => b[1] - a[1]));
    fs.writeFileSync(path.join(dir, `${name}.kafka-requests.json`), `${JSON.stringify(kafka, null, 1)}\n`);
    fs.writeFileSync(path.join(dir, `${name}.statements.json`), `${JSON.stringify(sorted, null, 1)}\n`);
  });
}
