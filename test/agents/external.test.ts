// External agents run as real processes: small throwaway Node scripts written to a temp directory
// answer well, hang, flood stdout, crash or lie, and each must end in its own FerryError naming it.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkProposals, createExternalAgent, type ExternalAgentOptions } from '../../src/agents/external.js';
import type { AgentAnswer, AgentRequest, AgentRole, Proposal } from '../../src/agents/protocol.js';
import { type ErrorCode, FerryError } from '../../src/errors.js';
import type { ExternalAgentSpec } from '../../src/spec/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function column(name: string, ordinal: number, type = 'text') {
  return { name, ordinal, type, baseType: type, nullable: true, serial: false, generated: false };
}

function table(schema: string, name: string, columns: readonly string[]) {
  return {
    schema,
    name,
    columns: columns.map((c, i) => column(c, i + 1)),
    primaryKey: ['id'],
    uniqueKeys: [],
    foreignKeys: [],
    checks: [],
    fingerprint: `${schema}.${name}`,
  };
}

const REQUEST: AgentRequest = {
  protocol: 1,
  role: 'mapping',
  minConfidence: 0.8,
  source: {
    engine: 'postgres',
    serverVersion: '17.0',
    tables: [table('legacy', 'cust', ['id', 'cust_nm', 'cust_no', 'zip', 'zip_cd', 'remarks'])],
  },
  target: {
    engine: 'postgres',
    serverVersion: '17.0',
    tables: [table('app', 'customers', ['id', 'customer_name', 'customer_number', 'postal_code', 'email'])],
  },
  migrations: [
    {
      name: 'customers',
      from: { schema: 'legacy', name: 'cust' },
      to: { schema: 'app', name: 'customers' },
      keys: 'preserve',
      declaredColumns: { id: { from: 'id' } },
      openColumns: ['customer_name', 'customer_number', 'postal_code', 'email'],
    },
  ],
};

