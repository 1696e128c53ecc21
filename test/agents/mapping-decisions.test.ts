// The mapping agent on small synthetic catalogs: each way a doubtful column becomes a decision or a
// warning, generated keys, table matching, and the answer as ferry checks it.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mappingAgent, matchTables, proposeMappings } from '../../src/agents/builtin/mapping/index.js';
import { checkProposals } from '../../src/agents/external-checks.js';
import { AgentAnswer, KINDS_BY_ROLE } from '../../src/agents/protocol.js';
import { agentRequest, migration } from '../support/agent-request.js';
import { type ColumnSketch, catalog, table } from '../support/catalog-fixtures.js';
import { decisions, pasted, propose, readable, summarize, warnings } from './mapping-proposals.js';

describe('decisions and warnings', () => {
  const source = catalog(
    table(
      'legacy.contact',
      { id: 'integer!', email_addr: 'text', email_address: 'text', contact_name: 'text' },
      { primaryKey: ['id'] },
    ),
  );
  const target = catalog(
    table(
      'app.contacts',
      {
        id: 'integer!',
        email: 'text',
        name: 'text',
        display_name: 'text!',
        nickname: 'text',
        source: ['text!', { default: "'legacy'::text" }],
        search: ['text', { generated: 'lower(name)' }],
      },
      { primaryKey: ['id'] },
    ),
  );
  const contacts = migration('contacts', 'legacy.contact', 'app.contacts', target);

  it('raises a decision between two candidates that fit about equally well', () => {
    const proposals = propose(source, target, [contacts]);
    const email = decisions(proposals).find((d) => d.column === 'email');
    expect(email?.question).toBe(
      'email_addr and email_address fit app.contacts.email about equally well (0.90 and 0.90): which one fills it?',
    );
    expect(email?.options.map((o) => pasted(o.yaml))).toEqual([
      { columns: { email: { from: 'email_addr' } } },
      { columns: { email: { from: 'email_address' } } },
      { columns: { email: { omit: true } } },
    ]);
  });

  it('asks what fills a NOT NULL column without a default, never offering to omit it', () => {
    const proposals = propose(source, target, [contacts]);
    expect(readable(decisions(proposals).find((d) => d.column === 'display_name'))).toEqual({
      kind: 'decision',
      migration: 'contacts',
      column: 'display_name',
      question:
        'No column of legacy.contact matches app.contacts.display_name, which is NOT NULL and has no default: what fills it?',
      options: [
        {
          label: 'an SQL expression over the source columns (replace the placeholder)',
          yaml: { columns: { display_name: { expr: '<expression>' } } },
        },
      ],
    });
  });

  it('warns that a nullable column stays NULL, or a column with a default gets it, and skips generated ones', () => {
    const proposals = propose(source, target, [contacts]);
    expect(summarize(proposals)).toEqual([
      'contacts.id ← id (1)',
      'decision contacts.email',
      'contacts.name ← contact_name (0.9)',
      'decision contacts.display_name',
      'warning contacts.nickname',
      'warning contacts.source',
    ]);
    expect(warnings(proposals).map((w) => ({ ...w, yaml: pasted(w.yaml) }))).toEqual([
      {
        kind: 'warning',
        migration: 'contacts',
        column: 'nickname',
        message: 'No column of legacy.contact matches app.contacts.nickname; it will be left NULL.',
        yaml: { columns: { nickname: { omit: true } } },
      },
      {
        kind: 'warning',
        migration: 'contacts',
        column: 'source',
        message:
          "No column of legacy.contact matches app.contacts.source; it will get its default ('legacy'::text).",
        yaml: { columns: { source: { omit: true } } },
      },
    ]);
  });

  it('turns a proposal below the threshold into a decision', () => {
    const strict = propose(source, target, [contacts], 0.95);
    expect(strict.find((p) => p.kind === 'column' && p.column === 'name')).toBeUndefined();
    const name = decisions(strict).find((d) => d.column === 'name');
    expect(name?.question).toBe(
      "The best match for app.contacts.name is contact_name (contact_name carries its table's name as a prefix; same type), with confidence 0.90, below the 0.95 threshold: is it the right column?",
    );
    expect(name?.options.map((o) => pasted(o.yaml))).toEqual([
      { columns: { name: { from: 'contact_name' } } },
      { columns: { name: { omit: true } } },
    ]);
  });
});

