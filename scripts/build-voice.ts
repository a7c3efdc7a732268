// `npm run build:voice` (also run by `npm run build`, scripts/install-deps.sh and scripts/package.sh): the
// spoken prompts of the kiosk screen, pre-rendered so that no speech synthesis ever runs at a kiosk.
//
// For every language (ui/voice.js VOICE_LANGS, plus any in ux-lang's ui/locales/languages.json) and every
// prompt key (ui/voice.js VOICE_KEYS), the text in ui/locales/voice/<lang>.json is synthesised — Japanese
// and やさしい日本語 by Open JTalk with the HTS voice nitech-jp-atr503-m001, the others by eSpeak NG — and
// encoded as Opus in Ogg (opusenc, mono, 24 kbit/s: speech) into ui/voice/<lang>/<key>.ogg, which the UI
// server serves and the Debian package ships (ui/ is copied whole). See docs/voice.md.
//
// Cache: each file is rendered once per content hash of (recipe, engine + its Debian package version,
// voice, text) into dist/voice-cache/<hash>.ogg; an unchanged prompt is copied from there, never
// re-rendered. Texts must contain no digit at all (\p{Nd}): prompts are static per screen, and a digit in a
// prompt could be mistaken for one the holder typed. Fails (exit 1) on a missing text, a digit, or a
// missing synthesiser; `--optional` skips with a warning when the synthesisers are not installed (a
// checkout without them still builds; the package build never passes it).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VOICE_KEYS, VOICE_LANGS } from '../ui/voice.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TEXT_DIR = join(ROOT, 'ui', 'locales', 'voice');
export const OUT_DIR = join(ROOT, 'ui', 'voice');
const CACHE_DIR = join(ROOT, 'dist', 'voice-cache');
/** Bump when the rendering or encoding recipe changes: every prompt is rendered again. */
const RECIPE = 'v1 opus 24k mono';

const JTALK_DIC = '/var/lib/mecab/dic/open-jtalk/naist-jdic';
const HTS_VOICE = '/usr/share/hts-voice/nitech-jp-atr503-m001/nitech_jp_atr503_m001.htsvoice';

type Engine = { engine: 'open-jtalk' } | { engine: 'espeak-ng'; voice: string };

/** The synthesiser per language. Filipino: eSpeak NG 1.51 has no Tagalog voice (fil.json `speakAs`). */
const ENGINES: Record<string, Engine> = {
  ja: { engine: 'open-jtalk' },
  'ja-easy': { engine: 'open-jtalk' },
  en: { engine: 'espeak-ng', voice: 'en-us' },
  'zh-Hans': { engine: 'espeak-ng', voice: 'cmn' },
  ko: { engine: 'espeak-ng', voice: 'ko' },
  vi: { engine: 'espeak-ng', voice: 'vi' },
  'pt-BR': { engine: 'espeak-ng', voice: 'pt-br' },
  ne: { engine: 'espeak-ng', voice: 'ne' },
};

/** Every language the screen offers: the voice module's list and ux-lang's, if present. */
export function voiceLanguages(): string[] {
  const langs = new Set<string>(VOICE_LANGS);
  const list = join(ROOT, 'ui', 'locales', 'languages.json');
  if (existsSync(list)) {
    for (const l of JSON.parse(readFileSync(list, 'utf8')) as { code: string }[]) langs.add(l.code);
  }
  return [...langs];
}

interface VoiceFile {
  speakAs?: string;
  prompts?: Record<string, string>;
  labels?: Record<string, string>;
}

export function readVoiceFile(lang: string): VoiceFile {
  return JSON.parse(readFileSync(join(TEXT_DIR, `${lang}.json`), 'utf8')) as VoiceFile;
}

export interface PromptJob {
  lang: string;
  key: string;
  /** the language whose text and synthesiser speak it (differs only through `speakAs`) */
  speakLang: string;
  text: string;
  engine: Engine;
}

/** Any decimal digit in any script (0–9, ０–９, ०–९ …). */
export const DIGIT = /\p{Nd}/u;

/** Every (language, key) prompt with its text; throws on a missing text, a digit or an unknown engine. */
export function promptJobs(langs = voiceLanguages()): PromptJob[] {
  const jobs: PromptJob[] = [];
  const problems: string[] = [];
  for (const lang of langs) {
    if (!existsSync(join(TEXT_DIR, `${lang}.json`))) {
      problems.push(`${lang}: no ui/locales/voice/${lang}.json`);
      continue;
    }
    const speakLang = readVoiceFile(lang).speakAs ?? lang;
    const prompts = readVoiceFile(speakLang).prompts ?? {};
    const engine = ENGINES[speakLang];
    if (!engine) problems.push(`${lang}: no synthesiser configured for ${speakLang}`);
    for (const key of VOICE_KEYS) {
      const text = prompts[key];
      if (typeof text !== 'string' || text.trim() === '') problems.push(`${lang}: no text for ${key}`);
      else if (DIGIT.test(text)) problems.push(`${lang}: the text of ${key} contains a digit`);
      else if (engine) jobs.push({ lang, key, speakLang, text, engine });
    }
  }
  if (problems.length) throw new Error(`voice prompts:\n  ${problems.join('\n  ')}`);
  return jobs;
}

function debVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', `-f=\${Version}`, pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'absent';
  }
}