const GOOD_PROPOSAL: Proposal = {
  kind: 'column',
  migration: 'customers',
  column: 'customer_name',
  from: 'cust_nm',
  confidence: 0.95,
  reason: 'cust_nm holds the customer name',
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-agents-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Whether a process with this id still runs (signal 0 only asks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes an agent script and returns its spec: `node <script> ...args`, timing out after `timeoutSeconds`. */
async function writeAgent(
  name: string,
  source: string,
  { args = [], timeoutSeconds = 10 }: { args?: readonly string[]; timeoutSeconds?: number } = {},
): Promise<ExternalAgentSpec> {
  const file = join(dir, `${name}.mjs`);
  await writeFile(file, source);
  return { name, command: ['node', file, ...args], roles: ['mapping'], timeoutSeconds };
}

/** An agent that prints `stdout` exactly, without reading its request. */
function printing(name: string, stdout: string): Promise<ExternalAgentSpec> {
  return writeAgent(name, `process.stdout.write(${JSON.stringify(stdout)});\n`);
}

function answering(name: string, proposals: readonly unknown[]): Promise<ExternalAgentSpec> {
  return printing(name, JSON.stringify({ proposals }));
}

function run(
  spec: ExternalAgentSpec,
  options: ExternalAgentOptions = {},
  request: AgentRequest = REQUEST,
  role: AgentRole = 'mapping',
): Promise<AgentAnswer> {
  return createExternalAgent(spec, role, options).run(request);
}

/** Runs the agent, expecting a FerryError with `code` whose every message names the agent and its role. */
async function expectFailure(
  promise: Promise<unknown>,
  agent: string,
  code: ErrorCode,
  ...fragments: string[]
): Promise<FerryError> {
  const error = await promise.then(
    () => expect.fail(`agent \`${agent}\` should have failed with ${code}`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FerryError);
  const ferryError = error as FerryError;
  expect(ferryError.code).toBe(code);
  for (const diagnostic of ferryError.diagnostics) {
    expect(diagnostic.message).toContain(`agent \`${agent}\` (mapping)`);
    expect(diagnostic.message).not.toMatch(/\n\s+at /);
  }
  for (const fragment of fragments) expect(ferryError.message).toContain(fragment);
  return ferryError;
}

describe('createExternalAgent', () => {
  it('returns the proposals of a correct agent, which is given the request on stdin', async () => {
    const spec = await writeAgent(
      'echo',
      `const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const migration = request.migrations[0];
process.stdout.write(JSON.stringify({ proposals: [{
  kind: 'column', migration: migration.name, column: migration.openColumns[0], from: 'cust_nm',
  confidence: 0.95, reason: 'asked for ' + request.role + ' of ' + migration.openColumns.join(','),
}] }));
`,
    );
    const answer = await run(spec);
    expect(answer.proposals).toEqual([
      {
        kind: 'column',
        migration: 'customers',
        column: 'customer_name',
        from: 'cust_nm',
        confidence: 0.95,
        reason: 'asked for mapping of customer_name,customer_number,postal_code,email',
      },
    ]);
  });

  it('accepts whitespace around the one JSON document', async () => {
    const spec = await printing('spaced', `\n  ${JSON.stringify({ proposals: [GOOD_PROPOSAL] })}  \n\n`);
    expect((await run(spec)).proposals).toEqual([GOOD_PROPOSAL]);
  });

  it('runs the example synonyms agent', async () => {
    const spec: ExternalAgentSpec = {
      name: 'synonyms',
      command: ['node', 'examples/agents/synonyms-agent.mjs'],
      roles: ['mapping'],
      timeoutSeconds: 10,
    };
    const answer = await run(spec, { cwd: ROOT });
    expect(answer.proposals).toEqual([
      expect.objectContaining({ kind: 'column', column: 'customer_name', from: 'cust_nm', confidence: 0.9 }),
      expect.objectContaining({
        kind: 'column',
        column: 'customer_number',
        from: 'cust_no',
        confidence: 0.9,
      }),
      // zip and zip_cd both name postal_code: a person decides.
      expect.objectContaining({
        kind: 'decision',
        column: 'postal_code',
        options: [
          { label: 'copy zip', yaml: 'postal_code: { from: zip }' },
          { label: 'copy zip_cd', yaml: 'postal_code: { from: zip_cd }' },
        ],
      }),
    ]);
    for (const proposal of answer.proposals) {
      if (proposal.kind === 'column') expect(proposal.reason).toContain(proposal.from ?? '');
    }
    const schemaAnswer = await run(spec, { cwd: ROOT }, { ...REQUEST, role: 'schema' }, 'schema');
    expect(schemaAnswer.proposals).toEqual([]);
  });

  it('answers even when the agent does not read a large request', async () => {
    const spec = await answering('deaf', [GOOD_PROPOSAL]);
    const migrations = Array.from({ length: 5000 }, (_, i) => ({ ...REQUEST.migrations[0], name: `m${i}` }));
    const request = { ...REQUEST, migrations: [...REQUEST.migrations, ...migrations] } as AgentRequest;
    expect((await run(spec, {}, request)).proposals).toEqual([GOOD_PROPOSAL]);
  });

  it('stops an agent that hangs at its timeout', async () => {
    const spec = await writeAgent('sleeper', 'setInterval(() => {}, 1000);\n', { timeoutSeconds: 1 });
    const started = Date.now();
    await expectFailure(run(spec), 'sleeper', 'agent.timeout', 'timed out after 1 s');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('kills an agent that ignores SIGTERM', async () => {
    const spec = await writeAgent(
      'stubborn',
      "process.on('SIGTERM', () => {});\nsetInterval(() => {}, 1000);\n",
      { timeoutSeconds: 1 },
    );
    const started = Date.now();
    await expectFailure(run(spec), 'stubborn', 'agent.timeout', 'timed out after 1 s');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('does not wait for a process the agent left behind holding its stdout', async () => {
    const spec = await writeAgent(
      'forker',
      `import { spawn } from 'node:child_process';
spawn(process.execPath, ['-e', 'setTimeout(() => {}, 4000)'], { stdio: 'inherit' }).unref();
process.stdout.write(${JSON.stringify(JSON.stringify({ proposals: [GOOD_PROPOSAL] }))});
`,
    );
    const started = Date.now();
    expect((await run(spec)).proposals).toEqual([GOOD_PROPOSAL]);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops an agent that floods stdout without holding the flood in memory', async () => {
    const spec = await writeAgent(
      'noisy',
      `const chunk = Buffer.alloc(1024 * 1024, 'x');
let written = 0;
function write() {
  while (written < 50) {
    written++;
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', write);
  }
}
write();
`,
    );
    const before = process.memoryUsage().rss;
    await expectFailure(run(spec), 'noisy', 'agent.output-too-large', 'more than 8 MiB');
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('keeps only the end of a long stderr', async () => {
    const spec = await writeAgent(
      'chatty',
      `for (let i = 0; i < 20000; i++) process.stderr.write('progress line ' + i + '\\n');
process.stderr.write('fatal: out of tokens\\n');
process.exitCode = 1;
`,
    );
    const error = await expectFailure(
      run(spec),
      'chatty',
      'agent.crashed',
      'exited with status 1: fatal: out of tokens',
    );
    expect(error.diagnostics[0]?.hint?.length ?? 0).toBeLessThan(1000);
  });

  it('stops an agent that writes stdout for ever, and leaves no process behind', async () => {
    const pidFile = join(dir, 'endless.pid');
    const spec = await writeAgent(
      'endless',
      `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
const chunk = Buffer.alloc(64 * 1024, 'y');
const write = () => { while (process.stdout.write(chunk)); process.stdout.once('drain', write); };
write();
`,
    );
    await expectFailure(run(spec), 'endless', 'agent.output-too-large', 'more than 8 MiB');
    expect(isRunning(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('stops an agent that writes stderr for ever at its timeout, quoting only its last lines', async () => {
    const pidFile = join(dir, 'logger.pid');
    const spec = await writeAgent(
      'logger',
      `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
let line = 0;
const write = () => { while (process.stderr.write('log line ' + line++ + '\\n')); process.stderr.once('drain', write); };
write();
`,
      { timeoutSeconds: 1 },
    );
    const error = await expectFailure(run(spec), 'logger', 'agent.timeout', 'timed out after 1 s');
    expect(error.diagnostics[0]?.hint).toBe(
      'raise `timeoutSeconds` in the agent entry of the project file, or make the agent answer faster',
    );
    expect(isRunning(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('runs the configured program as one file name: shell syntax in it is not interpreted', async () => {
    const pwned = join(dir, 'pwned-by-program');
    for (const program of [
      `touch ${pwned}`,
      `node; touch ${pwned}`,
      `$(touch ${pwned})`,
      `node && touch ${pwned}`,
    ]) {
      const spec: ExternalAgentSpec = {
        name: 'shelly',
        command: [program],
        roles: ['mapping'],
        timeoutSeconds: 10,
      };
      await expectFailure(run(spec), 'shelly', 'agent.crashed', 'could not be started: ENOENT');
    }
    expect(existsSync(pwned)).toBe(false);
  });

  it('reports a crash with its exit status and the last line of stderr', async () => {
    const spec = await writeAgent(
      'crasher',
      "process.stderr.write('loading model\\n\\u001b[31mboom: the endpoint refused the key\\u001b[0m\\n');\nprocess.exit(3);\n",
    );
    await expectFailure(
      run(spec),
      'crasher',
      'agent.crashed',
      'exited with status 3: boom: the endpoint refused the key',
    );
  });

  it('reports a command that does not exist', async () => {
    const spec: ExternalAgentSpec = {
      name: 'ghost',
      command: ['ferry-no-such-agent-command'],
      roles: ['mapping'],
      timeoutSeconds: 10,
    };
    await expectFailure(run(spec), 'ghost', 'agent.crashed', 'could not be started: ENOENT');
  });

  it('passes arguments literally, without a shell', async () => {
    const pwned = join(dir, 'pwned');
    const removed = join(dir, 'x');
    await writeFile(removed, 'still here');
    const args = [`; rm -rf ${removed}`, `$(touch ${pwned})`, `\`touch ${pwned}\``, '*', '$HOME'];
    const spec = await writeAgent(
      'literal',
      `process.stdout.write(JSON.stringify({ proposals: [{ kind: 'warning', migration: 'customers',
  message: JSON.stringify(process.argv.slice(2)) }] }));
`,
      { args },
    );
    const [warning] = (await run(spec)).proposals;
    expect(warning?.kind === 'warning' && JSON.parse(warning.message)).toEqual(args);
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(removed)).toBe(true);
  });

  it('hides the environment variables it is told to hide', async () => {
    const secret = 'postgres://ferry:s3cret-password@db.internal/legacy';
    process.env.FERRY_TEST_HIDDEN_URL = secret;
    process.env.FERRY_TEST_VISIBLE = 'visible-value';
    try {
      const spec = await writeAgent(
        'snoop',
        `process.stdout.write(JSON.stringify({ proposals: [{ kind: 'warning', migration: 'customers',
  message: JSON.stringify(process.env) }] }));
`,
      );
      const [warning] = (await run(spec, { hiddenEnv: ['FERRY_TEST_HIDDEN_URL'] })).proposals;
      const echoed = warning?.kind === 'warning' ? warning.message : '';
      expect(echoed).toContain('visible-value');
      expect(echoed).not.toContain('s3cret-password');
      expect(echoed).not.toContain('FERRY_TEST_HIDDEN_URL');
    } finally {
      delete process.env.FERRY_TEST_HIDDEN_URL;
      delete process.env.FERRY_TEST_VISIBLE;
    }
  });

  describe('refuses answers that are not one valid JSON document', () => {
    it('not JSON', async () => {
      const spec = await printing('garbled', 'Sure! Here are the mappings you asked for:');
      const error = await expectFailure(run(spec), 'garbled', 'agent.invalid-answer', 'one JSON document');
      expect(error.diagnostics[0]?.hint).toContain('{ "proposals": [...] }');
    });

    it('nothing at all', async () => {
      await expectFailure(
        run(await printing('mute', '  \n')),
        'mute',
        'agent.invalid-answer',
        'nothing on stdout',
      );
    });

    it('two JSON documents', async () => {
      const spec = await printing('twice', '{ "proposals": [] }\n{ "proposals": [] }\n');
      await expectFailure(run(spec), 'twice', 'agent.invalid-answer', 'one JSON document');
    });

    it('the wrong shape, naming the first bad field', async () => {
      const spec = await answering('shaky', [
        GOOD_PROPOSAL,
        GOOD_PROPOSAL,
        { ...GOOD_PROPOSAL, confidence: 1.5 },
      ]);
      const error = await expectFailure(
        run(spec),
        'shaky',
        'agent.invalid-answer',
        'proposals[2].confidence: Too big',
      );
      expect(error.diagnostics[0]?.hint).toContain('schemas/agent-protocol.schema.json');
    });

    it('a missing field', async () => {
      const { reason: _reason, ...noReason } = GOOD_PROPOSAL as Proposal & { reason: string };
      const spec = await answering('terse', [noReason]);
      await expectFailure(run(spec), 'terse', 'agent.invalid-answer', 'proposals[0].reason');
    });

    it('an array instead of an object', async () => {
      await expectFailure(
        run(await printing('listy', '[]')),
        'listy',
        'agent.invalid-answer',
        'expected object',
      );
    });
  });

  describe('refuses proposals the request does not allow', () => {
    it('a target column that does not exist', async () => {
      const spec = await answering('inventive', [{ ...GOOD_PROPOSAL, column: 'customer_nme' }]);
      const error = await expectFailure(
        run(spec),
        'inventive',
        'agent.unknown-name',
        'migration `customers`',
        '`customer_nme`',
      );
      expect(error.diagnostics[0]?.hint).toBe('did you mean `customer_name`?');
    });

    it('a source column that does not exist', async () => {
      const spec = await answering('dreamer', [{ ...GOOD_PROPOSAL, from: 'customer_fullname' }]);
      await expectFailure(
        run(spec),
        'dreamer',
        'agent.unknown-name',
        'migration `customers`',
        '`customer_fullname`',
        'legacy.cust',
      );
    });

    it('a migration that is not in the request', async () => {
      const spec = await answering('stray', [{ ...GOOD_PROPOSAL, migration: 'invoices' }]);
      await expectFailure(run(spec), 'stray', 'agent.unknown-name', 'migration `invoices`');
    });

    it('a kind its role may not answer', async () => {
      const batch = {
        kind: 'batch',
        migration: 'customers',
        size: 1000,
        parallelism: 2,
        confidence: 1,
        reason: 'r',
      };
      const spec = await answering('overreach', [batch]);
      await expectFailure(run(spec), 'overreach', 'agent.invalid-answer', 'batch proposal', 'mapping role');
    });

    it.each([
      ['1); DROP TABLE x; --', 'not valid SQL at character 2'],
      ['upper(cust_nm)) FROM legacy.cust; DELETE FROM legacy.cust; SELECT (1', 'not several statements'],
      ['cust_nm) UNION SELECT (passwd', 'must be one expression; it adds a UNION'],
      ['(WITH d AS (DELETE FROM legacy.cust RETURNING 1) SELECT 1)', 'must only read; it contains a DELETE'],
    ])('an expr that is more than one expression: %j', async (expr, reason) => {
      const spec = await answering('injector', [{ ...GOOD_PROPOSAL, from: undefined, expr }]);
      await expectFailure(
        run(spec),
        'injector',
        'agent.invalid-answer',
        'proposals[0] (column `customer_name` of migration `customers`) has an expr that is not one SQL expression:',
        reason,
      );
    });

    it('a column proposal with more than one source', async () => {
      const spec = await answering('greedy', [{ ...GOOD_PROPOSAL, expr: 'upper(cust_nm)' }]);
      await expectFailure(run(spec), 'greedy', 'agent.invalid-answer', 'exactly one of from, expr or omit');
    });
  });
});

describe('checkProposals', () => {
  const check = (role: AgentRole, proposals: readonly Proposal[]) =>
    checkProposals('mapping', role, REQUEST, { proposals: [...proposals] });

  it('accepts proposals that name what the request contains', () => {
    const decision: Proposal = {
      kind: 'decision',
      migration: 'customers',
      column: 'email',
      question: 'Where does email come from?',
      options: [{ label: 'leave it empty', yaml: 'email: { omit: true }' }],
    };
    expect(check('mapping', [GOOD_PROPOSAL, decision])).toEqual([]);
    expect(
      check('mapping', [{ ...GOOD_PROPOSAL, from: undefined, expr: "'n/a'" } as Proposal]).map((d) => d.code),
    ).toEqual([]);
  });

  it('checks the column of decisions and warnings against the target table', () => {
    const warning: Proposal = { kind: 'warning', migration: 'customers', column: 'mail', message: 'm' };
    const [diagnostic] = check('mapping', [warning]);
    expect(diagnostic?.code).toBe('agent.unknown-name');
    expect(diagnostic?.message).toContain('agent `mapping` (mapping): proposals[0]');
  });

  it('reports every wrong proposal in order, and summarizes a flood', () => {
    const wrong = Array.from({ length: 25 }, (_, i) => ({ ...GOOD_PROPOSAL, column: `nope_${i}` }));
    const diagnostics = check('mapping', wrong);
    expect(diagnostics).toHaveLength(21);
    expect(diagnostics[0]?.message).toContain('proposals[0]');
    expect(diagnostics[20]?.message).toBe('agent `mapping` (mapping): 5 more proposals are wrong');
  });

  it('allows each role only its kinds', () => {
    const classification: Proposal = {
      kind: 'classification',
      migration: 'customers',
      class: 'catalog',
      shape: 'plain',
      confidence: 0.9,
      reason: 'few rows, referenced by many',
    };
    expect(check('schema', [classification])).toEqual([]);
    expect(check('mapping', [classification]).map((d) => d.code)).toEqual(['agent.invalid-answer']);
    expect(check('schema', [GOOD_PROPOSAL]).map((d) => d.code)).toEqual(['agent.invalid-answer']);
  });
});
