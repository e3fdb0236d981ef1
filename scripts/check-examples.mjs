#!/usr/bin/env node
// Type-checks every TSDoc `@example` of packages/*/src (issue 15: an example that did not compile).
//
// Each ```ts block of an `@example` (an `@example` without a fence is code as a whole, as TypeDoc
// reads it) becomes its own module under .test-results/examples/, prefixed by
//   - imports of the public exports it names (its own package's root and subpaths first, then the
//     packages it depends on, then the others), unless the example writes its own imports: then it
//     must import what it uses;
//   - `declare const` of the conventional free variables it uses (`registry`, `router`, `model`,
//     `app`, …) with their real types (PRELUDE below, never `any`), so that misuse of the API fails.
// All modules are checked in one program with the settings of the packages (tsconfig.base.json plus
// noUncheckedIndexedAccess and exactOptionalPropertyTypes) against the built packages' types
// (node_modules/@modelship/*, so run after the build). Prints `file:line: message` for each error and
// exits 1, or prints `N examples type-checked`.
//
// node scripts/check-examples.mjs [--verbose]   (--verbose also prints the generated module of a failure)
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Written to a folder of this run, renamed to .test-results/examples at the end (so that two runs do not mix).
const outDir = join(root, '.test-results', 'examples');
const runDir = join(root, '.test-results', `examples-${process.pid}`);
const verbose = process.argv.includes('--verbose');

// The conventional free variables of the examples, with their real types. A per-package table
// overrides the shared one; a name an example declares or imports itself is never declared here.
const core = "import('@modelship/core')";
const PRELUDE = {
  '*': {
    registry: `${core}.ModelRegistry`,
    registryStore: `${core}.Store`,
    router: "import('@modelship/router').ModelRouter",
    serving: "import('@modelship/adapters-express').ServingRouter",
    controller: "import('@modelship/controller').Controller",
    runner: "import('@modelship/controller').EmbeddedJobRunner",
    spec: "import('@modelship/controller').TrainingSpec",
    event: "import('@modelship/controller').ControllerEvent",
    tokens: "readonly import('@modelship/adapters-express').BearerToken[]",
    model: `${core}.Model`,
    artifact: `${core}.ModelArtifact`,
    pipeline: `${core}.FeaturePipeline`,
    learner: `${core}.Learner`,
    bytes: 'Uint8Array',
    sha: 'string',
    schema: `${core}.Schema`,
    aggregates: `${core}.ExperimentAggregates`,
    agg: `${core}.VariantAggregates`,
    outcomes: `${core}.OutcomeStore`,
    plan: `${core}.Rollout`,
    train: `${core}.Table`,
    test: `${core}.Table`,
    table: `${core}.Table`,
    holdout: `${core}.Table`,
    cleanTrain: `${core}.Table`,
    row: 'Record<string, unknown>',
    x: "import('@modelship/core').Matrix",
    y: 'Float64Array',
    logger: `${core}.Logger`,
    log: `${core}.Logger`,
    profile: "import('@modelship/drift').ReferenceProfile",
    trainRows: 'readonly Record<string, unknown>[]',
    liveTable: `${core}.Table`,
    stream: 'Iterable<Record<string, unknown>>',
    errors: 'readonly number[]',
    retrain: '() => void',
    investigate: '(features: readonly string[]) => void',
    splitter: "import('@modelship/router').TrafficSplitter",
    queue: "import('@modelship/router').LoggedPrediction[]",
    promRegistry: "import('prom-client').Registry",
    limiter: '{ allow(key: string): boolean }',
    app: "import('express').Express",
    req: "import('express').Request",
    res: "import('express').Response",
    server: "import('node:http').Server",
    err: 'unknown',
    retry: '() => void',
    startedAt: 'number',
    now: 'number',
    userId: 'string',
    requestId: 'string',
    hmacKey: 'string',
    slackWebhookUrl: 'string',
    trainPrices: 'readonly number[]',
    speciesCodes: 'readonly number[]',
  },
  'registry-fs': {
    store: "import('@modelship/registry-fs').FsStore",
  },
  core: {
    // the user's own learner class of the registerLearner example
    MeanLearner: `{ new (): ${core}.Learner; fromState(state: ${core}.LearnerState): ${core}.Learner }`,
  },
  trees: {
    model: "import('@modelship/trees').TreeEnsemble",
    x: "import('@modelship/trees').TreesMatrix",
    y: 'Float64Array',
    row: 'Float64Array',
    data: 'Float64Array',
    rows: 'number',
    cols: 'number',
  },
};

// Names of Node and third-party modules that an example without imports of its own may use.
const KNOWN_IMPORTS = {
  readFileSync: "import { readFileSync } from 'node:fs';",
  writeFileSync: "import { writeFileSync } from 'node:fs';",
  express: "import express from 'express';",
  pino: "import { pino } from 'pino';",
  Registry: "import { Registry } from 'prom-client';",
};

// ---- the examples ---------------------------------------------------------------------------

