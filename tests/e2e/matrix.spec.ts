import { test, expect } from '@playwright/test';
import { readFileSync } from 'fs';
import { watch, fresh } from './helpers';

// The NPS example has one key (alias/nps) and two rows: the nps-service user and the account's
// root user. nps-service's identity policy denies everything outside the corporate network,
// and a matrix request has no aws:SourceIp, so each of its cells is an explicit deny; the root
// user may do everything the key policy allows, and CancelKeyDeletion is refused by the key's
// state (the key is not pending deletion).
const NPS = 'arn:aws:iam::111122223333:user/nps-service';
const ROOT = 'arn:aws:iam::111122223333:root';

function cell(page, principal: string, op: string) {
  return page.locator(`[data-testid=matrix-cell][data-principal="${principal}"][data-op="${op}"]`);
}

test('computes the access matrix, filters it, shows a cell trace and exports CSV', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('tab-matrix').click();
  await page.getByTestId('matrix-compute').click();

  const summary = page.getByTestId('matrix-summary');
  await expect(summary).toContainText('2 principals x 1 keys x 39 operations = 78 cells');
  await expect(summary).toContainText('30 Allowed, 9 AllowedButStateRefuses, 39 ExplicitDeny, 0 ImplicitDeny');
  await expect(cell(page, NPS, 'Decrypt')).toHaveAttribute('data-outcome', 'ExplicitDeny');
  await expect(cell(page, ROOT, 'Decrypt')).toHaveAttribute('data-outcome', 'Allowed');
  await expect(cell(page, ROOT, 'CancelKeyDeletion')).toHaveAttribute('data-outcome', 'AllowedButStateRefuses');
  await expect(page.getByTestId('matrix-row')).toHaveCount(2);

  // Filters: by principal, then by operation and outcome.
  await page.getByTestId('matrix-filter-principal').fill('nps-service');
  await expect(page.getByTestId('matrix-row')).toHaveCount(1);
  await page.getByTestId('matrix-filter-principal').fill('');
  await page.getByTestId('matrix-filter-operation').fill('crypt');
  await page.getByTestId('matrix-filter-outcome').selectOption('allowed');
  await expect(page.getByTestId('matrix-row')).toHaveCount(1);
  await expect(page.getByTestId('matrix-shown')).toContainText('4 matching cells in 1 rows');
  await expect(page.locator('[data-testid=matrix-cell]')).toHaveCount(4);

  // A cell's trace: the deny statement and the missing context key.
  await page.getByTestId('matrix-filter-outcome').selectOption('any outcome');
  await page.getByTestId('matrix-filter-operation').fill('');
  await expect(page.locator('[data-testid=matrix-cell]')).toHaveCount(78);
  await cell(page, NPS, 'Decrypt').click();
  const trace = page.getByTestId('matrix-trace');
  await expect(trace.getByTestId('trace-summary')).toContainText('ExplicitDeny');
  await expect(trace).toContainText('DenyOutsideCorpNetwork');
  await expect(trace.getByTestId('missing-keys')).toContainText('aws:SourceIp');
  await cell(page, ROOT, 'CancelKeyDeletion').click();
  await expect(trace.getByTestId('error')).toHaveText('KMSInvalidStateException');
  await expect(trace.getByTestId('key-state')).toContainText('not pending deletion');

  // CSV of what the filter keeps: a header and one line per cell.
  await page.getByTestId('matrix-filter-operation').fill('crypt');
  await expect(page.locator('[data-testid=matrix-cell]')).toHaveCount(8);
  const download = page.waitForEvent('download');
  await page.getByTestId('matrix-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('access-matrix.csv');
  const csv = readFileSync(await file.path(), 'utf8');
  const lines = csv.split('\r\n').filter((l) => l.length > 0);
  expect(lines[0]).toBe('principal,key_id,key_arn,operation,outcome,decision,via,state_exception,deciding');
  expect(lines.length).toBe(1 + 2 * 4); // two rows x Decrypt, Encrypt, ReEncryptFrom, ReEncryptTo
  expect(csv).toContain(`${NPS},1234abcd-12ab-34cd-56ef-1234567890ab,`);
  expect(errors).toEqual([]);
});

test('a scenario that does not parse says so instead of a matrix', async ({ page }) => {
  await fresh(page);
  await page.getByTestId('editor').fill('{ "kmslab": 1, "steps": [,] }');
  await page.getByTestId('tab-matrix').click();
  await page.getByTestId('matrix-compute').click();
  await expect(page.getByTestId('matrix-error')).toBeVisible();
  await expect(page.getByTestId('matrix-table')).toHaveCount(0);
});

