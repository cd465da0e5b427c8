/**
 * Debian's Chromium driven by playwright-core (no browser download). Where it is missing
 * the browser tests fail with what to install (`apt-get install chromium`, as .ci/run does,
 * or CHROMIUM_PATH): a suite that quietly skips its browser test would prove nothing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export function requireChromium(): void {
  if (!chromiumAvailable()) {
    throw new Error(`Chromium is not at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
