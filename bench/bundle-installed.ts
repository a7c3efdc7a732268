// The benchmark runner (bench/index.ts) as one ES module for an installed package tree — for
// scripts/bench-arm64.sh, which runs the benchmarks against the arm64 package inside an emulated Debian
// root where neither TypeScript nor tsx nor esbuild exists. The product's npm packages stay external (the
// package ships them, native addons built for its architecture); the benchmarks, the sources they call in
// process and the test-harness code that generates their fixtures are bundled. import.meta.url is rewritten
// as if the file were the checkout's bench/ (scripts/build.ts sourceUrls), so installed at
// /usr/lib/idkiosk/bench/ it finds the package's fixtures. esbuild itself (scripts/build.ts, for
// ensureBundle) becomes a stub that throws: the installed bundle (IDKIOSK_BENCH_BUNDLE) is measured as it is.
//   npx tsx bench/bundle-installed.ts OUTFILE
import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { packageOf, ROOT, sourceUrls } from '../scripts/build.ts';

const outfile = process.argv[2];
if (!outfile) throw new Error('usage: bench/bundle-installed.ts OUTFILE');

const shipped = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);

const installedPackages: Plugin = {
  name: 'idkiosk-bench-installed',
  setup(b) {
    b.onResolve({ filter: /^esbuild$/ }, () => ({ path: 'esbuild', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "export function build() { throw new Error('no esbuild here: set IDKIOSK_BENCH_BUNDLE to the installed bundle'); }",
      loader: 'js',
    }));
    // build.ts's own import.meta.url (its ROOT) is left alone: sourceUrls' plain text replacement would
    // also rewrite the string in its banner; bundled here, ROOT is the package directory, as it should be.
    // Its "run as a script" check would be true here (same import.meta.url as argv[1]): switched off.
    b.onLoad({ filter: /scripts[\\/]build\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/^if \(import\.meta\.url === pathToFileURL\(process\.argv\[1\][^\n]*\{$/m, 'if (false) {'),
      loader: 'ts',
    }));
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      isBuiltin(args.path) || !shipped.includes(packageOf(args.path)) ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [join(ROOT, 'bench', 'index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [installedPackages, sourceUrls(join(ROOT, 'bench'))],
  logLevel: 'error',
  // bundled CommonJS (the harness's dev packages) calls require(); an ES module has none of its own
  banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module';\nconst require = __benchCreateRequire(import.meta.url);" },
});
console.log(`bench bundle → ${outfile}`);
