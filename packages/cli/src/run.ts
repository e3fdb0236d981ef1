/** The `modelship` program: commander wiring of the commands, global options and exit codes. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { ModelRegistry } from '@modelship/core';
import {
  aliasesCommand,
  datasetsLsCommand,
  datasetsRegisterCommand,
  decisionsCommand,
  predictionsCommand,
  driftCommand,
  jobsLogsCommand,
  jobsLsCommand,
  modelsCommand,
  parseTime,
  promoteCommand,
  rollbackCommand,
  rolloutAbortCommand,
  rolloutRampCommand,
  rolloutStartCommand,
  rolloutStatusCommand,
  trainCommand,
  versionsCommand,
  type CommandContext,
} from './commands.js';
import { EXIT_CODES, exitCodeOf, oneLine, type ExitCode } from './errors.js';
import type { RunContext } from './io.js';
import { DEFAULT_REGISTRY, openRegistry, parseRegistryLocation } from './registry.js';
import { serveCommand } from './serve.js';

const VERSION = '0.0.0';

function positiveInt(what: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
      throw new InvalidArgumentError(`expected ${what} (a positive integer)`);
    return Number(v);
  };
}

function portNumber(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) > 65_535) throw new InvalidArgumentError('expected a port number 0-65535');
  return Number(v);
}

function nonNegativeInt(what: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected ${what} (an integer ≥ 0)`);
    return Number(v);
  };
}

function fraction(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x <= 0 || x >= 1)
    throw new InvalidArgumentError('expected a share strictly between 0 and 1, e.g. 0.1');
  return x;
}

function steps(v: string): number[] {
  const xs = v.split(',').map((s) => s.trim());
  const out = xs.map(Number);
  if (xs.some((s) => s === '') || out.some((x) => !Number.isFinite(x) || x <= 0 || x > 1))
    throw new InvalidArgumentError('expected comma-separated shares in (0, 1], e.g. 0.05,0.1,0.2,0.5');
  for (let i = 1; i < out.length; i++)
    if (!(out[i]! > out[i - 1]!)) throw new InvalidArgumentError('expected increasing shares, e.g. 0.05,0.1,0.2,0.5');
  return out;
}

function time(v: string): number {
  try {
    return parseTime(v, '--at');
  } catch (err) {
    throw new InvalidArgumentError(oneLine(err).replace(/^--at: /, ''));
  }
}

interface GlobalOptions {
  registry?: string;
  s3Endpoint?: string;
  json?: boolean;
}

/**
 * Runs the `modelship` command line on `argv` (the arguments after the program name) and
 * resolves with the exit code: 0 ok, 1 failure, 2 bad usage, 3 drift found, 4 not found,
 * 5 conflict (see {@link EXIT_CODES}). Never throws and never touches `process`: results go to
 * `ctx.stdout` (one JSON document with `--json`), progress and errors to `ctx.stderr` (each
 * error one line; the stack too when `MODELSHIP_DEBUG=1`).
 *
 * @example
 * ```ts
 * const code = await run(['versions', 'iris', '--json'], {
 *   stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(),
 * });
 * ```
 */
