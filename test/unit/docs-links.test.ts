import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** Never walked: dependencies, git, and what .gitignore keeps out of the repository. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'dist', '.cache', 'results', 'coverage']);
// Spelled in pieces so this file does not itself mention what it forbids.
const OUTSIDE_SPEC = ['shared', 'spec'].join('/');
const OUTSIDE_SHARED = ['..', 'shared'].join('/');
const MACHINE_PATH = `/${'work'}/`;

function walk(directory: string, keep: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) found.push(...walk(path, keep));
    } else if (keep(path)) found.push(path);
  }
  return found;
}

const repoPath = (path: string) => relative(ROOT, path).split(sep).join('/');
const markdownFiles = walk(ROOT, (path) => path.endsWith('.md')).sort();

/** The lines of a Markdown file outside fenced code blocks, with inline code spans blanked out. */
function proseLines(text: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) fence = marker;
    else if (fence !== undefined && marker !== undefined && marker.startsWith(fence)) fence = undefined;
    else if (fence === undefined)
      lines.push(line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length)));
  }
  return lines;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens (github-slugger). */
function slug(headingText: string): string {
  const text = headingText
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown file defines: heading slugs (repeats get -1, -2, ...) and HTML ids/names. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    for (const match of line.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) fence = marker;
    else if (fence !== undefined && marker !== undefined && marker.startsWith(fence)) fence = undefined;
    const heading = fence === undefined ? /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line) : null;
    if (heading === null) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Inline links and images `[text](target "title")` and reference definitions `[label]: target`. */
function linksOf(file: string): Link[] {
  const links: Link[] = [];
  proseLines(readFileSync(file, 'utf8')).forEach((line, index) => {
    const targets = [
      ...[...line.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!),
      ...[...line.matchAll(/^ {0,3}\[[^\]]+\]:\s*(\S+)/g)].map((match) => match[1]!),
    ];
    for (const target of targets) {
      links.push({ file: repoPath(file), line: index + 1, target: target.replace(/^<|>$/g, '') });
    }
  });
  return links;
}

/** Why a link is broken, or undefined when it resolves inside the repository. */
function problemOf({ file, target }: Link): string | undefined {
  if (/^https?:\/\//i.test(target) || /^mailto:/i.test(target)) return undefined; // allowed, not fetched
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return 'is not a relative link or an http(s) URL';
  if (target.startsWith('/')) return 'is an absolute path';
  const [rawPath = '', anchor] = target.split('#', 2);
  const path = rawPath === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), decodeURI(rawPath));
  if (path !== ROOT && !path.startsWith(ROOT + sep)) return 'points outside the repository';
  if (path.split(sep).some((part) => SKIPPED_DIRECTORIES.has(part))) return 'points into an ignored folder';
  if (!existsSync(path)) return 'points to a file that does not exist';
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(path).isDirectory() || extname(path) !== '.md') {
    return /^L\d+(-L\d+)?$/.test(anchor) ? undefined : 'has an anchor on a file without headings';
  }
  const anchors = anchorsOf(readFileSync(path, 'utf8'));
  return anchors.has(decodeURIComponent(anchor)) ? undefined : `names a heading that does not exist`;
}

describe('links in the Markdown files', () => {
  it('finds the documentation to check', () => {
    const files = markdownFiles.map(repoPath);
    expect(files).toContain('README.md');
    expect(files).toContain('docs/contract/README.md');
    expect(files.some((file) => file.startsWith('node_modules/'))).toBe(false);
  });

  it('resolve to files inside the repository, and their anchors to headings', () => {
    const broken = markdownFiles
      .flatMap(linksOf)
      .map((link) => ({ link, problem: problemOf(link) }))
      .filter(({ problem }) => problem !== undefined)
      .map(({ link, problem }) => `${link.file}:${link.line}: (${link.target}) ${problem}`);

    expect(broken).toEqual([]);
  });

  it('name no path outside the repository, in links or in text', () => {
    const outside = markdownFiles.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, where: `${repoPath(file)}:${index + 1}` }))
        .filter(({ line }) => line.includes(OUTSIDE_SHARED) || line.includes(MACHINE_PATH))
        .map(({ line, where }) => `${where}: ${line.trim()}`),
    );

    expect(outside).toEqual([]);
  });
});

describe('the contract', () => {
  it('is referred to inside the repository, never in the old shared folder', () => {
    const sources = [
      ...walk(join(ROOT, 'src'), (path) => /\.(md|ts|js|sql)$/.test(path)),
      ...walk(join(ROOT, 'test'), (path) => /\.(md|ts|js)$/.test(path)),
      ...walk(join(ROOT, 'docs'), (path) => /\.(md|ts|js)$/.test(path)),
      join(ROOT, 'README.md'),
    ];
    const mentions = sources
      .filter((path) => readFileSync(path, 'utf8').includes(OUTSIDE_SPEC))
      .map(repoPath);

    expect(mentions).toEqual([]);
  });

  it('has its index and its four pages', () => {
    for (const page of ['README', 'events', 'semantics', 'views', 'record-files-and-dumps']) {
      expect(existsSync(join(ROOT, 'docs/contract', `${page}.md`)), page).toBe(true);
    }
  });
});
