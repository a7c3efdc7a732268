#!/usr/bin/env node
// The idkiosk command. The sources are TypeScript run through tsx, so the CLI, the daemon and the tests
// execute exactly the same files (no stale build output on a kiosk after a git pull).
import { register } from 'tsx/esm/api';

register();
await import('../daemon/cli/main.ts');
