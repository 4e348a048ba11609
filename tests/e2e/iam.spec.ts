import { test, expect, Locator, Page } from '@playwright/test';
import { fresh, watch } from './helpers';

// The IAM console: calls made as a principal or as an access key, the lists of the IAM world
// (users with their keys, policies with their versions and a diff), and saving the calls.

const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const POLICY = 'KeyControlServiceAccountPolicy';
const USER = 'keycontrol-byok';
const doc = (resource: string) => JSON.stringify({ Version: '2012-10-17', Statement: [
  { Sid: 'ServiceAccountPolicy', Effect: 'Allow', Action: ['kms:*', 'iam:ListUsers', 'iam:GetUser'], Resource: resource }] });
const KEY_ARNS = 'arn:aws:kms:us-east-1:111122223333:key/*';

// Seed 000's world (an administrator and its policy) with no steps yet.
const SCENARIO = JSON.stringify({
  kmslab: 1,
  title: 'IAM console',
  defaults: { account: '111122223333', region: 'us-east-1', time: '2026-11-22T12:00:00Z' },
  seed: 1000,
  iam: {
    policies: [{ name: 'AdministratorAccess', document: { Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    users: [{ name: 'admin', attached: ['AdministratorAccess'] }],
  },
  steps: [],
}, null, 2);

/** Runs one call from the console's form and waits for its result (step `id`). */
async function call(con: Locator, id: string, op: string, input: object) {
  await con.getByTestId('iam-op').selectOption(op);
  await con.getByTestId('iam-input').fill(JSON.stringify(input, null, 2));
  await con.getByTestId('iam-run').click();
  await expect(con.getByTestId('iam-result').locator('h3')).toHaveText(`${id} — ${op}`);
  return con.getByTestId('iam-result');
}

/** Loads the scenario and, as the administrator, creates the policy, the user, the attachment and a key. */
async function seed(page: Page) {
  await fresh(page);
  await page.getByTestId('editor').fill(SCENARIO);
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('iam-console');
  await expect(con.getByTestId('iam-caller')).toHaveValue(ADMIN);
  let r = await call(con, 'iam-1', 'iam:CreatePolicy', { PolicyName: POLICY, PolicyDocument: doc('*') });
  await expect(r.getByTestId('decision')).toHaveText('Allow');
  await expect(r.getByTestId('error')).toHaveText('success');
  r = await call(con, 'iam-2', 'iam:CreateUser', { UserName: USER, Tags: [{ Key: 'purpose', Value: 'byok' }] });
  await expect(r.getByTestId('error')).toHaveText('success');
  r = await call(con, 'iam-3', 'iam:AttachUserPolicy', { UserName: USER, PolicyArn: '${iam-1.Policy.Arn}' });
  await expect(r.getByTestId('error')).toHaveText('success');
  r = await call(con, 'iam-4', 'iam:CreateAccessKey', { UserName: USER });
  await expect(r.getByTestId('error')).toHaveText('success');
  await expect(con.getByTestId('iam-output')).toContainText('SecretAccessKey');
  return con;
}

test('IAM console: the administrator sets up a service account, which then calls with its access key', async ({ page }) => {
  const errors = watch(page);
  const con = await seed(page);

  const user = con.getByTestId(`user-${USER}`);
  await expect(user.getByTestId('user-attached')).toHaveText(POLICY);
  await expect(user.getByTestId('user-tags')).toHaveText('purpose=byok');
  await expect(user.getByTestId('access-key')).toHaveCount(1);
  await expect(user.getByTestId('access-key-status')).toHaveText('Active');
  await expect(user.getByTestId('access-key-last-used')).toHaveText('never');
  const policy = con.getByTestId(`policy-${POLICY}`);
  await expect(policy.getByTestId('policy-version')).toHaveCount(1);
  await expect(policy.locator('[data-version="v1"]').getByTestId('default-version')).toBeVisible();
  await expect(con.getByTestId('iam-log').locator('li')).toHaveCount(4);

  // Signed with the new key, the caller is the service account: ListUsers is in its policy...
  const keyId = (await user.getByTestId('access-key-id').textContent())!;
  expect(keyId).toMatch(/^AKIA/);
  await con.getByTestId('iam-caller').selectOption(keyId);
  let r = await call(con, 'iam-5', 'iam:ListUsers', {});
  await expect(r.getByTestId('decision')).toHaveText('Allow');
  await expect(r.getByTestId('error')).toHaveText('success');
  await expect(r.getByTestId('iam-result-caller')).toHaveText(`arn:aws:iam::111122223333:user/${USER}`);
  await expect(con.getByTestId('iam-output')).toContainText(USER);
  await expect(user.getByTestId('access-key-last-used')).toContainText('(iam, us-east-1)');

  // ...CreateUser is not: an implicit deny, AccessDenied, and the trace says why.
  r = await call(con, 'iam-6', 'iam:CreateUser', { UserName: 'intruder' });
  await expect(r.getByTestId('decision')).toHaveText('ImplicitDeny');
  await expect(r.getByTestId('error')).toHaveText('AccessDenied');
  await expect(r.getByTestId('trace')).toBeVisible();
  await expect(r.getByTestId('trace-summary')).toContainText('ImplicitDeny');
  await expect(con.getByTestId('user-intruder')).toHaveCount(0);
  // The caller stays chosen, and an earlier call's result can be shown again from the log.
  await expect(con.getByTestId('iam-caller')).toHaveValue(keyId);
  await con.getByTestId('iam-log-iam-5').click();
  await expect(con.getByTestId('iam-result').locator('h3')).toHaveText('iam-5 — iam:ListUsers');
  await expect(con.getByTestId('iam-result').getByTestId('decision')).toHaveText('Allow');
  expect(errors).toEqual([]);
});

test('IAM console: a second policy version and the diff between versions', async ({ page }) => {
  const errors = watch(page);
  const con = await seed(page);
  const r = await call(con, 'iam-5', 'iam:CreatePolicyVersion',
    { PolicyArn: '${iam-1.Policy.Arn}', PolicyDocument: doc(KEY_ARNS), SetAsDefault: true });
  await expect(r.getByTestId('error')).toHaveText('success');
  const policy = con.getByTestId(`policy-${POLICY}`);
  await expect(policy.getByTestId('policy-version')).toHaveCount(2);
  await expect(policy.locator('[data-version="v2"]').getByTestId('default-version')).toBeVisible();
  await expect(policy.locator('[data-version="v1"]').getByTestId('default-version')).toHaveCount(0);

  await policy.getByTestId('diff-from').selectOption('v1');
  await policy.getByTestId('diff-to').selectOption('v2');
  const diff = policy.getByTestId('policy-diff');
  await expect(diff.getByTestId('diff-removed')).toHaveCount(1);
  await expect(diff.getByTestId('diff-removed')).toHaveText('-       "Resource": "*"');
  await expect(diff.getByTestId('diff-added')).toHaveCount(1);
  await expect(diff.getByTestId('diff-added')).toHaveText(`+       "Resource": "${KEY_ARNS}"`);
  await expect(diff).toContainText('"Sid": "ServiceAccountPolicy"');
  // Reversed, the same line goes the other way; a version against itself has no difference.
  await policy.getByTestId('diff-from').selectOption('v2');
  await policy.getByTestId('diff-to').selectOption('v1');
  await expect(diff.getByTestId('diff-added')).toHaveText('+       "Resource": "*"');
  await policy.getByTestId('diff-to').selectOption('v2');
  await expect(policy.getByTestId('diff-none')).toBeVisible();
  await expect(diff.getByTestId('diff-added')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('IAM console: the calls are saved into the scenario as steps iam-N', async ({ page }) => {
  const errors = watch(page);
  const con = await seed(page);
  const keyId = (await con.getByTestId('access-key-id').textContent())!;
  await con.getByTestId('iam-caller').selectOption(keyId);
  await call(con, 'iam-5', 'sts:GetCallerIdentity', {});

  await expect(con.getByTestId('iam-save')).toHaveText('Save 5 call(s) into the scenario');
  await con.getByTestId('iam-save').click();
  const editor = page.getByTestId('editor');
  await expect(editor).toHaveValue(/"id": "iam-1"/);
  await expect(editor).toHaveValue(/"id": "iam-5"/);
  // The key is named by a reference to the step that created it, so the saved steps replay.
  await expect(editor).toHaveValue(/"accessKeyId": "\$\{iam-4\.AccessKey\.AccessKeyId\}"/);
  await expect(con.getByTestId('iam-save')).toBeDisabled();
  await expect(con.getByTestId('iam-log')).toHaveCount(0);
  // The world now comes from the scenario's own steps.
  await expect(con.getByTestId(`user-${USER}`).getByTestId('access-key-status')).toHaveText('Active');

  // The next call does not reuse a saved id.
  await con.getByTestId('iam-caller').selectOption(ADMIN);
  await call(con, 'iam-6', 'iam:GetUser', { UserName: USER });
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('step-row-iam-5')).toBeVisible();
  expect(errors).toEqual([]);
});

test('IAM console on a narrow screen in the dark theme', async ({ page }) => {
  const errors = watch(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  const con = await seed(page);
  await call(con, 'iam-5', 'iam:CreatePolicyVersion',
    { PolicyArn: '${iam-1.Policy.Arn}', PolicyDocument: doc(KEY_ARNS), SetAsDefault: true });
  await call(con, 'iam-6', 'iam:CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: JSON.stringify({
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] }) });
  await call(con, 'iam-7', 'sts:AssumeRole', { RoleArn: 'arn:aws:iam::111122223333:role/app', RoleSessionName: 'console', DurationSeconds: 3600 });
  await call(con, 'iam-8', 'iam:CreateServiceLinkedRole', { AWSServiceName: 'cks.kms.amazonaws.com' });
  await expect(con.getByTestId('iam-sessions').getByTestId('session-state')).toHaveText('valid');
  await expect(con.getByTestId('iam-roles').getByTestId('service-linked')).toHaveCount(1);
  await con.getByTestId('role-app').getByTestId('role-trust').locator('summary').click();
  await expect(con.getByTestId('role-app').getByTestId('role-trust')).toContainText('sts:AssumeRole');
  await con.scrollIntoViewIfNeeded();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const color = await con.getByTestId('policy-diff').evaluate((e) => getComputedStyle(e).backgroundColor);
  expect(color).toBe('rgb(38, 42, 49)');
  await page.screenshot({ path: 'tests/artifacts/iam-narrow-dark.png', fullPage: true });
  expect(errors).toEqual([]);
});
