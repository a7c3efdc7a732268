// The fleet benchmark's system under test (bench/fleet.bench.ts): two collector instances (`idkiosk fleet
// serve`) as their own processes sharing one database, each on its own loopback port with the per-kiosk
// rate limit lifted (the benchmark sends far more than a real kiosk), and the wait until each answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { FleetConfig } from '../fleet/config.ts';
import { freePort } from '../test/harness/net.ts';

export interface Collector {
  port: number;
  process: ChildProcess;
}

/**
 * Starts two collectors from `config` (configuration files written under `work`); `prof`: a directory for
 * their CPU profiles, or null. FLEET_BENCH_VERBOSE passes their stderr through.
 */
export async function startCollectors(o: { config: FleetConfig; work: string; prof: string | null; bin: string }): Promise<Collector[]> {
  const out: Collector[] = [];
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const file = join(o.work, `fleet-${i}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        ...o.config,
        listen: { host: '127.0.0.1', port },
        metricsListen: null,
        limits: { ...o.config.limits, perKioskPerMinute: 100_000 },
      }),
    );
    const prof = o.prof ? ['--cpu-prof', `--cpu-prof-dir=${o.prof}`, `--cpu-prof-name=collector-${i}.cpuprofile`] : [];
    const c = spawn(process.execPath, [...prof, o.bin, 'fleet', 'serve', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (d) => process.env.FLEET_BENCH_VERBOSE && process.stderr.write(`[collector ${i}] ${d}`));
    out.push({ port, process: c });
  }
  return out;
}

/** Waits (up to 60 s) until the collector on `port` answers /healthz with 200. */
export async function waitHealthy(port: number, ca: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const q = request({ host: '127.0.0.1', port, path: '/healthz', ca, timeout: 2000 }, (res) => {
        res.resume();
        r(res.statusCode === 200);
      });
      q.on('error', () => r(false));
      q.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`collector on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