export async function run(argv: readonly string[], ctx: RunContext): Promise<number> {
  let registry: ModelRegistry | undefined;
  let code: ExitCode = EXIT_CODES.OK;
  const debug = ctx.env.MODELSHIP_DEBUG === '1';
  const program = new Command('modelship');
  // help that commander prints on stderr for a missing subcommand is held back: one line instead
  let heldErr = '';

  const context = (cmd: Command): CommandContext => {
    const g = cmd.optsWithGlobals<GlobalOptions>();
    return {
      ...ctx,
      json: g.json === true,
      registry(write: boolean) {
        if (registry) return registry;
        const where = g.registry ?? ctx.env.MODELSHIP_REGISTRY ?? DEFAULT_REGISTRY;
        const loc = parseRegistryLocation(where, ctx.env, ctx.cwd, g.s3Endpoint);
        registry = openRegistry(loc, write, ctx.env.MODELSHIP_ACTOR ?? ctx.env.USER ?? 'modelship-cli');
        return registry;
      },
    };
  };
  /** Wraps a command's work: its exit code is the run's. */
  const act =
    <A extends unknown[]>(f: (c: CommandContext, ...args: A) => Promise<ExitCode>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      code = await f(context(cmd), ...(args.slice(0, -1) as A));
    };

  program
    .description('The modelship command line: train, version, deploy, roll out, watch drift, follow jobs.')
    .addHelpText('after', '\nmodelship --version prints the version.')
    .option(
      '--registry <location>',
      `registry: a directory or s3://bucket/prefix (default MODELSHIP_REGISTRY, else ${DEFAULT_REGISTRY})`,
    )
    .option('--s3-endpoint <url>', 'S3 endpoint (MinIO, moto…); path-style addressing is used with it')
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => {
        heldErr += s;
      },
      outputError: (s, write) => write(`${oneLine(s)}\n`),
    });

  program
    .command('train')
    .description('train a JSON or YAML training spec here and register the best variant')
    .argument('<spec>', 'the training spec file (.json, .yaml); its relative data paths are relative to it')
    .option('--job-id <id>', 'the job id tagged on the version (running again with it registers nothing new)')
    .action(act((c, spec: string, o: { jobId?: string }) => trainCommand(c, spec, o)));

  program
    .command('models')
    .description('list models with their production and candidate versions')
    .action(act((c) => modelsCommand(c)));

  program
    .command('versions')
    .description("list a model's versions with aliases and metrics")
    .argument('<model>', 'the model name')
    .action(act((c, model: string) => versionsCommand(c, model)));

  program
    .command('aliases')
    .description("a model's aliases, now or at a past time")
    .argument('<model>', 'the model name')
    .option('--at <time>', 'an ISO time or epoch milliseconds', time)
    .action(act((c, model: string, o: { at?: number }) => aliasesCommand(c, model, o.at)));

  program
    .command('promote')
    .description('promote the candidate to production (or deploy --version directly, ending any rollout)')
    .argument('<model>', 'the model name')
    .option('--version <v>', 'deploy this version as production directly', positiveInt('a version'))
    .option('--reason <text>', 'why (recorded in the history)')
    .action(act((c, model: string, o: { version?: number; reason?: string }) => promoteCommand(c, model, o)));

  program
    .command('rollback')
    .description('roll the candidate back; without one, move production back to its previous version')
    .argument('<model>', 'the model name')
    .option('--force', 'move the protected production alias without asking an authorizer (recorded as forced)')
    .option('--reason <text>', 'why (recorded in the history)')
    .action(act((c, model: string, o: { force?: boolean; reason?: string }) => rollbackCommand(c, model, o)));

  const rollout = program.command('rollout').description('drive a rollout by hand');
  rollout
    .command('start')
    .description('start a rollout of a candidate against production')
    .argument('<model>', 'the model name')
    .requiredOption('--candidate <v>', 'the candidate version', positiveInt('a version'))
    .option('--steps <shares>', 'ramp steps (default 0.05,0.1,0.2,0.5)', steps)
    .addOption(new Option('--mode <mode>', 'ramp (default), split or shadow').choices(['ramp', 'split', 'shadow']))
    .option('--weight <share>', "the candidate's share in split mode (default 0.1)", fraction)
    .option('--reason <text>', 'why (recorded in the history)')
    .action(
      act(
        (
          c,
          model: string,
          o: {
            candidate: number;
            steps?: number[];
            mode?: 'ramp' | 'split' | 'shadow';
            weight?: number;
            reason?: string;
          },
        ) => rolloutStartCommand(c, model, o),
      ),
    );
  rollout
    .command('ramp')
    .description('move a ramp to its next step (or --step)')
    .argument('<model>', 'the model name')
    .option('--step <index>', 'the step index to move to (0-based)', nonNegativeInt('a step index'))
    .option('--reason <text>', 'why (recorded in the history)')
    .action(act((c, model: string, o: { step?: number; reason?: string }) => rolloutRampCommand(c, model, o)));
  rollout
    .command('abort')
    .description('roll the candidate back: production alone again')
    .argument('<model>', 'the model name')
    .option('--reason <text>', 'why (recorded in the history)')
    .action(act((c, model: string, o: { reason?: string }) => rolloutAbortCommand(c, model, o)));
  rollout
    .command('status')
    .description("a model's rollout record")
    .argument('<model>', 'the model name')
    .action(act((c, model: string) => rolloutStatusCommand(c, model)));

  const datasets = program.command('datasets').description('dataset versions');
  datasets
    .command('ls')
    .description('list dataset versions')
    .action(act((c) => datasetsLsCommand(c)));
  datasets
    .command('register')
    .description('fingerprint a CSV and register it as a dataset version')
    .argument('<name>', 'the dataset name')
    .argument('<csv>', 'the CSV file')
    .option('--description <text>', 'a description')
    .action(
      act((c, name: string, csv: string, o: { description?: string }) => datasetsRegisterCommand(c, name, csv, o)),
    );

  program
    .command('drift')
    .description("compare a CSV of live rows with the production artifact's reference profile (exit 3 on drift)")
    .argument('<model>', 'the model name')
    .argument('<live.csv>', 'the live rows')
    .option('--version <v>', 'the version whose profile to use (default production)', positiveInt('a version'))
    .action(act((c, model: string, csv: string, o: { version?: number }) => driftCommand(c, model, csv, o)));

  const jobs = program.command('jobs').description('training job records in the registry');
  jobs
    .command('ls')
    .description('list jobs, newest first')
    .option('--model <model>', 'only this model')
    .addOption(
      new Option('--status <status>', 'only this status').choices([
        'queued',
        'running',
        'succeeded',
        'failed',
        'cancelled',
      ]),
    )
    .option('--limit <n>', 'at most n jobs', positiveInt('a count'))
    .action(act((c, o: { model?: string; status?: string; limit?: number }) => jobsLsCommand(c, o)));
  jobs
    .command('logs')
    .description("a job's log lines (-f: follow until it ends; exit 1 if it failed)")
    .argument('<id>', 'the job id')
    .option('-f, --follow', 'follow until the job ends')
    .option('--interval <ms>', 'how often to poll when following (default 1000)', positiveInt('milliseconds'))
    .action(act((c, id: string, o: { follow?: boolean; interval?: number }) => jobsLogsCommand(c, id, o)));

  program
    .command('decisions')
    .description("the controller's decision log of a model (--replay: recompute each, exit 1 unless all match)")
    .argument('<model>', 'the model name')
    .option('--replay', 'recompute every decision from its record and report matches')
    .option('--limit <n>', 'only the newest n', positiveInt('a count'))
    .action(act((c, model: string, o: { replay?: boolean; limit?: number }) => decisionsCommand(c, model, o)));

  program
    .command('predictions')
    .description(
      'the prediction log (a SQLite file or a postgres:// URL): the newest rows, one request id, or a model between --from and --to',
    )
    .argument('[requestId]', 'the rows of this request id')
    .option('--log <file|url>', 'the prediction log (default $MODELSHIP_PREDICTION_LOG)')
    .option('--model <model>', 'only this model')
    .option('--variant <variant>', 'only this variant (with --from and --to)')
    .option('--from <time>', 'from this time (epoch ms or ISO 8601), inclusive')
    .option('--to <time>', 'to this time, exclusive')
    .option('--limit <n>', 'at most n rows', positiveInt('a count'))
    .option('--cursor <cursor>', 'the next page of a --from/--to query')
    .action(
      act(
        (
          c,
          requestId: string | undefined,
          o: {
            log?: string;
            model?: string;
            variant?: string;
            from?: string;
            to?: string;
            limit?: number;
            cursor?: string;
          },
        ) => predictionsCommand(c, requestId, o),
      ),
    );

  program
    .command('serve')
    .description('serve the registry over HTTP: predictions, the management API, the dashboard, the controller')
    .option('--port <port>', 'the port (default 3000; 0: any free port)', portNumber)
    .option('--host <host>', 'the interface (default 127.0.0.1)')
    .option('--no-controller', 'do not run the lifecycle controller and the job runner')
    .action(
      act((c, o: { port?: number; host?: string; controller?: boolean }) =>
        serveCommand(c, {
          ...(o.port !== undefined ? { port: o.port } : {}),
          ...(o.host !== undefined ? { host: o.host } : {}),
          controller: o.controller !== false,
        }),
      ),
    );

  try {
    // `--version` only as the first argument: after a command it is that command's option (promote, drift)
    if (argv[0] === '--version' || argv[0] === '-V') {
      ctx.stdout.write(`${VERSION}\n`);
      return EXIT_CODES.OK;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        ctx.stderr.write(heldErr);
        return EXIT_CODES.OK;
      }
      if (err.code === 'commander.help') {
        const words = argv.filter((a) => ['rollout', 'datasets', 'jobs'].includes(a)).slice(0, 1);
        const where = ['modelship', ...words].join(' ');
        ctx.stderr.write(`error: missing command: ${where} needs a command (${where} --help lists them)\n`);
      } else ctx.stderr.write(heldErr);
      return EXIT_CODES.USAGE;
    }
    ctx.stderr.write(`error: ${oneLine(err)}\n`);
    if (debug && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  } finally {
    await registry?.close().catch(() => {});
  }
}
