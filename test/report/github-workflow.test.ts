// examples/github-actions/plan-review.yml cannot run here (no GitHub, no vCenter). What can be checked is: it parses,
// its steps exist in order and call the report command, every shell step is valid bash, and the steps that need
// neither GitHub nor vCenter really run: report with --base, comment assembly, and the create-or-update script
// (against an in-memory stand-in for GitHub's REST client).
import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { DataResource, LocalBackend, TerraformStack } from 'cdktf';
import { KkpSeedStack } from '../../examples/kkp-seed/main';
import { diffReports, planReport, readSynthOutput, renderDiffMarkdown, renderPlanMarkdown, renderReportMarkdown } from '../../src/tools/report';
import { TerraformWorkspace } from '../support/terraform';
import { buildCli, REPO, synthToDisk } from './support';

const WORKFLOW = join(REPO, 'examples/github-actions/plan-review.yml');
const MARKER = '<!-- cdktf-kkp-vsphere:plan-review -->';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
  id?: string;
}

const workflow = parse(readFileSync(WORKFLOW, 'utf8'));
const steps: Step[] = workflow.jobs['plan-review'].steps;
const step = (name: string): Step => {
  const s = steps.find((x) => x.name === name);
  if (!s) throw new Error(`workflow has no step "${name}"`);
  return s;
};

