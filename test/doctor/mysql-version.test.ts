// Which MySQL and MariaDB versions doctor accepts, warns about or fails, by VERSION() text: the ranges
// docs/doctor.md states (MySQL 5.7 and 8.x, MariaDB 10.3 to 11.x).

import { describe, expect, it } from 'vitest';
import { type MysqlSession, mysqlVersionFinding } from '../../src/doctor/mysql-connection.js';

function finding(version: string) {
  const session = { version, mariadb: /mariadb/i.test(version) } as MysqlSession;
  return mysqlVersionFinding(session);
}

describe('the MySQL source version check', () => {
  it.each([
    ['5.6.51', 'fail', 'MySQL 5.6.51: ferry supports MySQL 5.7 and 8.x (its catalog queries need MySQL 5.7)'],
    ['5.7.44-log', 'ok', 'MySQL 5.7.44-log'],
    ['8.0.36', 'ok', 'MySQL 8.0.36'],
    ['8.4.2', 'ok', 'MySQL 8.4.2'],
    ['9.1.0', 'warn', 'MySQL 9.1.0: newer than the versions ferry supports (MySQL 5.7 and 8.x)'],
    [
      '10.2.44-MariaDB',
      'fail',
      'MariaDB 10.2.44: ferry supports MariaDB 10.3 to 11.x (its catalog queries need MariaDB 10.3)',
    ],
    ['10.3.39-MariaDB-1:10.3.39+maria~ubu2004', 'ok', 'MariaDB 10.3.39'],
    ['10.11.19-MariaDB-0+deb12u1', 'ok', 'MariaDB 10.11.19'],
    ['11.4.2-MariaDB', 'ok', 'MariaDB 11.4.2'],
    [
      '12.0.1-MariaDB',
      'warn',
      'MariaDB 12.0.1: newer than the versions ferry supports (MariaDB 10.3 to 11.x)',
    ],
  ])('%s is %s', (version, status, detail) => {
    expect(finding(version)).toEqual({ status, detail });
  });
});
