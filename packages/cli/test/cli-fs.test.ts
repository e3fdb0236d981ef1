import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsStore } from '@modelship/registry-fs';
import { commandSuite } from './commands-suite.js';

commandSuite('fs registry', async () => {
  const root = join(mkdtempSync(join(tmpdir(), 'modelship-cli-reg-')), 'registry');
  return { args: ['--registry', root], env: {}, store: () => new FsStore({ root }) };
});
