import { HashLog } from './hash-log';
import { RowLog } from './row-log';

describe('HashLog', () => {
  it('finds repeated ids and answers membership after sealing', () => {
    const log = new HashLog();
    for (let i = 0; i < 5000; i++) log.add(`res-${i}`);
    log.add('res-42');
    expect(log.seal().size).toBe(1);
    expect(log.mayHave('res-4999')).toBe(true);
    expect(log.mayHave('res-5000')).toBe(false);
  });
});

describe('RowLog', () => {
  it('gives back what was appended, across chunks and with any characters', () => {
    const log = new RowLog();
    const refs: number[] = [];
    for (let i = 0; i < 20000; i++) refs.push(log.append([i, `Åsa "${i}"\n`, null, 'x'.repeat(i % 500)]));
    expect(log.read(refs[0])).toEqual([0, 'Åsa "0"\n', null, '']);
    expect(log.read(refs[19999])).toEqual([19999, 'Åsa "19999"\n', null, 'x'.repeat(19999 % 500)]);
  });
});
