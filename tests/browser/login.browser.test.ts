// The login page and the signed-in page frame, in Chromium against the whole local stack.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startLocalStack } from '../../local/stack.ts';
import {
  checkAccessibility,
  hasFocus,
  horizontalOverflow,
  launchBrowser,
  newPinnedPage,
  saveScreenshot,
} from '../support/browser.ts';

type Stack = Awaited<ReturnType<typeof startLocalStack>>;

const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };

let stack: Stack;
let browser: Browser;
let dataDir: string;
const openPages: Page[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-login-browser-'));
  // Port 0: the stack picks a free one.
  stack = await startLocalStack({ port: 0, dataDir, demo: false, quiet: true });
  browser = await launchBrowser();
});

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function openPage(viewport = desktop, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await newPinnedPage(browser, { viewport, colorScheme });
  openPages.push(page);
  return page;
}

function url(path: string): string {
  return new URL(path, stack.baseUrl).href;
}

type Claims = { role: 'operator'; sub: string } | { role: 'customer'; sub: string; customer_id: string };

async function mintToken(claims: Claims, secret = stack.jwtSecret): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

const operatorClaims: Claims = { role: 'operator', sub: 'ops-oncall@example.com' };
const customerClaims: Claims = { role: 'customer', sub: 'owner@acme.example', customer_id: 'acme' };

async function openLogin(path = '/login', viewport = desktop, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await openPage(viewport, colorScheme);
  await page.goto(url(path));
  await page.getByLabel('Access token').waitFor();
  return page;
}

/** Signs in the way a keyboard user does: the field has focus on arrival, paste, Enter. */
async function signInWithKeyboard(page: Page, token: string): Promise<void> {
  await page.keyboard.insertText(token);
  await page.keyboard.press('Enter');
}

function pathOf(page: Page): string {
  const current = new URL(page.url());
  return current.pathname + current.search;
}

describe('/login', () => {
  test.each([
    { name: 'login-desktop-light', viewport: desktop, colorScheme: 'light' as const },
    { name: 'login-phone-light', viewport: phone, colorScheme: 'light' as const },
    { name: 'login-phone-dark', viewport: phone, colorScheme: 'dark' as const },
  ])('renders with a labelled, focused token field and no serious accessibility violations ($name)', async ({ name, viewport, colorScheme }) => {
    const page = await openLogin('/login', viewport, colorScheme);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    expect(await hasFocus(page.getByLabel('Access token'))).toBe(true);
    expect(await page.getByText('npm run token -- operator').isVisible()).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await saveScreenshot(page, name);
    expect(await checkAccessibility(page)).toEqual([]);
  });

  test('shows the message the API gives for a token it refuses, and returns focus to the field', async () => {
    const forged = await mintToken(operatorClaims, 'not-the-server-secret-0123456789abcdef');
    const direct = await fetch(url('/api/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: forged }),
    });
    const refusal = (await direct.json()) as { error: { message: string } };
    expect(direct.status).toBe(401);

    const page = await openLogin('/login', phone);
    await signInWithKeyboard(page, forged);

    const alert = page.getByRole('alert');
    await alert.getByText(refusal.error.message).waitFor();
    expect(pathOf(page)).toBe('/login');
    expect(await page.getByLabel('Access token').getAttribute('aria-invalid')).toBe('true');
    expect(await hasFocus(page.getByLabel('Access token'))).toBe(true);
    await saveScreenshot(page, 'login-phone-refused');
    expect(await checkAccessibility(page)).toEqual([]);
  });

  test('reaches the sign-in button by Tab and asks for a token when submitted empty', async () => {
    const page = await openLogin();
    await page.keyboard.press('Tab');
    expect(await hasFocus(page.getByRole('button', { name: 'Sign in' }))).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('alert').getByText('Paste your access token first.').waitFor();
    expect(await hasFocus(page.getByLabel('Access token'))).toBe(true);
  });

  test('takes an operator to /ops', async () => {
    const page = await openLogin();
    await signInWithKeyboard(page, await mintToken(operatorClaims));
    await page.waitForURL(url('/ops'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Operations');
  });

  test('takes a customer to /dashboard', async () => {
    const page = await openLogin();
    await signInWithKeyboard(page, await mintToken(customerClaims));
    await page.waitForURL(url('/dashboard'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
  });

  test('returns to the page that sent an unauthenticated visitor to sign in', async () => {
    const page = await openPage();
    await page.goto(url('/ops/calls?status=failed'));
    await page.getByLabel('Access token').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');

    await signInWithKeyboard(page, await mintToken(operatorClaims));
    await page.waitForURL(url('/ops/calls?status=failed'));
  });

  test('ignores a next parameter that leads off this origin', async () => {
    const page = await openLogin('/login?next=' + encodeURIComponent('//example.com/ops'));
    await signInWithKeyboard(page, await mintToken(operatorClaims));
    await page.waitForURL(url('/ops'));
  });
});

describe('signed-in page frame', () => {
  test.each([
    { path: '/ops', title: 'Operations', claims: operatorClaims },
    { path: '/dashboard', title: 'Dashboard', claims: customerClaims },
  ])('$path has the product name, its title, a sign-out button and no serious accessibility violations', async ({ path, title, claims }) => {
    const page = await openLogin(`/login?next=${encodeURIComponent(path)}`);
    await signInWithKeyboard(page, await mintToken(claims));
    await page.waitForURL(url(path));
    const banner = page.getByRole('banner');
    await banner.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await banner.getByText('Switchboard').isVisible()).toBe(true);
    expect(await banner.getByRole('heading', { level: 1 }).textContent()).toBe(title);
    expect(await page.getByRole('main').isVisible()).toBe(true);

    for (const [viewport, suffix] of [[desktop, 'desktop'], [phone, 'phone']] as const) {
      await page.setViewportSize(viewport);
      expect(await banner.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
      // The dashboard's charts follow a resize on the next frame (ResizeObserver); the page must fit once they have.
      await expect.poll(() => horizontalOverflow(page)).toBe(0);
      await saveScreenshot(page, `frame${path.replace('/', '-')}-${suffix}`);
      expect(await checkAccessibility(page)).toEqual([]);
    }
  });

  test('signing out by keyboard ends the session and shows the signed-out note', async () => {
    const page = await openLogin();
    await signInWithKeyboard(page, await mintToken(operatorClaims));
    await page.waitForURL(url('/ops'));

    // Skip link first, then the sign-out button.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/login?signed_out=1'));
    await page.getByRole('status').getByText('Signed out').waitFor();

    await page.goto(url('/ops'));
    await page.getByLabel('Access token').waitFor();
    expect(pathOf(page)).toBe(`/login?next=${encodeURIComponent('/ops')}`);
  });
});