/** Every `@example` code block of packages/*\/src: { pkg, file, line (of the first code line), code }. */
function extractExamples() {
  const examples = [];
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const src = join(root, 'packages', pkg, 'src');
    if (!isDir(src)) continue;
    for (const file of walk(src)) {
      const lines = readFileSync(file, 'utf8').split('\n');
      const rel = relative(root, file);
      let inDoc = false;
      let example = null; // the @example being read: { blocks, loose: { line, code } }
      let fence = null;
      const endExample = () => {
        const loose = example?.loose.code ?? [];
        const first = loose.findIndex((l) => l.trim() !== '');
        if (example && example.blocks === 0 && first >= 0)
          examples.push({ pkg, file: rel, line: example.loose.line + first, code: trimBlank(loose) });
        example = null;
      };
      for (let i = 0; i < lines.length; i++) {
        const raw = lines[i];
        if (!inDoc) {
          if (!/^\s*\/\*\*/.test(raw)) continue;
          inDoc = true;
        }
        const closes = /\*\//.test(raw);
        const text = raw
          .replace(/\*\/.*$/, '')
          .replace(/^\s*\/\*\*\s?/, '')
          .replace(/^\s*\*(?!\/) ?/, '');
        if (fence) {
          if (/^\s*```\s*$/.test(text)) {
            if (fence.ts) examples.push({ pkg, file: rel, line: fence.line, code: fence.code });
            fence = null;
          } else fence.code.push(text);
        } else {
          const tag = /^\s*@(\w+)/.exec(text);
          if (tag) {
            endExample();
            if (tag[1] === 'example') example = { blocks: 0, loose: { line: i + 2, code: [] } };
          } else if (example) {
            const open = /^\s*```(\w*)/.exec(text);
            if (open) {
              example.blocks++;
              fence = { ts: /^(ts|typescript|mts|tsx)$/.test(open[1]), line: i + 2, code: [] };
            } else example.loose.code.push(text);
          }
        }
        if (closes) {
          endExample();
          inDoc = false;
          fence = null;
        }
      }
    }
  }
  return examples;
}

// ---- the packages' public exports -------------------------------------------------------------

/** The packages: { dir, name, deps, entries: [{ specifier, types }] } (entries: root first). */
function readPackages() {
  const pkgs = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', dir, 'package.json');
    let json;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const entries = [];
    for (const [key, target] of Object.entries(json.exports ?? {})) {
      if (key === './package.json') continue;
      const types = typesOf(target);
      if (!types) continue;
      entries.push({
        specifier: key === '.' ? json.name : `${json.name}/${key.slice(2)}`,
        types: join(root, 'packages', dir, types),
      });
    }
    const deps = Object.keys({ ...json.dependencies, ...json.peerDependencies }).filter((d) =>
      d.startsWith('@modelship/'),
    );
    pkgs.push({ dir, name: json.name, deps, entries });
  }
  return pkgs;
}

function typesOf(target) {
  if (typeof target === 'string') return target.endsWith('.d.ts') ? target : undefined;
  if (!target || typeof target !== 'object') return undefined;
  if (typeof target.types === 'string') return target.types;
  return typesOf(target.import) ?? typesOf(target.default);
}

/** The names each entry exports: Map<specifier, Set<name>>; entries not built are listed in `missing`. */
function exportsOf(pkgs, options) {
  const entries = pkgs.flatMap((p) => p.entries);
  const missing = entries.filter((e) => !isFile(e.types));
  const program = ts.createProgram({
    rootNames: entries.filter((e) => !missing.includes(e)).map((e) => e.types),
    options,
  });
  const checker = program.getTypeChecker();
  const result = new Map();
  for (const e of entries) {
    const sf = program.getSourceFile(e.types);
    const sym = sf && checker.getSymbolAtLocation(sf);
    result.set(e.specifier, new Set(sym ? checker.getExportsOfModule(sym).map((s) => s.name) : []));
  }
  return { result, program, missing };
}

// ---- one module per example -------------------------------------------------------------------

/** The names a snippet declares at top level, imports, and references. */
function namesOf(code) {
  const sf = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const declared = new Set();
  const referenced = new Set();
  let imports = false;
  const bind = (name) => {
    if (!name) return;
    if (ts.isIdentifier(name)) declared.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st)) {
      imports = true;
      const clause = ts.isImportDeclaration(st) ? st.importClause : undefined;
      if (ts.isImportEqualsDeclaration(st)) declared.add(st.name.text);
      if (clause?.name) declared.add(clause.name.text);
      const nb = clause?.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) declared.add(nb.name.text);
      if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) declared.add(el.name.text);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) bind(d.name);
    } else if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        ts.isEnumDeclaration(st) ||
        ts.isModuleDeclaration(st)) &&
      st.name &&
      ts.isIdentifier(st.name)
    ) {
      declared.add(st.name.text);
    }
  }
  const visit = (node) => {
    if (ts.isIdentifier(node) && isReference(node)) referenced.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { declared, referenced, imports };
}

