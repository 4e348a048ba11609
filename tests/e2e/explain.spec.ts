import { test, expect } from '@playwright/test';
import { watch, fresh } from './helpers';

// Readable traces: the plain-language summary and the hints come first, the detail tree is
// collapsed below them; lint findings carry a severity badge and a location to jump to.

test('a trace starts with a plain-language summary and what would change the outcome', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('summary')).toHaveText(/\d+ passed, 0 failed/);

  // An explicit deny: the summary names the statement, the hint says what made it apply.
  await page.getByTestId('step-row-outside').click();
  const summary = page.getByTestId('trace-summary');
  await expect(summary).toContainText('Denied (explicit deny)');
  await expect(summary).toContainText('identity:NPS_KMS_Policy:DenyOutsideCorpNetwork');
  const hints = page.getByTestId('trace-hints');
  await expect(hints).toBeVisible();
  const hint = hints.getByTestId('trace-hint').first();
  await expect(hint).toHaveAttribute('data-kind', 'change-deny');
  await expect(hint).toContainText('aws:SourceIp');
  await expect(hint).toContainText('198.51.100.7');

  // The summary and hints come before the detail tree, which starts collapsed and opens.
  const order = await page.getByTestId('trace').evaluate((t) =>
    ['trace-summary', 'trace-hints', 'trace-detail'].map((id) =>
      Array.from(t.querySelectorAll('[data-testid]')).findIndex((e) => e.getAttribute('data-testid') === id)));
  expect(order[0]).toBeLessThan(order[1]);
  expect(order[1]).toBeLessThan(order[2]);
  const detail = page.getByTestId('trace-detail');
  await expect(detail.getByTestId('deciding')).toBeHidden();
  await detail.locator('summary').first().click();
  await expect(detail.getByTestId('deciding')).toBeVisible();

  // A condition that failed: the closest statement, the key, the request's value.
  await page.getByTestId('step-row-wrong-context').click();
  await expect(page.getByTestId('trace-summary')).toContainText('Denied (implicit deny)');
  const failed = page.getByTestId('trace-hint').first();
  await expect(failed).toHaveAttribute('data-kind', 'condition-failed');
  await expect(failed).toContainText('identity:NPS_KMS_Policy:UseNpsKey');
  await expect(failed).toContainText('kms:EncryptionContext:app');
  await expect(failed).toContainText('other');

  // An allow explains the delegation, and has nothing to change.
  await page.getByTestId('step-row-enc').click();
  await expect(page.getByTestId('trace-summary')).toContainText('Allowed');
  await expect(page.getByTestId('trace-summary')).toContainText('delegates to the account');
  await expect(page.getByTestId('trace-hints')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a key policy that ignores IAM is explained, with the delegation hint', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const doc = JSON.stringify({
    kmslab: 1,
    defaults: { account: '111122223333', time: '2026-11-22T12:00:00Z' },
    iam: {
      policies: [{ name: 'UseKeys', document: { Version: '2012-10-17', Statement: [{ Sid: 'Crypto', Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] } }],
      users: [{ name: 'app', attached: ['UseKeys'] }, { name: 'key-admin' }],
    },
    keys: [{ id: '22222222-2222-4222-8222-222222222222', policy: { Version: '2012-10-17', Statement: [
      { Sid: 'AdminOnly', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/key-admin' }, Action: 'kms:*', Resource: '*' }] } }],
    steps: [{ id: 'ignored', caller: 'arn:aws:iam::111122223333:user/app', call: 'kms:Encrypt',
      input: { KeyId: '22222222-2222-4222-8222-222222222222', Plaintext: 'aGk=' } }],
  }, null, 2);
  await page.getByTestId('editor').fill(doc);
  await page.getByTestId('run-all').click();
  await page.getByTestId('step-row-ignored').click();
  // `code` in the engine's text is shown as code, not as backticks.
  await expect(page.getByTestId('trace-summary')).toContainText(
    'the key policy does not allow the account to use IAM policies, so the IAM allow in identity:UseKeys:Crypto was ignored');
  await expect(page.getByTestId('trace-summary').locator('code', { hasText: 'identity:UseKeys:Crypto' })).toBeVisible();
  await expect(page.getByTestId('trace-summary')).not.toContainText('`');
  await expect(page.locator('[data-testid=trace-hint][data-kind=delegate-to-iam]')).toContainText('arn:aws:iam::111122223333:root');
  await expect(page.locator('[data-testid=trace-hint][data-kind=principal-mismatch]')).toContainText('key-policy:AdminOnly');
  expect(errors).toEqual([]);
});

test('lint findings show severity and location, and jump to line and column', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const doc = JSON.stringify({
    kmslab: 1,
    iam: { policies: [{ name: 'Viewer', document: { Version: '2012-10-17', Statement: [{
      Sid: 'Read', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*',
      Condition: { NullIfExists: { 'kms:EncryptionContextKeys': 'false' }, StringEquals: { 'kms:ViaService': 'ec2.amazonaws.com' } },
    }] } }] },
    steps: [],
  }, null, 2);
  await page.getByTestId('editor').fill(doc);
  await expect(page.getByTestId('lint-counts')).toContainText('1 error, 1 warning');

  const nul = page.getByTestId('finding-null-with-ifexists');
  await expect(nul).toHaveAttribute('data-severity', 'error');
  await expect(nul.getByTestId('finding-severity')).toHaveText('error');
  await expect(nul).toContainText('NullIfExists');
  const via = page.getByTestId('finding-viaservice-malformed');
  await expect(via.getByTestId('finding-severity')).toHaveText('warning');
  await expect(via).toContainText('ec2.amazonaws.com');

  // The location moves the caret to the finding's line and column.
  await via.getByTestId('finding-location').click();
  const title = (await via.getByTestId('finding-location').getAttribute('title'))!;
  const [, line, column] = title.match(/line (\d+), column (\d+)/)!.map(Number);
  const caret = await page.getByTestId('editor').evaluate((t: HTMLTextAreaElement) => {
    const before = t.value.slice(0, t.selectionStart).split('\n');
    return [before.length, before[before.length - 1].length + 1];
  });
  expect(caret).toEqual([line, column]);
  expect(errors).toEqual([]);
});

test('a key policy that locks everyone out is a finding', async ({ page }) => {
  await fresh(page);
  const doc = JSON.stringify({
    kmslab: 1,
    defaults: { account: '111122223333' },
    iam: { users: [{ name: 'app' }] },
    keys: [{ id: '11111111-1111-4111-8111-111111111111', policy: { Version: '2012-10-17', Statement: [
      { Sid: 'UseOnly', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/app' }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] } }],
    steps: [],
  }, null, 2);
  await page.getByTestId('editor').fill(doc);
  const lockout = page.getByTestId('finding-key-policy-lockout');
  await expect(lockout).toBeVisible();
  await expect(lockout).toContainText('kms:PutKeyPolicy');
  await expect(lockout.getByTestId('finding-location')).toBeVisible();
});
