/** `npm run serve`: the backend behind HTTP + WebSocket, the renderer in any browser. */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BottleneckBackend } from '../backend/service';
import { appRoot } from '../backend/paths';
import { startServer } from './server';

export const DEFAULT_PORT = 7385;

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      port: { type: 'string', default: process.env.PORT ?? String(DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      // BOTTLENECK_TOKEN keeps a fixed token out of the process list.
      token: { type: 'string', default: process.env.BOTTLENECK_TOKEN },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got "${values.port}"`);
  // The token travels in a cookie and a URL: characters that need no escaping in either.
  if (values.token !== undefined && !/^[\w.~-]{16,256}$/.test(values.token)) throw new Error('--token must be 16 to 256 letters, digits, dots, dashes, tildes or underscores');
  const backend = new BottleneckBackend({ shell: 'browser' });
  backend.warmUp();
  // A sweep cut off by a crash carries on with its remaining runs.
  void backend.resumeExperiments().catch((err: Error) => console.error(`bottleneck serve: cannot resume the experiments: ${err.message}`));
  const running = await startServer({ api: backend, staticDir: join(appRoot(), 'dist', 'renderer'), host: values.host, port, ...(values.token && { token: values.token }) });
  console.log(`Bottleneck is running at ${running.openUrl}  (runs are kept in ${backend.runs.root}; Ctrl+C to quit)`);
  if (!running.loopback) {
    const wildcard = ['0.0.0.0', '::', ''].includes(values.host!);
    if (wildcard) console.log(`From another machine: http://${hostname()}:${running.port}/?token=${running.token}`);
    console.log(`Served on the network (--host ${values.host}): whoever has this token can browse folders on this machine, train on their images and see them, and change or delete runs and graphs.`);
  }
  const quit = async () => {
    await running.close();
    await backend.dispose();
    process.exit(0);
  };
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
}

main().catch((err: NodeJS.ErrnoException) => {
  const message = err.code === 'EADDRINUSE' ? `port already in use: ${err.message} (try --port 0 for a free one)` : err.message;
  console.error(`bottleneck serve: ${message}`);
  process.exit(1);
});