test('the matrix of the world after the steps shows a grant and a key state the steps made', async ({ page }) => {
  const errors = watch(page);
  const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
  const OTHER = '0000abcd-12ab-34cd-56ef-1234567890ab';
  const scenario = {
    kmslab: 1,
    defaults: { account: '111122223333', region: 'us-east-1', time: '2026-11-22T12:00:00Z' },
    iam: {
      users: [
        { name: 'alice', inline: { admin: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } } },
        { name: 'bob' },
      ],
    },
    keys: [{ id: KEY }, { id: OTHER }],
    steps: [
      { caller: 'arn:aws:iam::111122223333:user/alice', call: 'kms:CreateGrant',
        input: { KeyId: KEY, GranteePrincipal: 'arn:aws:iam::111122223333:user/bob', Operations: ['Decrypt'] } },
      { caller: 'arn:aws:iam::111122223333:user/alice', call: 'kms:DisableKey', input: { KeyId: OTHER } },
      { advance: 'PT1H' },
    ],
  };
  await fresh(page);
  await page.getByTestId('editor').fill(JSON.stringify(scenario, null, 2));
  await page.getByTestId('tab-matrix').click();
  const bob = 'arn:aws:iam::111122223333:user/bob';
  const alice = 'arn:aws:iam::111122223333:user/alice';
  const at = (p: string, key: string, op: string) =>
    page.locator(`[data-testid=matrix-cell][data-principal="${p}"][data-key="${key}"][data-op="${op}"]`);

  // Before the steps: no grant, both keys enabled.
  await page.getByTestId('matrix-compute').click();
  await expect(at(bob, KEY, 'Decrypt')).toHaveAttribute('data-outcome', 'ImplicitDeny');
  await expect(at(alice, OTHER, 'Encrypt')).toHaveAttribute('data-outcome', 'Allowed');

  // After them: bob decrypts through the grant, and the disabled key refuses alice's Encrypt.
  await page.getByTestId('matrix-world-after').check();
  await page.getByTestId('matrix-compute').click();
  await expect(at(bob, KEY, 'Decrypt')).toHaveAttribute('data-outcome', 'Allowed');
  await expect(at(bob, KEY, 'Encrypt')).toHaveAttribute('data-outcome', 'ImplicitDeny');
  await expect(at(alice, OTHER, 'Encrypt')).toHaveAttribute('data-outcome', 'AllowedButStateRefuses');
  await at(bob, KEY, 'Decrypt').click();
  await expect(page.getByTestId('matrix-trace')).toContainText('grant');
  await at(alice, OTHER, 'Encrypt').click();
  await expect(page.getByTestId('matrix-trace').getByTestId('error')).toHaveText('DisabledException');

  // Steps that do not run leave no world to show (a context key that contradicts one the
  // simulator derives; an unknown caller is refused when the scenario is read).
  await page.getByTestId('tab-workspace').click();
  const broken = { ...scenario, steps: [...scenario.steps, { caller: 'arn:aws:iam::111122223333:user/bob', call: 'kms:ListKeys', context: { 'aws:username': 'mallory' } }] };
  await page.getByTestId('editor').fill(JSON.stringify(broken, null, 2));
  await page.getByTestId('tab-matrix').click();
  await page.getByTestId('matrix-compute').click();
  await expect(page.getByTestId('matrix-error')).toContainText('the steps do not run');
  expect(errors).toEqual([]);
});

test('a request context applies to every cell', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('tab-matrix').click();
  // From the corporate network, nps-service's deny no longer applies: its Decrypt is only
  // missing the encryption context its allow asks for (cells have none).
  await page.getByTestId('matrix-context').fill('aws:SourceIp=203.0.113.10');
  await page.getByTestId('matrix-compute').click();
  await expect(cell(page, NPS, 'Decrypt')).toHaveAttribute('data-outcome', 'ImplicitDeny');
  await cell(page, NPS, 'Decrypt').click();
  const trace = page.getByTestId('matrix-trace');
  await expect(trace).toContainText('203.0.113.10');
  await expect(trace.getByTestId('missing-keys')).toContainText('kms:EncryptionContext:app');
  // Keys the simulator derives, and lines that are not key=value, are refused.
  await page.getByTestId('matrix-context').fill('aws:PrincipalArn=arn:aws:iam::111122223333:root');
  await page.getByTestId('matrix-compute').click();
  await expect(page.getByTestId('matrix-error')).toContainText('`aws:PrincipalArn` is set by the simulator for each cell');
  await page.getByTestId('matrix-context').fill('aws:SourceIp');
  await page.getByTestId('matrix-compute').click();
  await expect(page.getByTestId('matrix-error')).toContainText('context line 1');
  expect(errors).toEqual([]);
});

