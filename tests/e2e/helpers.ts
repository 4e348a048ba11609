import { expect, Page } from '@playwright/test';

/** Collects console errors and uncaught exceptions so a test can assert a clean page. */
export function watch(page: Page) {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Opens the app with empty storage. */
export async function fresh(page: Page) {
  await page.goto('./');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('editor')).toBeVisible();
}