describe('keys: generate', () => {
  const source = catalog(
    table('legacy.client', { client_id: 'integer!', client_name: 'text' }, { primaryKey: ['client_id'] }),
  );

  /** The proposals for clients with keys: generate, whose target key is the column `id`. */
  function proposeClients(id: ColumnSketch) {
    const target = catalog(table('app.clients', { id, name: 'text' }, { primaryKey: ['id'] }));
    return propose(source, target, [
      migration('clients', 'legacy.client', 'app.clients', target, { keys: 'generate' }),
    ]);
  }

  it('leaves a key the target generates out, with confidence 1', () => {
    const proposals = proposeClients(['bigint', { identity: true }]);
    expect(proposals[0]).toEqual({
      kind: 'column',
      migration: 'clients',
      column: 'id',
      omit: true,
      confidence: 1,
      reason:
        'keys: generate: the target assigns id itself, and ferry records old → new keys in migration_mappings',
    });
    expect(summarize(proposals).slice(1)).toEqual(['clients.name ← client_name (0.9)']);
  });

  it('asks to keep the legacy keys when the target cannot generate them', () => {
    const proposals = proposeClients('bigint!');
    expect(readable(decisions(proposals)[0]).options).toEqual([
      { label: 'keep the legacy keys', yaml: { keys: 'preserve' } },
    ]);
  });
});

describe('matchTables', () => {
  it('matches singular and plural names, irregular plurals and a shared application prefix', () => {
    const source = catalog(
      table('legacy.app_customer', { id: 'integer', name: 'text' }),
      table('legacy.app_order_item', { id: 'integer', qty: 'integer' }),
      table('legacy.app_person', { id: 'integer', full_name: 'text' }),
      table('legacy.audit', { id: 'integer' }),
    );
    const target = catalog(
      table('app.customers', { id: 'integer', name: 'text' }),
      table('app.invoices', { id: 'integer', total: 'numeric' }),
      table('app.order_items', { id: 'integer', quantity: 'integer' }),
      table('app.people', { id: 'integer', full_name: 'text' }),
    );
    const matches = matchTables(source, target);
    expect(matches.map((m) => [m.target.name, m.source?.name, m.confidence])).toEqual([
      ['customers', 'app_customer', 0.92],
      ['invoices', undefined, 0],
      ['order_items', 'app_order_item', 0.92],
      ['people', 'app_person', 0.92],
    ]);
    expect(matches[1]).toEqual({
      target: { schema: 'app', name: 'invoices' },
      confidence: 0,
      reason: 'no source table matches its name or its columns',
    });
    expect(matches[0]?.reason).toBe(
      'app_customer without its app_ prefix names customers (customer and customers are forms of one word); 2 of 2 columns match by name',
    );
  });
});

describe('the agent', () => {
  const source = catalog(
    table('legacy.item', { id: 'integer!', is_active: 'smallint', label: 'text' }, { primaryKey: ['id'] }),
  );
  const target = catalog(
    table(
      'app.items',
      { id: 'integer!', active: 'boolean', title: 'text!', note: 'text' },
      { primaryKey: ['id'] },
    ),
  );
  const items = agentRequest('mapping', source, target, [
    migration('items', 'legacy.item', 'app.items', target),
  ]);

  it('is the built-in mapping agent and answers only with the kinds of its role', async () => {
    expect([mappingAgent.name, mappingAgent.role]).toEqual(['mapping', 'mapping']);
    const answer = AgentAnswer.parse(await mappingAgent.run(items));
    expect(answer.proposals.length).toBeGreaterThan(0);
    for (const proposal of answer.proposals) expect(KINDS_BY_ROLE.mapping).toContain(proposal.kind);
  });

  it('gives the same answer every time', async () => {
    expect(await mappingAgent.run(items)).toEqual(await mappingAgent.run(structuredClone(items)));
  });

  it('writes YAML that parses into a columns mapping', () => {
    const yamls = proposeMappings(items).flatMap((p) =>
      p.kind === 'decision' ? p.options.map((o) => o.yaml) : p.kind === 'warning' && p.yaml ? [p.yaml] : [],
    );
    expect(yamls.length).toBeGreaterThan(0);
    for (const yaml of yamls) expect(Object.keys(parse(yaml) as object)).toEqual(['columns']);
  });

  it('passes the checks ferry runs on every answer, even for a column the target lacks', () => {
    const ghost = agentRequest('mapping', source, target, [
      migration('items', 'legacy.item', 'app.items', target, { openColumns: ['id', 'ghost'] }),
    ]);
    const proposals = proposeMappings(ghost);
    expect(proposals[1]).toEqual({
      kind: 'warning',
      migration: 'items',
      message: 'app.items has no column ghost, so it cannot be mapped.',
    });
    expect(checkProposals('mapping', 'mapping', ghost, { proposals })).toEqual([]);
    expect(checkProposals('mapping', 'mapping', items, { proposals: proposeMappings(items) })).toEqual([]);
  });

  it('reports migrations whose tables are missing from the catalogs', () => {
    const missing = agentRequest('mapping', source, target, [
      migration('ghost', 'legacy.ghost', 'app.items', target),
    ]);
    expect(proposeMappings(missing)).toEqual([
      {
        kind: 'warning',
        migration: 'ghost',
        message: 'legacy.ghost or app.items is not in the catalog, so its open columns cannot be mapped.',
      },
    ]);
  });
});
