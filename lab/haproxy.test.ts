import { describe, expect, it } from 'vitest';
import { isOut, isUp, parseStatsCsv } from './haproxy.ts';

const csv = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
mysql,FRONTEND,,,0,3,2000,10,0,0,0,0,0,,,,,OPEN,
galera,mariadb-1,0,0,1,2,,5,0,0,,0,,0,0,0,0,UP,1
galera,mariadb-2,0,0,0,2,,5,0,0,,0,,0,0,0,0,DOWN,1
galera,mariadb-3,0,0,0,2,,5,0,0,,0,,0,0,0,0,UP 1/2,1
galera,BACKEND,0,0,1,3,200,10,0,0,0,0,,0,0,0,0,UP,2
`;

describe('parseStatsCsv', () => {
  it('reads server statuses, without frontends and backends', () => {
    expect(parseStatsCsv(csv)).toEqual([
      { backend: 'galera', server: 'mariadb-1', status: 'UP' },
      { backend: 'galera', server: 'mariadb-2', status: 'DOWN' },
      { backend: 'galera', server: 'mariadb-3', status: 'UP 1/2' },
    ]);
  });
  it('finds the columns by the header\'s names, wherever they are', () => {
    const short = '# pxname,svname,qcur,status,x\nmysql,FRONTEND,,OPEN,\ngalera,mariadb-1,0,UP,\ngalera,mariadb-2,0,DOWN,\ngalera,BACKEND,0,UP,\n';
    expect(parseStatsCsv(short)).toEqual([
      { backend: 'galera', server: 'mariadb-1', status: 'UP' },
      { backend: 'galera', server: 'mariadb-2', status: 'DOWN' },
    ]);
  });
  it('returns nothing for a body that is not the CSV', () => {
    expect(parseStatsCsv('<html>')).toEqual([]);
  });
});

describe('status meaning', () => {
  it('DOWN and MAINT are out of rotation; DOWN 1/2 is coming back, not out', () => {
    expect(isOut('DOWN')).toBe(true);
    expect(isOut('MAINT')).toBe(true);
    expect(isOut('DOWN 1/2')).toBe(false);
    expect(isOut('UP 1/2')).toBe(false);
    expect(isUp('UP')).toBe(true);
    expect(isUp('UP 1/2')).toBe(false);
    expect(isUp('DOWN')).toBe(false);
  });
});
