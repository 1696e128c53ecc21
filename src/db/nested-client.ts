// A client whose transactions are savepoints of one transaction its owner holds open. Code written
// for real transactions (`begin` … `commit`) then runs unchanged inside a dry run, whose one outer
// transaction is rolled back at the end: every unit of work commits into a savepoint instead.

import type pg from 'pg';

const CONTROL = /^\s*(begin|commit|rollback)\s*;?\s*$/i;

/**
 * Wraps `client`, already inside a transaction: `begin` becomes a savepoint, `commit` releases it,
 * `rollback` rolls back to it; `end` does nothing (the owner closes the connection). Everything else
 * goes to the client unchanged.
 *
 * @example
 * await client.query('BEGIN');
 * await upgradeState(nestTransactions(client)); // its begin/commit are a savepoint
 * await client.query('ROLLBACK'); // and nothing of it is left
 */
export function nestTransactions<C extends pg.ClientBase>(client: C): C {
  let depth = 0;
  const control = (statement: string): string => {
    switch (statement) {
      case 'begin':
        depth += 1;
        return `SAVEPOINT ferry_nested_${depth}`;
      case 'commit':
        depth -= 1;
        return `RELEASE SAVEPOINT ferry_nested_${depth + 1}`;
      default:
        depth -= 1;
        return `ROLLBACK TO SAVEPOINT ferry_nested_${depth + 1}; RELEASE SAVEPOINT ferry_nested_${depth + 1}`;
    }
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'end') return async () => {};
      if (property === 'query') {
        return (text: unknown, ...rest: unknown[]) => {
          const match = typeof text === 'string' ? CONTROL.exec(text) : null;
          const statement = match ? control((match[1] as string).toLowerCase()) : text;
          return (target.query as (...args: unknown[]) => unknown).call(target, statement, ...rest);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
