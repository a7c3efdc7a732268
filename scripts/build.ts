// `npm run build`: the production bundle (CLI + daemon, ESM, no tsx at run time) — dist/bundle-<build>/
// (entry and chunks), the stub dist/idkiosk.mjs that imports it — and its manifest dist/idkiosk.build.json,
// which bin/idkiosk.js reads to decide whether the bundle is still fresh. See docs/packaging.md.
//
// - The pure-JS packages the daemon loads at every start (BUNDLED: zod, prom-client, ws, the ASN.1 stack,
//   @noble/curves) are bundled into the chunks that use them: imported from node_modules they cost ~400 ms
//   of CPU per daemon start here (module resolution, the CommonJS export lexer and eager compilation of a
//   few hundred files) against ~120 ms bundled (issue 20, docs/performance.md). Every other npm package
//   stays external (imported from node_modules at run time, exactly as when the sources run through tsx):
//   the native addons (better-sqlite3, pcsclite, serialport, onoff, unix-dgram) must, and the rest loads
//   only in the commands that use it.
// - Every module keeps its own import.meta.url: the bundler rewrites it to the URL of the source file the
//   code came from (relative to the bundle), so files found relative to a module — ui/, package.json,
//   simulator fixtures — resolve exactly as they do from the sources. The bundle therefore runs from
//   inside the package tree (dist/ next to daemon/, ui/, node_modules/), which is how it is shipped.
import { build, type Metafile, type Plugin } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, 'dist', 'idkiosk.mjs');
export const MANIFEST = join(ROOT, 'dist', 'idkiosk.build.json');
const ENTRY = join(ROOT, 'daemon', 'cli', 'main.ts');

export interface BuildManifest {
  /** Date.now() when the build started: a source modified at or after this may be missing from the bundle */
  builtAt: number;
  /** project files the bundle was built from, relative to the package root, posix separators */
  inputs: string[];
  node: string;
  /** the build directory under dist/ that dist/idkiosk.mjs imports (entry idkiosk.mjs, chunks, meta.json) */
  dir: string;
}

/** npm packages bundled into the chunks (with their own dependencies); every other package stays external. */
export const BUNDLED = [
  'zod',
  'prom-client',
  'ws',
  '@peculiar/asn1-schema',
  '@peculiar/asn1-x509',
  '@peculiar/asn1-csr',
  '@peculiar/asn1-cms',
  '@peculiar/asn1-rsa',
  '@peculiar/asn1-ocsp',
  '@noble/curves',
];

/** The package a bare specifier names: 'ws', '@noble/curves/nist.js' → '@noble/curves'. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Marks npm packages external except BUNDLED ones; what a bundled package imports is bundled too (its
 * dependencies are pure JS; their optional peers, absent here, stay external and fail as they would in
 * node_modules).
 */
