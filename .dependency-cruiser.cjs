/**
 * Layering rules of modelship (ARCHITECTURE.md), checked in CI by `npm run lint:deps`.
 * Type-only imports count as dependencies (tsPreCompilationDeps), so a type cycle is a cycle too.
 */
const PKG = '^packages/([^/]+)/';
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only ones included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-cross-package-relative',
      severity: 'error',
      comment:
        'A package imports another only through its package name (public exports), never by a relative path into its folder.',
      from: { path: PKG },
      to: { path: '^packages/([^/]+)/(src|test)/', pathNot: ['^packages/$1/'] },
    },
    {
      name: 'core-imports-no-sibling-but-leaves',
      severity: 'error',
      comment:
        'core (what a serving replica installs) imports no modelship package but the leaf packages trees and stats, and no training library.',
      from: { path: '^packages/core/src/' },
      to: {
        path: ['^packages/(?!core/|trees/|stats/)', 'node_modules/(csv-parse|ml-[^/]+|simple-statistics)/'],
      },
    },
    {
      name: 'leaves-import-no-modelship',
      severity: 'error',
      comment: 'trees and stats are leaves: they import no other modelship package.',
      from: { path: '^packages/(trees|stats)/src/' },
      to: { path: '^packages/(?!trees/|stats/)' },
    },
    {
      name: 'leaves-import-each-other-not',
      severity: 'error',
      from: { path: '^packages/(trees|stats)/src/' },
      to: { path: '^packages/(trees|stats)/', pathNot: ['^packages/$1/'] },
    },
    {
      name: 'stores-import-only-core',
      severity: 'error',
      comment: 'A registry store (or a plugin) imports core (the interface it implements), never a sibling.',
      from: { path: '^packages/(registry-fs|registry-s3)/src/' },
      to: { path: '^packages/', pathNot: ['^packages/$1/', '^packages/core/'] },
    },
    {
      name: 'outcomes-redis-imports-only-core',
      severity: 'error',
      comment:
        'The Redis outcome store and lease import core (the interfaces and aggregates), never a sibling: the lease implements the controller interface structurally.',
      from: { path: '^packages/outcomes-redis/src/' },
      to: { path: '^packages/', pathNot: ['^packages/outcomes-redis/', '^packages/core/'] },
    },
    {
      name: 'jobs-bullmq-imports-controller-and-core',
      severity: 'error',
      comment:
        "The BullMQ job runner implements the controller's JobRunner and runs its training (controller) over the registry (core), nothing else.",
      from: { path: '^packages/jobs-bullmq/src/' },
      to: { path: '^packages/', pathNot: ['^packages/(jobs-bullmq|controller|core)/'] },
    },
    {
      name: 'prediction-log-sql-imports-only-core',
      severity: 'error',
      comment:
        'The SQL prediction-log sinks import core (errors, logger), never a sibling: they implement the router sink interface structurally.',
      from: { path: '^packages/prediction-log-sql/src/' },
      to: { path: '^packages/', pathNot: ['^packages/prediction-log-sql/', '^packages/core/'] },
    },
    {
      name: 'conformance-imports-only-core',
      severity: 'error',
      from: { path: '^packages/registry-conformance/src/' },
      to: { path: '^packages/', pathNot: ['^packages/registry-conformance/', '^packages/core/'] },
    },
    {
      name: 'onnx-imports-only-core-and-trees',
      severity: 'error',
      comment:
        'The ONNX export reads a model artifact (core) and its compiled ensemble (trees), never the training stack.',
      from: { path: '^packages/onnx/src/' },
      to: { path: '^packages/', pathNot: ['^packages/(onnx|core|trees|stats)/'] },
    },
    {
      name: 'drift-imports-core-types-only',
      severity: 'error',
      comment:
        'drift uses only the types of core (and the stats leaf for special functions); the one value it takes is the ' +
        'component contract of `@modelship/core/events` (SafeEmitter, childLogger), which loads nothing else of core.',
      from: { path: '^packages/drift/src/' },
      to: { path: '^packages/core/', pathNot: ['^packages/core/dist/events\\.'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'drift-imports-no-other-sibling',
      severity: 'error',
      from: { path: '^packages/drift/src/' },
      to: { path: '^packages/', pathNot: ['^packages/(drift|core|stats)/'] },
    },
    {
      name: 'router-imports-only-core',
      severity: 'error',
      comment: 'The router is part of a serving replica: core only, no training stack.',
      from: { path: '^packages/router/src/' },
      to: { path: '^packages/', pathNot: ['^packages/(router|core|trees|stats)/'] },
    },
    {
      name: 'train-imports-no-serving-sibling',
      severity: 'error',
      from: { path: '^packages/train/src/' },
      to: { path: '^packages/', pathNot: ['^packages/(train|core|trees|stats|drift)/'] },
    },
    {
      name: 'controller-imports-no-serving-adapter',
      severity: 'error',
      comment:
        'The controller runs the lifecycle over the registry, outcomes, drift and the training stack; it never imports the router or the HTTP adapter (they depend on it, not the other way).',
      from: { path: '^packages/controller/src/' },
      to: { path: '^packages/', pathNot: ['^packages/(controller|core|trees|stats|drift|train|datasets)/'] },
    },
    {
      name: 'adapters-express-imports',
      severity: 'error',
      comment: 'The HTTP adapter builds on the router, the controller and core; never on the training stack directly.',
      from: { path: '^packages/adapters-express/src/' },
      to: { path: '^packages/', pathNot: ['^packages/(adapters-express|core|trees|stats|router|controller|drift)/'] },
    },
    {
      name: 'examples-import-package-roots',
      severity: 'error',
      comment:
        'An example imports package roots or their public subpaths (through node_modules), never internals by path.',
      from: { path: '^(examples|bench)/' },
      to: { path: '^packages/[^/]+/(src|test)/' },
    },
    {
      name: 'examples-stay-in-their-folder',
      severity: 'error',
      from: { path: '^examples/([^/]+)/' },
      to: { path: '^examples/', pathNot: ['^examples/$1/'] },
    },
    {
      name: 'src-imports-no-test',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '(^|/)test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '/dist/'] },
    exclude: { path: ['vitest\\.config\\.ts$', 'tsup\\.config\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
