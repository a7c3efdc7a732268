// The unit project shares one module cache per worker thread (vitest.config.ts, `isolate: false`), so a
// unit test file must leave nothing behind for the files that run after it in the same worker. This checks
// the habits that would leak, file by file, so the failure message is the to-do list:
//   - module mocks and stubbed globals/env (vi.mock, vi.doMock, vi.stubGlobal, vi.stubEnv) — they would
//     replace a module or a global for every later file in the worker; inject a fake instead;
//   - fake timers switched on in a file that never switches them off (vi.useRealTimers);
//   - a document registered through the public registry with no afterAll that unregisters it;
//   - APIs a worker thread does not have (process.chdir, process.umask with an argument).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The reasons a unit test file would leak state into the next file of its worker ([] when it would not). */
function isolationFindings(source: string): string[] {
  const code = source.replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of code.matchAll(/\bvi\.(mock|doMock|stubGlobal|stubEnv)\s*\(/g)) found.push(`vi.${m[1]}`);
  if (/\bvi\.useFakeTimers\s*\(/.test(code) && !/\bvi\.useRealTimers\s*\(/.test(code)) {
    found.push('vi.useFakeTimers without vi.useRealTimers');
  }
  if (/\bregisterDocument\s*\(/.test(code) && !/\bafterAll\s*\(/.test(code)) found.push('registerDocument without afterAll');
  if (/\bprocess\.chdir\s*\(/.test(code)) found.push('process.chdir');
  if (/\bprocess\.umask\s*\(\s*[^)\s]/.test(code)) found.push('process.umask(mask)');
  return found;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('unit tests share a module cache (isolate: false)', () => {
  it('no unit test file leaves mocks, stubs, fake timers or registrations behind', () => {
    const self = resolve(import.meta.filename);
    const findings = testFiles(join(ROOT, 'test/unit'))
      .filter((f) => f !== self)
      .flatMap((f) => isolationFindings(readFileSync(f, 'utf8')).map((why) => `${relative(ROOT, f)}: ${why}`));
    expect(findings).toEqual([]);
  });

  it('the check sees each habit (planted sources)', () => {
    expect(isolationFindings("vi.mock('../../../daemon/log.ts');")).toEqual(['vi.mock']);
    expect(isolationFindings("vi.stubEnv('TZ', 'UTC'); vi.stubGlobal('fetch', f);")).toEqual(['vi.stubEnv', 'vi.stubGlobal']);
    expect(isolationFindings('vi.useFakeTimers();')).toEqual(['vi.useFakeTimers without vi.useRealTimers']);
    expect(isolationFindings('vi.useFakeTimers();\nafterEach(() => vi.useRealTimers());')).toEqual([]);
    expect(isolationFindings('const off = registerDocument(d);')).toEqual(['registerDocument without afterAll']);
    expect(isolationFindings('const off = registerDocument(d);\nafterAll(() => off());')).toEqual([]);
    expect(isolationFindings("process.chdir('/tmp'); process.umask(0o077);")).toEqual(['process.chdir', 'process.umask(mask)']);
    expect(isolationFindings("// vi.mock('x') in a comment\nprocess.umask();")).toEqual([]);
  });
});