function isReference(id) {
  const p = id.parent;
  if (!p) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isImportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p) || ts.isExportSpecifier(p))
    return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isMetaProperty(p)) return false;
  if ('name' in p && p.name === id && !ts.isShorthandPropertyAssignment(p)) return false;
  return true;
}

function moduleOf(example, pkgs, exported) {
  const { declared, referenced, imports } = namesOf(example.code.join('\n'));
  const own = pkgs.find((p) => p.dir === example.pkg);
  const order = [
    own,
    ...(own?.deps ?? []).map((d) => pkgs.find((p) => p.name === d)),
    ...pkgs.filter((p) => p !== own && !own?.deps.includes(p.name)),
  ].filter(Boolean);
  const specifiers = order.flatMap((p) => p.entries.map((e) => e.specifier));
  const prelude = { ...PRELUDE['*'], ...PRELUDE[example.pkg] };
  const header = [];
  const byModule = new Map();
  const known = [];
  const free = [...referenced].filter((n) => !declared.has(n)).sort();
  for (const name of free) {
    if (!imports && !Object.hasOwn(prelude, name)) {
      const from = specifiers.find((s) => exported.get(s)?.has(name));
      if (from) {
        if (!byModule.has(from)) byModule.set(from, []);
        byModule.get(from).push(name);
        continue;
      }
    }
    if (Object.hasOwn(prelude, name)) header.push(`declare const ${name}: ${prelude[name]};`);
    else if (!imports && Object.hasOwn(KNOWN_IMPORTS, name)) known.push(KNOWN_IMPORTS[name]);
  }
  const importLines = [...byModule].map(([from, names]) => `import { ${names.join(', ')} } from '${from}';`);
  const head = [...known, ...importLines, ...header, 'export {};'];
  return { text: `${[...head, ...example.code].join('\n')}\n`, headerLines: head.length };
}

// ---- check -------------------------------------------------------------------------------------

function compilerOptions() {
  const cfg = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  if (cfg.error) throw new Error(ts.flattenDiagnosticMessageText(cfg.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(
    {
      ...cfg.config,
      compilerOptions: {
        ...cfg.config.compilerOptions,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        declaration: false,
        sourceMap: false,
      },
    },
    ts.sys,
    root,
  );
  return parsed.options;
}

function main() {
  const started = Date.now();
  const options = compilerOptions();
  const examples = extractExamples();
  const pkgs = readPackages();
  const { result: exported, program: exportsProgram, missing } = exportsOf(pkgs, options);
  if (missing.length > 0)
    console.log(
      `check-examples: not built, run npx turbo run build: ${missing.map((e) => relative(root, e.types)).join(', ')}`,
    );
  rmSync(runDir, { recursive: true, force: true });
  const byFile = new Map();
  const seen = new Map();
  for (const ex of examples) {
    const base = `${ex.file
      .replace(/^packages\//, '')
      .replace(/\/src\//, '/')
      .replace(/\.ts$/, '')}-${ex.line}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const path = join(runDir, `${base}${n > 1 ? `-${n}` : ''}.ts`);
    const mod = moduleOf(ex, pkgs, exported);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, mod.text);
    byFile.set(path, { ex, ...mod });
  }
  if (examples.length === 0) {
    console.log('check-examples: no @example found in packages/*/src (is the extraction broken?)');
    process.exit(1);
  }
  const program = ts.createProgram({ rootNames: [...byFile.keys()], options, oldProgram: exportsProgram });
  const failures = new Map();
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  if (global.length > 0)
    failures.set(
      '(options)',
      global.map((d) => `tsconfig: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`),
    );
  for (const [path, item] of byFile) {
    const sf = program.getSourceFile(path);
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    for (const d of diags) {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
      let line = item.ex.line;
      if (d.file && d.start !== undefined) {
        const l = d.file.getLineAndCharacterOfPosition(d.start).line;
        if (l >= item.headerLines) line = item.ex.line + (l - item.headerLines);
      }
      if (!failures.has(path)) failures.set(path, []);
      failures.get(path).push(`${item.ex.file}:${line}: TS${d.code}: ${msg}`);
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  try {
    rmSync(outDir, { recursive: true, force: true });
    renameSync(runDir, outDir);
  } catch {
    rmSync(runDir, { recursive: true, force: true }); // another run's modules took the place
  }
  if (failures.size > 0) {
    for (const [path, msgs] of failures) {
      for (const m of msgs) console.log(m);
      if (verbose && byFile.has(path))
        console.log(`--- ${relative(root, join(outDir, relative(runDir, path)))}\n${byFile.get(path).text}---`);
    }
    console.log(
      `${failures.size} of ${examples.length} examples failed to type-check (${seconds} s; modules in ${relative(root, outDir)})`,
    );
    process.exit(1);
  }
  console.log(`${examples.length} examples type-checked (${seconds} s)`);
}

function walk(dir, out = []) {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (isDir(p)) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}
function isDir(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
function trimBlank(lines) {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === '') a++;
  while (b > a && lines[b - 1].trim() === '') b--;
  return lines.slice(a, b);
}

main();
