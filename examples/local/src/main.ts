/**
 * `npm start`: modelship on this machine — registry in ./.modelship, jobs, the controller, the
 * HTTP service and the dashboard on 127.0.0.1 (`PORT`, default 3000), with simulated traffic
 * (`--no-simulate` turns it off). One line per lifecycle event; Ctrl-C stops gracefully.
 */
import { startLocal } from './app.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('usage: npm start [-- --no-simulate] [--port N] [--registry DIR]\n');
  process.exit(0);
}
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const portArg = flag('--port');
const port = portArg !== undefined ? Number(portArg) : undefined;
if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
  process.stderr.write(`modelship: --port: expected a port number 0-65535, received "${portArg}"\n`);
  process.exit(2);
}
const registryDir = flag('--registry');
const started = Date.now();
const handle = await startLocal({
  ...(port !== undefined ? { port } : {}),
  ...(registryDir !== undefined ? { registryDir } : {}),
  simulate: !args.includes('--no-simulate'),
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(
  [
    '',
    `  modelship is running (${handle.pipelines.join(', ')})`,
    `  dashboard   ${handle.url}/dashboard/  (token: ${handle.adminToken})`,
    `  predict     POST ${handle.url}/predict   {"model":"${handle.pipelines[0] ?? 'iris'}","row":{…}}`,
    `  management  ${handle.url}/manage/models   (Authorization: Bearer <token>)`,
    `  openapi     ${handle.url}/openapi.json`,
    ...(handle.pipelines.includes('bangalore')
      ? [`  bangalore   ${handle.url}/bangalore/  (API: ${handle.url}/api/…)`]
      : []),
    `  started in ${((Date.now() - started) / 1000).toFixed(1)} s; Ctrl-C stops`,
    '',
  ].join('\n'),
);
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write('\nstopping: draining requests, closing the controller and the jobs…\n');
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`modelship: shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  });
}
