/**
 * The baseline: bare fastify hello-world in its own process, no logger, no
 * plugins. The load generator measures it in the same run as the system.
 */
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 3951);
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`hello listening ${port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
