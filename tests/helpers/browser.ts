/**
 * Real headless Chromium for the dashboard's browser tests: Debian's `chromium`, driven by
 * playwright-core. The setup installs it when missing (`apt-get install -y chromium`, as root
 * where apt is); where it cannot, the tests are skipped with a message saying why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

function tryInstall(): string | null {
  if (process.getuid?.() !== 0) return 'not root, so apt-get cannot install it';
  if (!existsSync('/usr/bin/apt-get')) return 'apt-get is not available';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // two test projects may install at once: the second waits for dpkg's lock, then finds it there
  for (const args of [
    ['install', '-y', '-o', 'DPkg::Lock::Timeout=300', 'chromium'],
    ['update'],
    ['install', '-y', '-o', 'DPkg::Lock::Timeout=300', 'chromium'],
  ]) {
    if (existsSync(CHROMIUM)) return null;
    try {
      execFileSync('apt-get', args, { stdio: 'ignore', env, timeout: 600_000 });
    } catch {
      // the next step (update, then install again) may still bring it
    }
  }
  return existsSync(CHROMIUM) ? null : 'apt-get install -y chromium failed';
}

/** The reason the browser tests cannot run here, or null when Chromium is there (installed now if need be). */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = tryInstall();
  if (why) console.warn(`dashboard browser tests skipped: ${CHROMIUM} is missing and ${why}`);
  return why;
}

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launch(): Promise<TestBrowser> {
  // a fresh profile: playwright-core's launch makes one in a new temporary folder (it refuses
  // --user-data-dir, which is launchPersistentContext's) and removes it on close
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core run in the page (added through the DevTools protocol, so the page's CSP, which allows
 * no script, does not stop it): the violations of serious or critical impact.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE);
  const r = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({ target: n.target })) })))',
  )) as AxeViolation[];
  return r.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
