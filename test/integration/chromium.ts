/**
 * Debian's Chromium for the browser tests, driven by playwright-core (no browser download). A fresh CI
 * machine has no Chromium: it is installed here with apt-get (as root, or through passwordless sudo),
 * once per test process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

function apt(args: string[]): number | null {
  const asRoot = process.getuid?.() === 0;
  const [command, ...rest] = asRoot ? ['apt-get', ...args] : ['sudo', '-n', 'apt-get', ...args];
  const result = spawnSync(command!, rest, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 900_000,
  });
  return result.status;
}

/** Installs Debian's `chromium` package when /usr/bin/chromium is missing. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  process.stderr.write(`[chromium] ${CHROMIUM_PATH} is missing: apt-get install -y chromium\n`);
  // A fresh machine may have no package lists yet: update once, then retry.
  if (apt(['install', '-y', '--no-install-recommends', 'chromium']) !== 0) {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `${CHROMIUM_PATH} is still missing after apt-get install chromium (not root and no sudo?)`,
    );
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 120_000,
  });
}