test('an encryption context decides key policy conditions and grant constraints', async ({ page }) => {
  const errors = watch(page);
  const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
  const NPS_APP = 'arn:aws:iam::111122223333:user/nps-app';
  const BOB = 'arn:aws:iam::111122223333:user/bob';
  const scenario = {
    kmslab: 1,
    defaults: { account: '111122223333', region: 'us-east-1', time: '2026-11-22T12:00:00Z' },
    iam: { users: [{ name: 'nps-app' }, { name: 'bob' }] },
    keys: [{
      id: KEY,
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
          { Sid: 'NpsDecrypt', Effect: 'Allow', Principal: { AWS: NPS_APP }, Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*',
            Condition: { StringEquals: { 'kms:EncryptionContext:app': 'nps' } } },
        ],
      },
    }],
    grants: [{ keyId: KEY, grantee: BOB, operations: ['Decrypt'], grantId: 'g-bob',
               constraints: { encryptionContextSubset: { dept: 'finance' } } }],
    steps: [],
  };
  await fresh(page);
  await page.getByTestId('editor').fill(JSON.stringify(scenario, null, 2));
  await page.getByTestId('tab-matrix').click();
  const ec = page.getByTestId('matrix-encryption-context');
  const compute = async (text: string) => {
    await ec.fill(text);
    await page.getByTestId('matrix-compute').click();
  };

  // Without an encryption context the condition and the constraint are not met.
  await compute('');
  await expect(cell(page, NPS_APP, 'Decrypt')).toHaveAttribute('data-outcome', 'ImplicitDeny');
  await expect(cell(page, BOB, 'Decrypt')).toHaveAttribute('data-outcome', 'ImplicitDeny');
  await expect(page.getByTestId('matrix-computed-ec')).toHaveCount(0);

  // {"app":"nps"}: the key policy allows Decrypt; DescribeKey takes no encryption context.
  await compute('{"app": "nps"}');
  await expect(cell(page, NPS_APP, 'Decrypt')).toHaveAttribute('data-outcome', 'Allowed');
  await expect(cell(page, NPS_APP, 'DescribeKey')).toHaveAttribute('data-outcome', 'ImplicitDeny');
  await expect(cell(page, BOB, 'Decrypt')).toHaveAttribute('data-outcome', 'ImplicitDeny');
  await expect(page.getByTestId('matrix-computed-ec')).toContainText('{"app":"nps"}');
  await cell(page, NPS_APP, 'Decrypt').click();
  const trace = page.getByTestId('matrix-trace');
  await expect(trace).toContainText('kms:EncryptionContext:app');
  await expect(trace).toContainText('NpsDecrypt');

  // Another value: denied again.
  await compute('{"app": "x"}');
  await expect(cell(page, NPS_APP, 'Decrypt')).toHaveAttribute('data-outcome', 'ImplicitDeny');

  // The grant's EncryptionContextSubset dept=finance is met by a context that has the pair.
  await compute('{"app": "nps", "dept": "finance"}');
  await expect(cell(page, BOB, 'Decrypt')).toHaveAttribute('data-outcome', 'Allowed');
  await expect(cell(page, NPS_APP, 'Decrypt')).toHaveAttribute('data-outcome', 'Allowed');
  await cell(page, BOB, 'Decrypt').click();
  await expect(trace.getByTestId('trace-summary')).toContainText('g-bob');

  // Input that is not a JSON object of strings says where, and the text stays.
  await compute('{"app": }');
  await expect(page.getByTestId('matrix-error')).toContainText('encryption context, line 1, column 9');
  await expect(ec).toHaveValue('{"app": }');
  await compute('{"app": 1}');
  await expect(page.getByTestId('matrix-error')).toContainText('the value of `app` must be a string');
  // An encryption-context key in the request context points to this field.
  await compute('');
  await page.getByTestId('matrix-context').fill('kms:EncryptionContext:app=nps');
  await page.getByTestId('matrix-compute').click();
  await expect(page.getByTestId('matrix-error')).toContainText("the matrix's encryption context option");
  expect(errors).toEqual([]);
});

test('a world without keys says so in a sentence; a cell\'s label says its outcome', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('editor').fill(JSON.stringify({ kmslab: 1, iam: { users: [{ name: 'alice' }] }, steps: [] }, null, 2));
  await page.getByTestId('tab-matrix').click();
  await page.getByTestId('matrix-compute').click();
  await expect(page.getByTestId('matrix-empty')).toContainText('no KMS key');
  await expect(page.getByTestId('matrix-table')).toHaveCount(0);
  await expect(page.getByTestId('matrix-shown')).toHaveCount(0);

  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('matrix-compute').click();
  await expect(cell(page, NPS, 'Decrypt').getByRole('button')).toHaveAccessibleName(/^Decrypt by arn:aws:iam::111122223333:user\/nps-service on \S+: explicit deny$/);
  await expect(cell(page, ROOT, 'Decrypt').getByRole('button')).toHaveAccessibleName(/: allowed$/);
  // Filters that match nothing: a sentence, not an empty table.
  await page.getByTestId('matrix-filter-principal').fill('nobody-has-this-name');
  await expect(page.getByTestId('matrix-empty')).toHaveText('No cell matches the filters.');
  expect(errors).toEqual([]);
});
