import { test, expect, Page } from '@playwright/test';
import { fresh, watch } from './helpers';

// The page's promises beyond features: index.html's Content-Security-Policy holds while the app
// loads and is used (no inline script, no inline style attribute, nothing from elsewhere), the
// app needs no network once loaded, and it loads under any sub-path of a static host.

/** Records every `securitypolicyviolation` event of the page, across reloads. */
async function cspViolations(page: Page) {
  const seen: string[] = [];
  await page.exposeFunction('__kmslabCspViolation', (v: string) => seen.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __kmslabCspViolation: (v: string) => void }).__kmslabCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber} (${e.sample})`);
    });
  });
  return seen;
}

/** Uses the main views: an example run with its trace, a located parse error, a KMS call. */
async function clickAround(page: Page) {
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('run-all').click();
  await page.getByTestId('step-row-outside').click();
  await expect(page.getByTestId('trace')).toBeVisible();
  // The error band is placed by a style property: it must apply under the policy.
  await page.getByTestId('editor').fill('{\n  "kmslab": 1,\n  "steps": [,]\n}');
  const band = page.getByTestId('error-line');
  await expect(band).toHaveAttribute('data-line', '3');
  // Line 3 is two lines of 1.45em below the first (Chromium folds the calc to `2.9em`).
  expect(await band.evaluate((el) => el.style.top)).toContain('2.9em');
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  await con.getByTestId('kms-caller').selectOption('arn:aws:iam::111122223333:root');
  await con.getByTestId('kms-op').selectOption('Encrypt');
  await con.getByTestId('kms-input').fill(JSON.stringify({ KeyId: 'alias/nps', Plaintext: 'aGVsbG8=' }));
  await con.getByTestId('kms-run').click();
  await expect(con.getByTestId('kms-output')).toContainText('CiphertextBlob');
  // Every other screen: forms, a lab, the library with a share link.
  await page.getByTestId('tab-forms').click();
  await page.getByTestId('form-section-keys').click();
  await expect(page.getByTestId('form-keys')).toBeVisible();
  await page.getByTestId('tab-labs').click();
  await page.getByTestId('lab-open').first().click();
  await expect(page.getByTestId('lab')).toBeVisible();
  await page.getByTestId('tab-library').click();
  await page.getByTestId('make-share-link').click();
  await expect(page.getByTestId('share-link')).toHaveValue(/#s=/);
}

test('the Content-Security-Policy holds while the app loads and is used', async ({ page }) => {
  const violations = await cspViolations(page);
  const errors = watch(page);
  await fresh(page);
  // The policy is the page's own: a page without it would pass the rest of this test.
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]'))
    .toHaveAttribute('content', /script-src 'self' 'wasm-unsafe-eval'; style-src 'self';/);
  await expect(page.locator('script:not([src])')).toHaveCount(0);
  await clickAround(page);
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
});

test('once loaded, the app makes no request and works offline', async ({ page, context }) => {
  const errors = watch(page);
  await fresh(page);
  await page.waitForLoadState('load');
  const requests: string[] = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  await context.setOffline(true);
  await clickAround(page);
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
});

test('the app loads under a sub-path of its host', async ({ page, baseURL }) => {
  const errors = watch(page);
  // /some/sub/path/X is served as /X: what a static host does for an app copied into a folder.
  const sub = 'some/sub/path/';
  await page.route(`**/${sub}**`, async (route) => {
    const url = route.request().url().replace(sub, '');
    await route.fulfill({ response: await route.fetch({ url }) });
  });
  await page.goto(`${baseURL}${sub}`);
  await expect(page.getByTestId('editor')).toBeVisible();
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('results')).toBeVisible();
  expect(errors).toEqual([]);
});
