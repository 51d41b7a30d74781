// Helpers for the report tests: synthesize real cdktf apps to disk, build and run the real CLI, read GitHub Markdown.
import { execFileSync, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App } from 'cdktf';
import MarkdownIt = require('markdown-it');

export const REPO = resolve(__dirname, '../..');

/** Synthesizes an app the way `cdktf synth` does (manifest.json + stacks/<name>/cdk.tf.json) into a fresh directory. */
export function synthToDisk(build: (app: App) => void): string {
  const outdir = mkdtempSync(join(tmpdir(), 'kkp-report-'));
  const app = new App({ outdir, stackTraces: false });
  build(app);
  app.synth();
  return outdir;
}

let cliMain: string | undefined;

/**
 * Compiles the CLI's import graph (src/cli/main.ts and what it imports, with the package's tsconfig) into a private
 * directory, so that parallel tests never race on lib/. Returns the compiled main.js.
 */
export function buildCli(): string {
  if (cliMain) return cliMain;
  const out = join(REPO, 'node_modules', '.cache', 'cdktf-kkp-vsphere-report-test');
  mkdirSync(out, { recursive: true });
  const tsconfig = join(out, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(REPO, 'tsconfig.json'),
      compilerOptions: { rootDir: join(REPO, 'src'), outDir: join(out, 'lib'), declaration: false },
      files: [join(REPO, 'src/cli/main.ts')],
      include: [],
    }),
  );
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { stdio: 'pipe' });
  cliMain = join(out, 'lib', 'cli', 'main.js');
  return cliMain;
}

export function runCli(args: string[], cwd = REPO): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [buildCli(), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const md = new MarkdownIt({ html: true });

type Token = MarkdownIt.Token;

function inlineText(t: Token): string {
  return (t.children ?? []).map((c) => (c.type === 'softbreak' || c.type === 'hardbreak' ? '\n' : c.content)).join('');
}

/**
 * Every table of a Markdown document as GitHub renders it (markdown-it's GFM tables), keyed by the heading above it:
 * header row first, each cell as plain text after Markdown escapes are resolved.
 */
export function tablesOf(markdown: string): Map<string, string[][]> {
  const tokens = md.parse(markdown, {});
  const tables = new Map<string, string[][]>();
  let heading = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'heading_open') heading = inlineText(tokens[i + 1]);
    if (t.type === 'table_open') {
      const rows: string[][] = [];
      let row: string[] = [];
      for (i++; tokens[i].type !== 'table_close'; i++) {
        const x = tokens[i];
        if (x.type === 'tr_open') row = [];
        if (x.type === 'tr_close') rows.push(row);
        if (x.type === 'inline') row.push(inlineText(x));
      }
      // A second table under one heading is keyed "<heading> #2", and so on.
      let key = heading;
      for (let n = 2; tables.has(key); n++) key = `${heading} #${n}`;
      tables.set(key, rows);
    }
  }
  return tables;
}

/** The fenced code blocks of a document with the given info string. */
export function fencesOf(markdown: string, info: string): string[] {
  return md.parse(markdown, {}).filter((t) => t.type === 'fence' && t.info.trim() === info).map((t) => t.content);
}

/** The document as GitHub-flavoured HTML (markdown-it with tables). */
export function renderHtml(markdown: string): string {
  return md.render(markdown);
}
