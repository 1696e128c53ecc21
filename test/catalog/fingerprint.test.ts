// Table fingerprints as a pure function: structure in, names and statistics out.

import { describe, expect, it } from 'vitest';
import { fingerprintTable, type UnfingerprintedTable } from '../../src/catalog/fingerprint.js';

const accounts: UnfingerprintedTable = {
  schema: 'app',
  name: 'accounts',
  columns: [
    {
      name: 'id',
      ordinal: 1,
      type: 'integer',
      baseType: 'int4',
      nullable: false,
      default: "nextval('app.accounts_id_seq'::regclass)",
      serial: true,
      generated: false,
    },
    {
      name: 'owner',
      ordinal: 2,
      type: 'integer',
      baseType: 'int4',
      nullable: true,
      serial: false,
      generated: false,
    },
    {
      name: 'email',
      ordinal: 3,
      type: 'text',
      baseType: 'text',
      nullable: false,
      serial: false,
      generated: false,
    },
  ],
  primaryKey: ['id'],
  uniqueKeys: [['email'], ['owner', 'email']],
  foreignKeys: [
    {
      name: 'accounts_owner_fkey',
      columns: ['owner'],
      referencedSchema: 'app',
      referencedTable: 'accounts',
      referencedColumns: ['id'],
      onDelete: 'set null',
      deferrable: false,
    },
  ],
  checks: [
    { name: 'accounts_email_check', expression: "CHECK ((email <> ''::text))" },
    { name: 'accounts_owner_check', expression: 'CHECK ((owner > 0))' },
  ],
};

describe('fingerprintTable', () => {
  it('ignores statistics, constraint names, the order constraints were listed in and serial sequence names', () => {
    const renamed: UnfingerprintedTable = {
      ...accounts,
      name: 'accounts_v2',
      columns: accounts.columns.map((column) =>
        column.serial ? { ...column, default: "nextval('app.accounts_v2_id_seq'::regclass)" } : column,
      ),
      uniqueKeys: [...accounts.uniqueKeys].reverse(),
      foreignKeys: accounts.foreignKeys.map((foreignKey) => ({ ...foreignKey, name: 'owner_is_an_account' })),
      checks: [...accounts.checks].reverse().map((check, i) => ({ ...check, name: `check_${i}` })),
      rowEstimate: 1200,
      averageRowWidth: 48,
    };
    expect(fingerprintTable(renamed)).toBe(fingerprintTable(accounts));
  });

  it('follows column order, types, defaults and referential actions', () => {
    const [id, owner, email] = accounts.columns;
    if (!id || !owner || !email) throw new Error('fixture has three columns');
    const variants: UnfingerprintedTable[] = [
      { ...accounts, columns: [id, email, owner] },
      { ...accounts, columns: [id, owner, { ...email, type: 'character varying(200)' }] },
      { ...accounts, columns: [id, { ...owner, default: '0' }, email] },
      {
        ...accounts,
        foreignKeys: accounts.foreignKeys.map((key) => ({ ...key, onDelete: 'cascade' as const })),
      },
    ];
    const hashes = new Set([accounts, ...variants].map(fingerprintTable));
    expect(hashes.size).toBe(variants.length + 1);
  });
});