/** Versions of the packages that shape the audio: part of every hash, so an upgrade re-renders. */
function toolVersions(): Record<string, string> {
  const v: Record<string, string> = {};
  for (const p of ['open-jtalk', 'open-jtalk-mecab-naist-jdic', 'hts-voice-nitech-jp-atr503-m001', 'espeak-ng', 'espeak-ng-data', 'opus-tools'])
    v[p] = debVersion(p);
  return v;
}

export function jobHash(job: PromptJob, versions: Record<string, string>): string {
  const tools =
    job.engine.engine === 'open-jtalk'
      ? [versions['open-jtalk'], versions['open-jtalk-mecab-naist-jdic'], versions['hts-voice-nitech-jp-atr503-m001']]
      : [versions['espeak-ng'], versions['espeak-ng-data']];
  return createHash('sha256')
    .update(JSON.stringify([RECIPE, job.engine, tools, versions['opus-tools'], job.text]))
    .digest('hex')
    .slice(0, 32);
}

export function missingTools(): string[] {
  const missing: string[] = [];
  const onPath = (cmd: string) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  for (const cmd of ['open_jtalk', 'espeak-ng', 'opusenc']) if (!onPath(cmd)) missing.push(cmd);
  if (!existsSync(JTALK_DIC)) missing.push(JTALK_DIC);
  if (!existsSync(HTS_VOICE)) missing.push(HTS_VOICE);
  return missing;
}

function run(cmd: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err.trim().slice(0, 500)}`))));
    if (input !== undefined) p.stdin?.end(input);
  });
}

/** Synthesises one prompt into the cache (atomically: a half-written file is never taken for a cached one). */
async function render(job: PromptJob, hash: string): Promise<void> {
  const work = join(tmpdir(), `idkiosk-voice-${process.pid}-${hash}`);
  mkdirSync(work, { recursive: true });
  try {
    const wav = join(work, 'speech.wav');
    if (job.engine.engine === 'open-jtalk') {
      const txt = join(work, 'text.txt');
      writeFileSync(txt, `${job.text}\n`);
      await run('open_jtalk', ['-x', JTALK_DIC, '-m', HTS_VOICE, '-ow', wav, txt]);
    } else {
      await run('espeak-ng', ['-v', job.engine.voice, '-s', '150', '-w', wav, '--stdin'], job.text);
    }
    const tmp = join(CACHE_DIR, `${hash}.ogg.tmp-${process.pid}`);
    // a fixed stream serial and no encoder comments beyond opusenc's own: the same input gives the same file
    await run('opusenc', ['--quiet', '--bitrate', '24', '--downmix-mono', '--serial', '1', wav, tmp]);
    renameSync(tmp, join(CACHE_DIR, `${hash}.ogg`));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface VoiceBuildResult {
  files: number;
  rendered: number;
  bytes: number;
  ms: number;
}

/** Renders what the cache lacks, then lays out ui/voice/<lang>/<key>.ogg and drops stale files there. */
export async function buildVoice(o: { concurrency?: number; log?: (s: string) => void } = {}): Promise<VoiceBuildResult> {
  const t0 = performance.now();
  const jobs = promptJobs();
  const missing = missingTools();
  mkdirSync(CACHE_DIR, { recursive: true });
  const versions = toolVersions();
  const hashed = jobs.map((j) => ({ job: j, hash: jobHash(j, versions) }));
  const todo = [...new Map(hashed.filter((h) => !existsSync(join(CACHE_DIR, `${h.hash}.ogg`))).map((h) => [h.hash, h])).values()];
  if (todo.length && missing.length)
    throw new Error(`voice prompts: cannot render ${todo.length} prompt(s), missing ${missing.join(', ')} (scripts/install-deps.sh installs them)`);
  if (todo.length) o.log?.(`rendering ${todo.length} of ${jobs.length} voice prompts`);
  let next = 0;
  const worker = async () => {
    for (let h = todo[next++]; h !== undefined; h = todo[next++]) await render(h.job, h.hash);
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 2) }, worker));
  const wanted = new Set<string>();
  let bytes = 0;
  for (const { job, hash } of hashed) {
    const dir = join(OUT_DIR, job.lang);
    const out = join(dir, `${job.key}.ogg`);
    const src = join(CACHE_DIR, `${hash}.ogg`);
    wanted.add(out);
    mkdirSync(dir, { recursive: true });
    if (!existsSync(out) || !readFileSync(out).equals(readFileSync(src))) {
      const tmp = `${out}.tmp-${process.pid}`;
      copyFileSync(src, tmp);
      renameSync(tmp, out);
    }
    bytes += statSync(out).size;
  }
  for (const lang of readdirSync(OUT_DIR)) {
    const dir = join(OUT_DIR, lang);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.ogg') && !wanted.has(join(dir, f))) rmSync(join(dir, f));
  }
  return { files: hashed.length, rendered: todo.length, bytes, ms: Math.round(performance.now() - t0) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const optional = process.argv.includes('--optional');
  const missing = missingTools();
  if (optional && missing.length) {
    console.warn(`voice prompts skipped: ${missing.join(', ')} not installed (scripts/install-deps.sh installs them)`);
  } else {
    buildVoice({ log: (s) => console.log(s) }).then(
      (r) => console.log(`voice prompts: ${r.files} files (${r.rendered} rendered), ${(r.bytes / 1024).toFixed(0)} KiB in ui/voice/, ${r.ms} ms`),
      (e: unknown) => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
      },
    );
  }
}
