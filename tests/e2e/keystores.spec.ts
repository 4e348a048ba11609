import { test, expect } from '@playwright/test';
import { fresh, watch } from './helpers';

const scenario = {
  kmslab: 1,
  title: 'A CloudHSM key store',
  defaults: { account: '111122223333', time: '2026-11-22T12:00:00Z' },
  keyStores: [{ id: 'cks-1234567890abcdef0', name: 'hsm-store', type: 'AWS_CLOUDHSM', connectionState: 'DISCONNECTED',
    cluster: { id: 'cluster-1a23b4cdefg', activeHsms: 2, kmsuser: { password: 'kmsPswd1' } } }],
  steps: [],
};

test('key stores: connect on the simulated clock, break the cluster, see the error code', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('editor').fill(JSON.stringify(scenario, null, 2));
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  await con.getByTestId('kms-caller').selectOption('arn:aws:iam::111122223333:root');
  const store = con.getByTestId('store-cks-1234567890abcdef0');
  await expect(store.getByTestId('store-state')).toHaveText('DISCONNECTED');
  await expect(store.getByTestId('store-detail')).toHaveText(/^cluster cluster-1a23b4cdefg, 2 active HSMs, kmsuser .+, 0 keys$/);

  await store.getByTestId('store-connect').click();
  await expect(con.getByTestId('kms-result').getByTestId('decision')).toHaveText('Allow');
  await expect(store.getByTestId('store-state')).toHaveText('CONNECTING');
  await con.getByTestId('wait-5m').click();
  await expect(store.getByTestId('store-state')).toHaveText('CONNECTED');

  // Take the HSMs away in the scenario, then reconnect: the attempt fails with the code.
  await store.locator('summary', { hasText: 'Break the cluster' }).click();
  await store.locator('.knob', { hasText: 'INSUFFICIENT_CLOUDHSM_HSMS' }).getByRole('button', { name: 'break' }).click();
  await expect(page.getByTestId('editor')).toHaveValue(/"activeHsms": 0/);
  await store.getByTestId('store-disconnect').click();
  await con.getByTestId('wait-5m').click();
  await expect(store.getByTestId('store-state')).toHaveText('DISCONNECTED');
  await store.getByTestId('store-connect').click();
  await con.getByTestId('wait-5m').click();
  await expect(store.getByTestId('store-state')).toHaveText('FAILED');
  await expect(store.getByTestId('store-error')).toHaveText('INSUFFICIENT_CLOUDHSM_HSMS');

  // A FAILED store must be disconnected before it can connect again.
  await store.getByTestId('store-connect').click();
  await expect(con.getByTestId('kms-result').getByTestId('error')).toHaveText('CustomKeyStoreInvalidStateException');
  expect(errors).toEqual([]);
});

const xks = {
  kmslab: 1,
  title: 'An external key store',
  defaults: { account: '111122223333', time: '2026-11-22T12:00:00Z' },
  keyStores: [{ id: 'cks-abcdef01234567890', name: 'ext-store', type: 'EXTERNAL_KEY_STORE', connectionState: 'CONNECTED',
    proxy: { uriEndpoint: 'https://xks.example.com', uriPath: '/example/kms/xks/v1',
      credential: { accessKeyId: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', secret: 'R2VoZWltbmlzR2VoZWltbmlzR2VoZWltbmlzR2VoZWltbmlz' },
      externalKeys: [{ id: 'ext-key-1', status: 'ENABLED', usage: ['ENCRYPT', 'DECRYPT'] }] } }],
  keys: [{ id: '1234abcd-12ab-34cd-56ef-1234567890ab', aliases: ['alias/xks'], origin: 'EXTERNAL_KEY_STORE',
    keyStore: 'cks-abcdef01234567890', externalKeyId: 'ext-key-1' }],
  steps: [],
};

test('external key store: the proxy call is shown beside the trace, and a slow proxy times out', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('editor').fill(JSON.stringify(xks, null, 2));
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  await con.getByTestId('kms-caller').selectOption('arn:aws:iam::111122223333:root');
  await con.getByTestId('kms-op').selectOption('Encrypt');
  await con.getByTestId('kms-input').fill(JSON.stringify({ KeyId: 'alias/xks', Plaintext: 'aGVsbG8=' }));
  await con.getByTestId('kms-run').click();
  const result = con.getByTestId('kms-result');
  await expect(result.getByTestId('error')).toHaveText('success');
  const call = result.getByTestId('proxy-call');
  await expect(call).toHaveCount(1);
  await call.locator('summary').click();
  await expect(call).toContainText('HTTP 200');
  await expect(call.getByTestId('proxy-request')).toContainText('requestMetadata');
  await expect(call.getByTestId('proxy-request')).toContainText('"kmsOperation": "Encrypt"');
  await expect(call).toContainText('AWS4-HMAC-SHA256');

  const store = con.getByTestId('store-cks-abcdef01234567890');
  // An external key store has no cluster: its line starts with its keys, not a comma.
  await expect(store.getByTestId('store-detail')).toHaveText('1 key');
  await store.locator('summary', { hasText: 'Inject proxy faults' }).click();
  await store.locator('.knob', { hasText: 'slower than 250 ms' }).getByRole('button', { name: 'break' }).click();
  await expect(page.getByTestId('editor')).toHaveValue(/"latencyMs": 400/);
  await con.getByTestId('kms-run').click();
  await expect(con.getByTestId('kms-result').getByTestId('error')).toHaveText('KMSInvalidStateException');
  await expect(con.getByTestId('kms-result').getByTestId('message')).toContainText('did not respond in time');
  expect(errors).toEqual([]);
});

test('proxy faults: break then repair leaves the scenario as it was', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  // The user's own latency is kept; the settings they did not write are not added.
  const mine = JSON.parse(JSON.stringify(xks));
  mine.keyStores[0].proxy.latencyMs = 50;
  const before = JSON.stringify(mine, null, 2);
  const editor = page.getByTestId('editor');
  await editor.fill(before);
  await page.getByTestId('tab-consoles').click();
  const store = page.getByTestId('kms-console').getByTestId('store-cks-abcdef01234567890');
  await store.locator('summary', { hasText: 'Inject proxy faults' }).click();
  const knobs = store.locator('.knob');
  await expect(knobs).toHaveCount(4);
  for (let i = 0; i < 4; i++) {
    await knobs.nth(i).getByRole('button', { name: 'break' }).click();
    await expect(editor).not.toHaveValue(before);
  }
  await expect(editor).toHaveValue(/"latencyMs": 400/);
  for (let i = 0; i < 4; i++) {
    await knobs.nth(i).getByRole('button', { name: 'repair' }).click();
  }
  await expect(editor).toHaveValue(before);
  // Repairing what is not broken changes nothing either.
  await knobs.nth(1).getByRole('button', { name: 'repair' }).click();
  await expect(editor).toHaveValue(before);
  expect(errors).toEqual([]);
});
