// bench/table.ts keeps figures taken differently apart (issue 20): rows that say their kind are printed
// in one table per kind, start-up first, in-process last — never side by side in one table.
import { describe, expect, it } from 'vitest';
import { printTable, stat } from '../../../bench/table.ts';

describe('bench table kinds', () => {
  it('prints one headed table per kind, in a fixed order', () => {
    const md = printTable([
      { group: 'crl', kind: 'in process', what: 'parse', idkiosk: stat([1], 's') },
      { group: 'crl', kind: 'whole command', what: 'import', idkiosk: stat([2], 's') },
      { group: 'startup', kind: 'start-up', what: 'help', idkiosk: stat([3], 'ms') },
    ]);
    const headings = md.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toHaveLength(3);
    expect(headings[0]).toMatch(/^### Start-up/);
    expect(headings[1]).toMatch(/^### Whole commands/);
    expect(headings[2]).toMatch(/^### In process/);
    const sections = md.split('### ').slice(1);
    expect(sections[0]).toContain('| startup | help |');
    expect(sections[0]).not.toContain('| crl |');
    expect(sections[1]).toContain('| crl | import |');
    expect(sections[2]).toContain('| crl | parse |');
  });
});
