#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx transpiles once and caches), so `npx speed-layer` never runs stale code.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
