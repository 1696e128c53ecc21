// schemas/agent-protocol.schema.json is generated from the zod protocol: the committed file must equal
// what the generator produces now, and it must accept and refuse what the zod schemas do.

import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { AgentAnswer, AgentRequest } from '../../src/agents/protocol.js';
import { AGENT_PROTOCOL_SCHEMA_ID, agentProtocolJsonSchema } from '../../src/agents/protocol-json-schema.js';

const committed = JSON.parse(readFileSync('schemas/agent-protocol.schema.json', 'utf8')) as unknown;

const REQUEST = {
  protocol: 1,
  role: 'mapping',
  minConfidence: 0.8,
  source: {
    engine: 'mysql',
    serverVersion: '8.4.0',
    tables: [
      {
        schema: 'legacy',
        name: 'cust',
        columns: [
          {
            name: 'cust_nm',
            ordinal: 1,
            type: 'varchar(80)',
            baseType: 'varchar',
            nullable: false,
            serial: false,
            generated: false,
            maxLength: 80,
          },
        ],
        uniqueKeys: [],
        foreignKeys: [],
        checks: [],
        fingerprint: 'f',
      },
    ],
  },
  target: { engine: 'postgres', serverVersion: '17.0', tables: [] },
  migrations: [
    {
      name: 'customers',
      from: { schema: 'legacy', name: 'cust' },
      to: { schema: 'app', name: 'customers' },
      keys: 'generate',
      declaredColumns: { id: { omit: true } },
      openColumns: ['customer_name'],
    },
  ],
};

const ANSWER = {
  proposals: [
    {
      kind: 'column',
      migration: 'customers',
      column: 'customer_name',
      from: 'cust_nm',
      confidence: 0.9,
      reason: 'r',
    },
    { kind: 'warning', migration: 'customers', message: 'cust_nm is shorter than customer_name' },
  ],
};

function validator(definition: 'AgentRequest' | 'AgentAnswer') {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addSchema(agentProtocolJsonSchema());
  const validate = ajv.getSchema(`${AGENT_PROTOCOL_SCHEMA_ID}#/$defs/${definition}`);
  if (!validate) throw new Error(`no $defs/${definition}`);
  return validate;
}

describe('agent protocol JSON Schema', () => {
  it('is committed exactly as generated (run `npm run schemas` after changing protocol.ts)', () => {
    expect(committed).toEqual(agentProtocolJsonSchema());
  });

  it('explains the protocol and defines the request and the answer', () => {
    const schema = agentProtocolJsonSchema();
    expect(schema.description).toContain('stdin');
    expect(Object.keys(schema.$defs)).toEqual(expect.arrayContaining(['AgentRequest', 'AgentAnswer']));
  });

  it('accepts what the zod schemas accept', () => {
    expect(AgentRequest.safeParse(REQUEST).success).toBe(true);
    expect(AgentAnswer.safeParse(ANSWER).success).toBe(true);
    expect(validator('AgentRequest')(REQUEST)).toBe(true);
    expect(validator('AgentAnswer')(ANSWER)).toBe(true);
  });

  it('refuses what the zod schemas refuse', () => {
    const answers = [
      { proposals: [{ ...ANSWER.proposals[0], confidence: 1.5 }] },
      { proposals: [{ ...ANSWER.proposals[0], kind: 'guess' }] },
      { proposals: [{ kind: 'batch', migration: 'm', size: 0, parallelism: 1, confidence: 1, reason: 'r' }] },
      { proposal: [] },
      [],
    ];
    const validate = validator('AgentAnswer');
    for (const answer of answers) {
      expect(AgentAnswer.safeParse(answer).success).toBe(false);
      expect(validate(answer)).toBe(false);
    }
    expect(validator('AgentRequest')({ ...REQUEST, protocol: 2 })).toBe(false);
  });
});