function externalPackages(): Plugin {
  return {
    name: 'idkiosk-external-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path) || args.kind === 'entry-point') return undefined;
        const fromPackage = args.importer.includes(`${sep}node_modules${sep}`);
        if (BUNDLED.includes(packageOf(args.path)) || (fromPackage && !OPTIONAL_PEERS.includes(packageOf(args.path)))) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}
/** Optional native peers of ws (bufferutil, utf-8-validate): not installed; ws loads them only if present. */
const OPTIONAL_PEERS = ['bufferutil', 'utf-8-validate'];

/** Rewrites import.meta.url in project sources to the source file's own URL, relative to the output. */
export function sourceUrls(outDir: string): Plugin {
  return {
    name: 'idkiosk-source-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const rel = relative(outDir, args.path).split(sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/**
 * Bundle one entry point into one file, with the product's recipe but without chunks (helpers such as a
 * benchmark's child process). The output must live inside the package tree (node_modules is resolved from
 * it). Returns the project files it was built from. Written atomically.
 */
export async function bundle(entry: string, outfile: string): Promise<string[]> {
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.tmp-${process.pid}`;
  try {
    const r = await build({
      entryPoints: [entry],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      plugins: [sourceUrls(dirname(outfile))],
      // no source map (an inline one would sit in every process's memory); esbuild marks each module
      // with a `// path/to/file.ts` comment, and the code is not minified, so stack traces stay readable
      metafile: true,
      logLevel: 'error',
      banner: { js: '// idkiosk production bundle — generated by scripts/build.ts from the TypeScript sources; do not edit' },
    });
    renameSync(tmp, outfile);
    return projectInputs(r.metafile);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * The product is split into chunks (esbuild `splitting`): the entry holds the CLI dispatcher, and each
 * lazy `import()` — a command, a document flow, the printer — becomes its own chunk that loads only when
 * it runs. Without splitting, esbuild hoists the npm imports of every lazily imported module to the top of
 * one file, so the ASN.1 stack, better-sqlite3, qrcode, serialport, prom-client and ws loaded on `--help`.
 *
 * A chunked build is a directory, so it is published the way a single file was, atomically: the chunks
 * are written into a temporary directory, renamed to dist/bundle-<build>/ when complete, and then
 * dist/idkiosk.mjs — a one-line stub importing that directory's entry — is replaced by rename. A process
 * resolves the stub once, at start; its later lazy imports come from its own build directory, so older
 * build directories are kept (KEEP_BUILDS) for processes still running them, and removed after that.
 */
const KEEP_BUILDS = 3;

async function bundleProduct(builtAt: number): Promise<{ dir: string; inputs: string[] }> {
  const dist = join(ROOT, 'dist');
  mkdirSync(dist, { recursive: true });
  const dir = `bundle-${builtAt}-${process.pid}`;
  const tmp = join(dist, `.tmp-${dir}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    const r = await build({
      entryPoints: { idkiosk: ENTRY },
      outdir: tmp,
      splitting: true,
      chunkNames: '[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // URLs relative to the final directory; dist/.tmp-bundle-… is at the same depth, so they also hold there
      plugins: [externalPackages(), sourceUrls(join(dist, dir))],
      metafile: true,
      logLevel: 'error',
      // The bundled CommonJS packages require node's built-in modules; esbuild's ESM output calls them
      // through a module-scope `require`, which an ES module does not have: each chunk gets one. (No
      // project module may declare a top-level `require` of its own: the duplicate would not parse.)
      banner: {
        js: "// idkiosk production bundle — generated by scripts/build.ts from the TypeScript sources; do not edit\nimport { createRequire as __idkioskCreateRequire } from 'node:module';\nconst require = __idkioskCreateRequire(import.meta.url);",
      },
    });
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(importGraph(r.metafile, tmp)) + '\n');
    renameSync(tmp, join(dist, dir));
    return { dir, inputs: projectInputs(r.metafile) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Each output file (relative to its directory): the chunks it imports statically and dynamically, and the npm packages loading it loads. */
export interface ImportGraph {
  [file: string]: { entryPoint?: string; static: string[]; dynamic: string[]; packages: string[] };
}

function importGraph(meta: Metafile, outDir: string): ImportGraph {
  const graph: ImportGraph = {};
  const rel = (p: string) => relative(outDir, join(process.cwd(), p)).split(sep).join('/');
  for (const [file, out] of Object.entries(meta.outputs)) {
    const node: ImportGraph[string] = { static: [], dynamic: [], packages: [] };
    for (const i of out.imports) {
      if (i.external) {
        // a package behind import() is not loaded with the chunk (serialport, onoff: on first use)
        if (!isBuiltin(i.path) && i.kind !== 'dynamic-import') node.packages.push(i.path);
      } else (i.kind === 'dynamic-import' ? node.dynamic : node.static).push(rel(i.path));
    }
    // bundled packages count as the chunk's packages too (what loading it loads)
    for (const input of Object.keys(out.inputs)) {
      const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m?.[1]) node.packages.push(m[1]);
    }
    node.packages = [...new Set(node.packages)].sort();
    graph[rel(file)] = out.entryPoint ? { entryPoint: relative(ROOT, join(process.cwd(), out.entryPoint)).split(sep).join('/'), ...node } : node;
  }
  return graph;
}

function projectInputs(meta: Metafile): string[] {
  return Object.keys(meta.inputs)
    .map((p) => relative(ROOT, join(process.cwd(), p)).split(sep).join('/'))
    .filter((p) => !p.startsWith('node_modules/') && !p.startsWith('..'));
}

/** Remove build directories beyond the newest KEEP_BUILDS (never the current one) and abandoned temporaries. */
function pruneBuilds(current: string): void {
  const dist = join(ROOT, 'dist');
  const at = (d: string) => Number(/^bundle-(\d+)-/.exec(d)?.[1] ?? 0);
  const builds = readdirSync(dist)
    .filter((d) => /^bundle-\d+-\d+$/.test(d))
    .sort((a, b) => at(b) - at(a));
  for (const d of builds.slice(KEEP_BUILDS)) if (d !== current) rmSync(join(dist, d), { recursive: true, force: true });
  const hourAgo = Date.now() - 3600_000;
  for (const d of readdirSync(dist)) {
    if (d.startsWith('.tmp-bundle-') && statSync(join(dist, d)).mtimeMs < hourAgo) rmSync(join(dist, d), { recursive: true, force: true });
  }
}

/** Build dist/bundle-<build>/ (entry + chunks), switch the dist/idkiosk.mjs stub to it, write the manifest. */
export async function buildProduct(): Promise<{ ms: number; inputs: number; dir: string }> {
  const builtAt = Date.now();
  const { dir, inputs } = await bundleProduct(builtAt);
  inputs.push('scripts/build.ts'); // a changed build recipe makes the bundle stale too
  const stubTmp = `${BUNDLE}.tmp-${process.pid}`;
  writeFileSync(stubTmp, `// idkiosk production bundle — generated by scripts/build.ts; the code is in ${dir}/\nimport './${dir}/idkiosk.mjs';\n`);
  renameSync(stubTmp, BUNDLE);
  const manifest: BuildManifest = { builtAt, inputs, node: process.version, dir };
  // after the bundle: a reader that sees the new bundle with the old manifest only finds it staler
  const tmp = `${MANIFEST}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(manifest, null, 1) + '\n');
  renameSync(tmp, MANIFEST);
  pruneBuilds(dir);
  return { ms: Date.now() - builtAt, inputs: inputs.length, dir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await buildProduct();
  console.log(`built ${relative(process.cwd(), BUNDLE) || BUNDLE} → dist/${r.dir}/ from ${r.inputs} source files in ${r.ms} ms`);
}
