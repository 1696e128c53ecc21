// The composite action and the workflows (the examples and the repository's own) against GitHub's
// published schemas (@action-validator/core, offline), and held together: every input a workflow
// passes exists, every step an expression names exists, and every script is valid bash.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { execa } from 'execa';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';

const ACTION_PATH = '.github/actions/ferry/action.yml';
const EXAMPLES = ['examples/github/ferry-plan.yml', 'examples/github/ferry-apply.yml'];
const OWN_WORKFLOWS = readdirSync('.github/workflows').map((name) => join('.github/workflows', name));

interface ActionStep {
  readonly id?: string;
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
}

interface Action {
  readonly inputs: Record<string, { default?: string }>;
  readonly outputs: Record<string, { value: string }>;
  readonly runs: { readonly using: string; readonly steps: readonly ActionStep[] };
}

const actionText = readFileSync(ACTION_PATH, 'utf8');
const action = parse(actionText) as Action;

/**
 * The validator's findings as one line each (nested `oneOf` failures by their leaves). Its warning
 * that it does not check `paths` globs against files is expected and kept out of the test output.
 */
function problems(state: { errors: readonly unknown[] }): string[] {
  const leaves = (error: unknown): string[] => {
    const e = error as { states?: { errors: unknown[] }[]; path?: string; title: string; detail?: string };
    if (e.states?.length) return e.states.flatMap((s) => s.errors.flatMap(leaves));
    return [`${e.path ?? ''}: ${e.title}${e.detail ? ` (${e.detail})` : ''}`];
  };
  return state.errors.flatMap(leaves);
}

/** The workflows' steps that use the ferry action, with what they pass it. */
function ferrySteps(path: string): ActionStep[] {
  const workflow = parse(readFileSync(path, 'utf8')) as { jobs: Record<string, { steps: ActionStep[] }> };
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .filter((step) => step.uses?.includes('/.github/actions/ferry@'));
}

describe('GitHub schemas', () => {
  it.each([ACTION_PATH])('%s is a valid action', (path) => {
    expect(problems(validateAction(readFileSync(path, 'utf8')))).toEqual([]);
  });

  it.each([...EXAMPLES, ...OWN_WORKFLOWS])('%s is a valid workflow', (path) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(problems(validateWorkflow(readFileSync(path, 'utf8')))).toEqual([]);
      for (const [message] of warn.mock.calls)
        expect(String(message)).toMatch(/^WARNING: Glob validation is not yet supported/);
    } finally {
      warn.mockRestore();
    }
  });

  it('are really checked: a workflow and an action with mistakes are refused', () => {
    const workflow = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n';
    expect(problems(validateWorkflow(workflow))).toContain(
      "/jobs/a: Property conditions are not met (Additional property 'stepz' is not allowed)",
    );
    const composite = actionText.replace(/^ +shell: bash\n/m, '');
    expect(
      problems(validateAction(composite)).some((p) => p.includes('/shell: This property is required')),
    ).toBe(true);
  });
});

describe('the action and the example workflows', () => {
  it('pass the action only inputs it has, and use it from this repository', () => {
    const inputs = Object.keys(action.inputs);
    const steps = EXAMPLES.flatMap(ferrySteps);
    expect(steps.length).toBe(5);
    for (const step of steps) {
      expect(step.uses).toMatch(/^[\w-]+\/ferry\/\.github\/actions\/ferry@[\w.-]+$/);
      for (const key of Object.keys(step.with ?? {})) expect(inputs).toContain(key);
      expect(['validate', 'plan', 'apply', 'diff', 'verify']).toContain(step.with?.command);
    }
  });

  it('keep secrets from forks, and applies from overlapping', () => {
    const plan = parse(readFileSync(EXAMPLES[0] as string, 'utf8')) as {
      on: Record<string, unknown>;
      jobs: Record<string, { if?: string; environment?: string; steps: ActionStep[]; permissions?: object }>;
    };
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    expect(JSON.stringify(plan.jobs.validate)).not.toContain('secrets.');
    expect(plan.jobs.plan?.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(plan.jobs.plan?.environment).toBe('ferry-plan');
    expect(plan.jobs.plan?.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const apply = parse(readFileSync(EXAMPLES[1] as string, 'utf8')) as {
      on: { push: { branches: string[] } };
      concurrency: { group: string; 'cancel-in-progress': boolean };
      jobs: Record<string, { environment?: string; needs?: string }>;
    };
    expect(apply.on.push.branches).toEqual(['main']);
    expect(apply.concurrency).toEqual({ group: 'ferry-apply-production', 'cancel-in-progress': false });
    expect(apply.jobs.apply?.environment).toBe('production');
  });

  it('apply on merge the plan saved before the approval, as Terraform applies a saved plan', () => {
    const workflow = parse(readFileSync(EXAMPLES[1] as string, 'utf8')) as {
      jobs: Record<string, { environment?: string; needs?: string; steps: ActionStep[] }>;
    };
    const [plan, apply] = [workflow.jobs.plan, workflow.jobs.apply];
    // The plan job has no reviewers to wait for; the apply job's environment does.
    expect(plan?.environment).toBe('production-plan');
    expect(plan?.steps.find((s) => s.with?.command === 'plan')?.with).toEqual({
      command: 'plan',
      comment: 'false',
      'artifact-name': 'ferry-plan',
    });
    expect(apply?.needs).toBe('plan');
    const download = apply?.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with).toEqual({ name: 'ferry-plan', path: '${{ runner.temp }}/ferry-plan' });
    expect(apply?.steps.find((s) => s.with?.command === 'apply')?.with).toEqual({
      command: 'apply',
      'plan-file': '${{ runner.temp }}/ferry-plan/plan.json',
      'artifact-name': 'ferry-apply',
    });
  });

  it('name only steps that exist in its expressions', () => {
    const ids = new Set(action.runs.steps.flatMap((s) => (s.id ? [s.id] : [])));
    const named = [...actionText.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)];
    expect(named.length).toBeGreaterThan(10);
    for (const [, id] of named) expect(ids).toContain(id);
    for (const output of Object.values(action.outputs))
      expect(output.value).toMatch(/^\$\{\{ steps\.[\w-]+\.outputs\.[\w-]+ \}\}$/);
  });

  it('run only scripts that bash can read', async () => {
    const scripts = action.runs.steps.flatMap((s) => (s.run ? [s.run] : []));
    expect(scripts.length).toBe(5);
    for (const script of scripts) {
      // Expressions are replaced by the runner before bash sees the script.
      const text = script.replace(/\$\{\{[^}]*\}\}/g, 'x');
      const checked = await execa('bash', ['-n'], { input: text, reject: false });
      expect(checked.stderr, script.slice(0, 60)).toBe('');
      expect(checked.exitCode).toBe(0);
    }
  });
});
