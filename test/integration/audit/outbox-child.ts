// Child process for the kill -9 test: appends records up to a target count, resuming from the chain
// head, while the outbox uploads in the background. Prints "appended N" after each committed record.
import { AuditService } from '../../../daemon/audit/audit-service.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { DEFAULT_AUDIT } from '../../../daemon/device/operations-config.ts';

const [db, keyFile, url, caFile, target] = process.argv.slice(2) as [string, string, string, string, string];
const key = DeviceKey.load(keyFile);
const svc = new AuditService({
  config: { ...DEFAULT_AUDIT, db, upload: { url, caFile, batchSize: 7, intervalSeconds: 1 } },
  key,
  context: { kioskId: 'kiosk-kill', site: null, operator: null, softwareVersion: 't', revocationSource: 'crl' },
});
svc.start();
const n = Number(target);
for (let i = svc.store.headPoint().seq + 1; i <= n; i++) {
  svc.record(i, { outcome: 'verified', document: 'license', reasons: [] });
  process.stdout.write(`appended ${i}\n`);
  await new Promise((r) => setTimeout(r, 2));
}
process.stdout.write('done\n');
// keep uploading until killed or drained
for (;;) {
  if (svc.store.pendingCount() === 0) {
    process.stdout.write('drained\n');
    await svc.stop();
    process.exit(0);
  }
  await new Promise((r) => setTimeout(r, 20));
}
