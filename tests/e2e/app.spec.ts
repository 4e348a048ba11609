import { test, expect } from '@playwright/test';
import { watch, fresh } from './helpers';

test('runs the example and explains each decision', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('summary')).toHaveText(/\d+ passed, 0 failed/);
  await expect(page.getByTestId('step-row-enc').getByTestId('row-decision')).toHaveText('Allow');
  await expect(page.getByTestId('step-row-outside').getByTestId('row-decision')).toHaveText('ExplicitDeny');

  await page.getByTestId('step-row-enc').click();
  const trace = page.getByTestId('trace');
  await expect(page.getByTestId('trace-summary')).toContainText('Allow');
  await expect(trace).toContainText('identity:NPS_KMS_Policy:UseNpsKey');
  await expect(page.getByTestId('deciding')).toContainText('key-policy:Enable IAM User Permissions');

  await page.getByTestId('step-row-outside').click();
  await expect(page.getByTestId('trace-summary')).toContainText('ExplicitDeny');
  await expect(page.getByTestId('trace')).toContainText('NotIpAddress');
  await expect(page.getByTestId('message')).toContainText('with an explicit deny in an identity-based policy');

  // Encrypt then Decrypt in the browser: the plaintext comes back.
  await page.getByTestId('step-row-inside').click();
  await expect(page.getByTestId('output')).toContainText('"Plaintext": "aGVsbG8="');

  await page.screenshot({ path: 'tests/artifacts/app.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a grant used before it propagates, then with its token', async ({ page }) => {
  await fresh(page);
  await page.getByTestId('example-grants-and-tokens').click();
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('summary')).toHaveText(/0 failed/);
  await page.getByTestId('step-row-too-soon').click();
  await expect(page.getByTestId('trace-summary')).toContainText('not propagated');
  await page.getByTestId('step-row-with-token').click();
  await expect(page.getByTestId('deciding')).toContainText('grant:');
});

test('composes a request and evaluates it', async ({ page }) => {
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('compose-caller').fill('arn:aws:iam::111122223333:user/nps-service');
  await page.getByTestId('compose-action').fill('kms:Decrypt');
  await page.getByTestId('compose-resource').fill('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  await page.getByTestId('compose-context').fill('aws:SourceIp=198.51.100.1\nkms:EncryptionContext:app=nps');
  await page.getByTestId('evaluate').click();
  const result = page.getByTestId('adhoc-result');
  await expect(result.getByTestId('decision')).toHaveText('ExplicitDeny');
  await expect(result).toContainText('DenyOutsideCorpNetwork');
});

test('a syntax error is located and the text survives a reload', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const broken = '{\n  "kmslab": 1,\n  "steps": [,]\n}';
  await page.getByTestId('editor').fill(broken);
  await expect(page.getByTestId('parse-error')).toContainText('3:13 at $');
  await expect(page.getByTestId('run-all')).toBeDisabled();
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveValue(broken);
  await expect(page.getByTestId('parse-error')).toBeVisible();
  expect(errors).toEqual([]);
});

test('an invalid policy is reported with its JSON path', async ({ page }) => {
  await fresh(page);
  const doc = JSON.stringify({
    kmslab: 1,
    iam: { policies: [{ name: 'P', document: { Version: '2012-10-17', Statement: [{ Effect: 'Permit', Action: 's3:*', Resource: '*' }] } }] },
    steps: [],
  }, null, 2);
  await page.getByTestId('editor').fill(doc);
  await expect(page.getByTestId('parse-error')).toContainText('$.iam.policies[0].document.Statement[0].Effect');
  await expect(page.getByTestId('parse-error')).toContainText('`Permit`');
});

test('no request leaves the page after load', async ({ page }) => {
  const outside: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1')) outside.push(r.url()); });
  await fresh(page);
  await page.getByTestId('example-scp-guardrail').click();
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('summary')).toBeVisible();
  expect(outside.filter((u) => !u.startsWith('data:'))).toEqual([]);
});

