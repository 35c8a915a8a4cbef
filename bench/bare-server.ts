import Fastify from 'fastify';

/** The baseline for `npm run bench`: a bare Fastify route returning a fixed string. */
const app = Fastify();
app.get('/', () => 'ok');
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });

process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
