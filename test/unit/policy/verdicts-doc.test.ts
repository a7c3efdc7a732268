// docs/verdicts.md keeps up with the code: every document flow the kiosk has is a row of its table, and
// every outcome, authenticity and holder binding the verdict model knows is explained there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS } from '../../../daemon/documents/registry.ts';
import { AUTHENTICITIES, HOLDER_BINDINGS, OUTCOMES } from '../../../daemon/result/result-view.ts';

const doc = readFileSync(new URL('../../../docs/verdicts.md', import.meta.url), 'utf8');
const tableRows = doc.split('\n').filter((l) => l.startsWith('| '));

describe('docs/verdicts.md', () => {
  // 'mynumber' is the configurable alias that runs one of the My Number flows (mynumber.mode).
  it.each([...DOCUMENTS.keys()].filter((d) => d !== 'mynumber'))('has a row for %s', (id) => {
    expect(tableRows.some((row) => new RegExp(`\\*\\*[^*]*\\b${id}\\b[^*]*\\*\\*`).test(row))).toBe(true);
  });

  it('explains every outcome, authenticity and holder binding value', () => {
    for (const v of [...OUTCOMES, ...AUTHENTICITIES, ...HOLDER_BINDINGS]) expect(doc).toContain(`\`${v}\``);
    expect(doc).toContain('acceptChipRead');
    expect(doc).toContain('**0** verified · **3** chip-read · **1** refused · **2** error');
  });
});
