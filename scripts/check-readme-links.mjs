#!/usr/bin/env node
// Checks the links of every package's README as npmjs.com shows it (issue 15: tarball README links):
// the README is rendered from the tarball, where a relative link to a file outside the package
// (`../core/README.md`, `../../docs/x.png`) is broken. For each packages/<name>/README.md:
//   - a relative link or image must name a file that `npm pack --dry-run` ships (a link into
//     another package or the repository is an absolute URL on the repository instead);
//   - an anchor (`#x`, or `file.md#x` into a shipped Markdown file) must match a heading (GitHub's
//     slugs) or an HTML id/name;
//   - an absolute link into this repository (`<repository>/blob|tree/<branch>/<path>`) must name a
//     path that exists in the working tree.
// Prints `file:line: message` for each broken link and exits 1, or prints `N links checked in M READMEs`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `https://github.com/owner/name` from a package.json `repository` field, or undefined. */
function repositoryUrl(repo) {
  const url = typeof repo === 'string' ? repo : repo?.url;
  if (typeof url !== 'string') return undefined;
  return url
    .replace(/^git\+/, '')
    .replace(/^git:\/\//, 'https://')
    .replace(/\.git$/, '');
}

/** The files `npm pack` would put in each package's tarball: Map<package name, Set<path in the package>>. */
function packedFiles(dirs) {
  return new Promise((resolvePacked, reject) => {
    // One npm process for every workspace (-w each): a few seconds instead of one npm per package.
    const args = ['pack', '--dry-run', '--json', '--ignore-scripts', ...dirs.flatMap((d) => ['-w', relative(root, d)])];
    const child = spawn('npm', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`npm ${args.join(' ')} failed:\n${err}`));
      try {
        resolvePacked(new Map(JSON.parse(out).map((p) => [p.name, new Set(p.files.map((f) => f.path))])));
      } catch (e) {
        reject(new Error(`npm pack --dry-run: unreadable output (${e.message})`));
      }
    });
  });
}

/** Every link and image of a Markdown text, outside code: { url, line }. */
function linksOf(markdown) {
  const links = [];
  let fence = null;
  markdown.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const open = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length) fence = null;
      return;
    }
    if (open) {
      fence = open[1];
      return;
    }
    const text = raw.replace(/(`+)[^`]*?\1/g, (m) => ' '.repeat(m.length)); // inline code
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(text);
    if (def) links.push({ url: def[1], line });
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)/g)) links.push({ url: m[1].replace(/^<|>$/g, ''), line });
    for (const m of text.matchAll(/<(?:a|img|source)\b[^>]*?\s(?:href|src|srcset)\s*=\s*["']([^"'\s]+)/gi))
      links.push({ url: m[1], line });
  });
  return links;
}

/** The anchors of a Markdown text: GitHub's heading slugs (with -1, -2… for repeats) and HTML ids. */
function anchorsOf(markdown) {
  const anchors = new Set();
  const counts = new Map();
  let fence = null;
  for (const raw of markdown.split('\n')) {
    const open = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length) fence = null;
      continue;
    }
    if (open) {
      fence = open[1];
      continue;
    }
    for (const m of raw.matchAll(/<[a-z]+\b[^>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(m[1]);
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (!h) continue;
    const text = h[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, '') // HTML tags
      .replace(/[*_~`]/g, (c) => (c === '_' ? '_' : '')); // emphasis and code marks (`_` is kept by GitHub)
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

async function main() {
  const started = Date.now();
  const rootRepo = repositoryUrl(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).repository);
  const dirs = readdirSync(join(root, 'packages'))
    .sort()
    .map((d) => join(root, 'packages', d))
    .filter((d) => existsSync(join(d, 'package.json')));
  const problems = [];
  let checked = 0;
  let readmes = 0;
  const packed = await packedFiles(dirs);
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const files = packed.get(pkg.name);
    if (!files) throw new Error(`npm pack --dry-run listed no files for ${pkg.name}`);
    const readme = [...files].find((f) => /^readme(\.md|\.markdown)?$/i.test(f));
    const relDir = relative(root, dir).split('\\').join('/');
    if (!readme) {
      console.log(`note: ${relDir}: ${pkg.name} ships no README (npmjs.com shows none)`);
      continue;
    }
    readmes++;
    const readmePath = `${relDir}/${readme}`;
    const text = readFileSync(join(dir, readme), 'utf8');
    const own = anchorsOf(text);
    const repo = repositoryUrl(pkg.repository) ?? rootRepo;
    const where = (line) => `${readmePath}:${line}`;
    for (const { url, line } of linksOf(text)) {
      checked++;
      if (url.startsWith('#')) {
        const anchor = decodeURIComponent(url.slice(1));
        if (!own.has(anchor)) problems.push(`${where(line)}: ${url}: no heading with this anchor in ${readmePath}`);
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//')) {
        const inRepo = repo && repoPath(url, repo);
        if (inRepo !== undefined && !existsSync(join(root, inRepo)))
          problems.push(`${where(line)}: ${url}: no ${inRepo || '(root)'} in the repository`);
        continue;
      }
      const [pathPart, fragment] = url.split('#', 2);
      const target = posix.normalize(posix.join(posix.dirname(readme), decodeURIComponent(pathPart.split('?')[0])));
      const inRepo = posix.normalize(posix.join(relDir, target));
      const kind = /\.(png|jpe?g|gif|svg|webp|avif)$/i.test(target)
        ? 'raw' // an image: the file itself, not GitHub's page of it
        : existsSync(join(root, inRepo)) && isDirectory(join(root, inRepo))
          ? 'tree'
          : 'blob';
      const suggestion = repo
        ? ` (link to ${repo}/${kind}/main/${inRepo}${fragment ? `#${fragment}` : ''})`
        : ' (add a "repository" field to package.json and link to the repository)';
      if (target.startsWith('../') || target === '..') {
        problems.push(`${where(line)}: ${url}: outside the package, broken on npmjs.com${suggestion}`);
      } else if (!files.has(target)) {
        const why = existsSync(join(dir, target))
          ? isDirectory(join(dir, target))
            ? 'a folder, not a file of the tarball'
            : 'not in the tarball (add it to package.json "files")'
          : 'no such file';
        problems.push(`${where(line)}: ${url}: ${why}${suggestion}`);
      } else if (fragment && /\.(md|markdown)$/i.test(target)) {
        if (!anchorsOf(readFileSync(join(dir, target), 'utf8')).has(decodeURIComponent(fragment)))
          problems.push(`${where(line)}: ${url}: no heading with this anchor in ${relDir}/${target}`);
      }
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    for (const p of problems) console.log(p);
    console.log(`${problems.length} broken README links (${checked} links in ${readmes} READMEs, ${seconds} s)`);
    process.exit(1);
  }
  console.log(`${checked} links checked in ${readmes} package READMEs (${seconds} s)`);
}

/** The repository path an absolute URL names (`<repo>/blob/<ref>/<path>`, `<repo>/tree/…`, `<repo>`), or undefined. */
function repoPath(url, repo) {
  const plain = url.split('#')[0].split('?')[0].replace(/\/$/, '');
  if (plain === repo) return '';
  const m = new RegExp(`^${repo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(?:blob|tree|raw)/[^/]+/(.+)$`).exec(plain);
  return m ? decodeURIComponent(m[1]) : undefined;
}

function isDirectory(p) {
  try {
    return readdirSync(p) !== undefined;
  } catch {
    return false;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