/** Runs a step's shell script as GitHub does (bash -e), with `npx cdktf-kkp-vsphere` served by the built CLI. */
function runStep(s: Step, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const bin = mkdtempSync(join(tmpdir(), 'kkp-npx-'));
  // Only the package's own bin is served; anything else the step would fetch with npx fails the test.
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1" = cdktf-kkp-vsphere ] || { echo "unexpected npx $1" >&2; exit 99; }\nshift\nexec "${process.execPath}" "${buildCli()}" "$@"\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
  const r = spawnSync('bash', ['-e', '-c', s.run!], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('examples/github-actions/plan-review.yml', () => {
  test('runs on pull requests with the permission to comment', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  test('synthesizes, reports with --base from the target branch, plans each stack, comments, in that order', () => {
    const names = steps.map((s) => s.name ?? s.uses);
    const order = [
      'Synthesize the pull request',
      'Synthesize the target branch',
      'Report vSphere permissions',
      'Terraform plan per stack',
      'Report the plans',
      'Assemble the comment',
      'Create or update the pull request comment',
    ];
    const at = order.map((n) => names.indexOf(n));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(step('Synthesize the pull request').run).toContain('cdktf synth --output "$REVIEW_DIR/head"');
    const base = step('Synthesize the target branch');
    expect(base.env!.BASE_REF).toBe('${{ github.base_ref }}');
    expect(base.run).toContain('cdktf synth --output "$REVIEW_DIR/base"');
    expect(step('Report vSphere permissions').run).toContain(
      'npx cdktf-kkp-vsphere report "$REVIEW_DIR/head" --base "$REVIEW_DIR/base"',
    );
    expect(step('Terraform plan per stack').run).toMatch(/terraform -chdir="\$REVIEW_DIR\/head\/\$dir" plan .*-out=plan\.bin/);
    expect(step('Terraform plan per stack').run).toContain('show -json plan.bin > "$REVIEW_DIR/plans/$stack.json"');
    expect(step('Report the plans').run).toContain('npx cdktf-kkp-vsphere report "$REVIEW_DIR/head" "${args[@]}" --max-length 30000');
    expect(step('Create or update the pull request comment').uses).toMatch(/^actions\/github-script@v\d+$/);
  });

  test('every shell step is valid bash', () => {
    for (const s of steps.filter((x) => x.run)) {
      const r = spawnSync('bash', ['-n', '-c', s.run!], { encoding: 'utf8' });
      expect({ step: s.name, status: r.status, stderr: r.stderr }).toEqual({ step: s.name, status: 0, stderr: '' });
    }
  });

  test('the report and comment steps produce one comment with the marker, the changes first, then the full report', () => {
    const review = mkdtempSync(join(tmpdir(), 'kkp-review-'));
    const head = synthToDisk((app) => new KkpSeedStack(app, 'kkp-seed'));
    const base = synthToDisk((app) => new KkpSeedStack(app, 'kkp-seed'));
    const baseTf = join(base, 'stacks/kkp-seed/cdk.tf.json');
    const tf = JSON.parse(readFileSync(baseTf, 'utf8'));
    // The base branch lacked the two additive grants on a datastore: drop that datastore's kkpvsphere_permissions.
    const grants = tf.resource.kkpvsphere_permissions;
    const dropped = Object.keys(grants).filter((k) => grants[k]['//'].kkp.entity === '/dc-1/datastore/ds-ssd-2');
    expect(dropped).toHaveLength(1);
    expect(Object.keys(grants[dropped[0]].permissions)).toHaveLength(2);
    for (const key of dropped) delete grants[key];
    writeFileSync(baseTf, JSON.stringify(tf));
    for (const [dir, to] of [[head, 'head'], [base, 'base']]) {
      spawnSync('cp', ['-r', dir, join(review, to)]);
    }
    const report = runStep(step('Report vSphere permissions'), { REVIEW_DIR: review, BASE_OK: 'true' });
    expect(report.stderr).toBe('');
    expect(report.status).toBe(0);
    const changes = readFileSync(join(review, 'changes.md'), 'utf8');
    expect(changes).toBe(renderDiffMarkdown(diffReports(readSynthOutput(join(review, 'base')), readSynthOutput(join(review, 'head')))));
    expect(changes).toContain('**2 grants added, 0 removed; 0 privileges added, 0 removed.**');
    expect(readFileSync(join(review, 'report.md'), 'utf8')).toBe(
      renderReportMarkdown(readSynthOutput(join(review, 'head')), { title: 'Full report' }),
    );
    expect(JSON.parse(readFileSync(join(review, 'report.json'), 'utf8')).stacks[0].name).toBe('kkp-seed');

    mkdirSync(join(review, 'plans'));
    writeFileSync(join(review, 'plans/kkp-seed.txt'), 'Terraform will perform the following actions:\n\nPlan: 3 to add, 0 to change, 0 to destroy.\n');
    const assemble = runStep(step('Assemble the comment'), { REVIEW_DIR: review });
    expect(assemble.status).toBe(0);
    const comment = readFileSync(join(review, 'comment.md'), 'utf8');
    expect(comment.startsWith(`${MARKER}\n${changes}`)).toBe(true);
    expect(comment).toContain('<details><summary>Full vSphere permissions report</summary>');
    expect(comment).toContain('<details><summary>terraform plan of <code>kkp-seed</code>: Plan: 3 to add, 0 to change, 0 to destroy.</summary>');
    expect(comment.length).toBeLessThan(65536);
  });

  test('a real saved plan is reported first in the comment, with the synth diff and the full report after it', () => {
    const review = mkdtempSync(join(tmpdir(), 'kkp-review-'));
    // A stack terraform can really plan here: one additive grant as a terraform_data (no provider needed).
    const head = join(review, 'head');
    spawnSync('cp', ['-r', synthToDisk((app) => {
      const s = new TerraformStack(app, 'grants');
      new LocalBackend(s, { path: 'terraform.tfstate' });
      new DataResource(s, 'Grant', { input: { principal: 'VSPHERE.LOCAL\\kkp-storage', role: 'kkp-storage', entity: '/dc-1/datastore/ds-1', propagate: true } });
    }), head]);
    const ws = TerraformWorkspace.create(readFileSync(join(head, 'stacks/grants/cdk.tf.json'), 'utf8'));
    ws.init();
    mkdirSync(join(review, 'plans'));
    writeFileSync(join(review, 'plans/grants.json'), JSON.stringify(ws.planJson()));
    ws.remove();
    writeFileSync(join(review, 'plans/grants.txt'), 'Plan: 1 to add, 0 to change, 0 to destroy.\n');
    const r = runStep(step('Report the plans'), { REVIEW_DIR: review, BASE_OK: 'false' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const planMd = readFileSync(join(review, 'plan-report.md'), 'utf8');
    const plan = JSON.parse(readFileSync(join(review, 'plans/grants.json'), 'utf8'));
    expect(planMd).toBe(
      renderPlanMarkdown(planReport([{ stack: 'grants', plan, head: readSynthOutput(head).stacks[0] }]), { title: 'What the plan changes on vCenter', maxLength: 30000 }),
    );
    expect(planMd).toContain('**Plan: 1 to add, 0 to change, 0 to destroy.**');
    writeFileSync(join(review, 'changes.md'), 'CHANGES\n');
    writeFileSync(join(review, 'report.md'), 'FULL\n');
    expect(runStep(step('Assemble the comment'), { REVIEW_DIR: review }).status).toBe(0);
    const comment = readFileSync(join(review, 'comment.md'), 'utf8');
    expect(comment.startsWith(`${MARKER}\n${planMd}\nCHANGES\n`)).toBe(true);
    expect(comment.indexOf('FULL')).toBeGreaterThan(comment.indexOf('CHANGES'));
  });

  test('without a base synth output the report says so and still comments the full report', () => {
    const review = mkdtempSync(join(tmpdir(), 'kkp-review-'));
    spawnSync('cp', ['-r', synthToDisk((app) => new KkpSeedStack(app, 'kkp-seed')), join(review, 'head')]);
    const report = runStep(step('Report vSphere permissions'), { REVIEW_DIR: review, BASE_OK: 'false' });
    expect(report.status).toBe(0);
    expect(readFileSync(join(review, 'changes.md'), 'utf8')).toContain('The target branch did not synthesize');
  });

  describe('the create-or-update script', () => {
    const script = step('Create or update the pull request comment').with!.script;

    async function run(existing: { id: number; body: string; user: { type: string } }[]) {
      const review = mkdtempSync(join(tmpdir(), 'kkp-review-'));
      writeFileSync(join(review, 'comment.md'), `${MARKER}\nnew body\n`);
      const calls: [string, unknown][] = [];
      const github = {
        rest: {
          issues: {
            listComments: 'listComments',
            updateComment: async (args: unknown) => void calls.push(['update', args]),
            createComment: async (args: unknown) => (calls.push(['create', args]), { data: { id: 99 } }),
          },
        },
        paginate: async (what: unknown, args: unknown) => (calls.push(['list', { what, args }]), existing),
      };
      const context = { repo: { owner: 'o', repo: 'r' }, payload: { pull_request: { number: 7 } } };
      const core = { info: (m: string) => void calls.push(['info', m]) };
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
      const saved = process.env.REVIEW_DIR;
      process.env.REVIEW_DIR = review;
      try {
        await new AsyncFunction('require', 'github', 'context', 'core', script)(require, github, context, core);
      } finally {
        process.env.REVIEW_DIR = saved;
      }
      return calls;
    }

    test('creates the comment when the pull request has none with the marker', async () => {
      const calls = await run([{ id: 1, body: 'LGTM', user: { type: 'User' } }, { id: 2, body: `quoting ${MARKER}`, user: { type: 'Bot' } }]);
      expect(calls).toEqual([
        ['list', { what: 'listComments', args: { owner: 'o', repo: 'r', issue_number: 7, per_page: 100 } }],
        ['create', { owner: 'o', repo: 'r', issue_number: 7, body: `${MARKER}\nnew body\n` }],
        ['info', 'created comment 99'],
      ]);
    });

    test('updates the bot comment that starts with the marker, and only that one', async () => {
      const calls = await run([
        { id: 1, body: `${MARKER}\nsomeone pasted it`, user: { type: 'User' } },
        { id: 5, body: `${MARKER}\nold body`, user: { type: 'Bot' } },
      ]);
      expect(calls.slice(1)).toEqual([
        ['update', { owner: 'o', repo: 'r', comment_id: 5, body: `${MARKER}\nnew body\n` }],
        ['info', 'updated comment 5'],
      ]);
    });
  });
});