test('KMS console: encrypt a text, decrypt the blob, save the calls as steps', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  await con.getByTestId('kms-caller').selectOption('arn:aws:iam::111122223333:user/nps-service');
  await con.getByTestId('kms-op').selectOption('Encrypt');
  await con.getByTestId('kms-input').fill(JSON.stringify({ KeyId: 'alias/nps', Plaintext: 'aGVsbG8=', EncryptionContext: { app: 'nps' } }));
  await con.getByTestId('kms-run').click();
  // The NPS policy denies calls from outside the corporate network; the console sets no
  // source IP, so the deny's NotIpAddress holds (missing key) and the trace says so.
  await expect(con.getByTestId('kms-result').getByTestId('decision')).toHaveText('ExplicitDeny');
  await expect(con.getByTestId('kms-result')).toContainText('DenyOutsideCorpNetwork');

  await con.getByTestId('kms-caller').selectOption('arn:aws:iam::111122223333:root');
  await con.getByTestId('kms-run').click();
  await expect(con.getByTestId('kms-result').getByTestId('decision')).toHaveText('Allow');
  await expect(con.getByTestId('kms-output')).toContainText('CiphertextBlob');

  await con.getByTestId('kms-op').selectOption('Decrypt');
  await con.getByTestId('kms-input').fill('{"CiphertextBlob": "${console-2.CiphertextBlob}", "EncryptionContext": {"app": "nps"}}');
  await con.getByTestId('kms-run').click();
  await expect(con.getByTestId('kms-output')).toContainText('"Plaintext": "aGVsbG8="');

  await con.getByTestId('kms-refresh').click();
  await expect(con.getByTestId('kms-keys')).toContainText('alias/nps');
  await con.getByTestId('kms-save').click();
  await expect(page.getByTestId('editor')).toHaveValue(/console-3/);
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('step-row-console-3').getByTestId('row-decision')).toHaveText('Allow');
  expect(errors).toEqual([]);
});

test('KMS console: a grant used without its token is denied, and the trace shows the grant', async ({ page }) => {
  await fresh(page);
  await page.getByTestId('example-grants-and-tokens').click();
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  await con.getByTestId('kms-caller').selectOption('arn:aws:iam::111122223333:user/key-admin');
  await con.getByTestId('kms-op').selectOption('CreateGrant');
  await con.getByTestId('kms-input').fill(JSON.stringify({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', GranteePrincipal: 'arn:aws:iam::111122223333:role/app', Operations: ['Encrypt'] }));
  await con.getByTestId('kms-run').click();
  await expect(con.getByTestId('kms-result').getByTestId('decision')).toHaveText('Allow');
  await con.getByTestId('kms-caller').selectOption('arn:aws:sts::111122223333:assumed-role/app/console');
  await con.getByTestId('kms-op').selectOption('Encrypt');
  await con.getByTestId('kms-input').fill(JSON.stringify({ KeyId: 'alias/app-data', Plaintext: 'aGk=' }));
  await con.getByTestId('kms-run').click();
  const result = con.getByTestId('kms-result');
  await expect(result.getByTestId('decision')).toHaveText('ImplicitDeny');
  await expect(result).toContainText('not propagated');
  await result.locator('summary', { hasText: 'Decision trace' }).click();
  await expect(result.getByTestId('trace')).toContainText('Grants');
});

test('a failed expectation shows its names as code, not raw backticks', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  const editor = page.getByTestId('editor');
  const text = await editor.inputValue();
  // The step `outside` is decided by the deny statement: expect another one instead, written
  // as code (the failure quotes it: "deciding: expected [`…`], got […]").
  const wrong = text.replace('"deciding": ["identity:NPS_KMS_Policy:DenyOutsideCorpNetwork"]', '"deciding": ["`identity:NPS_KMS_Policy:Elsewhere`"]');
  expect(wrong).not.toBe(text);
  await editor.fill(wrong);
  await page.getByTestId('run-all').click();
  await page.getByTestId('step-row-outside').click();
  const failures = page.getByTestId('expect-failures');
  await expect(failures).toContainText('identity:NPS_KMS_Policy:Elsewhere');
  await expect(failures.locator('code', { hasText: 'identity:NPS_KMS_Policy:Elsewhere' })).toHaveCount(1);
  await expect(failures).not.toContainText('`');
  expect(errors).toEqual([]);
});
