import { test, expect } from '@playwright/test';
import { fresh, watch } from './helpers';

const ROOT = 'arn:aws:iam::111122223333:root';
const ADMIN = 'arn:aws:iam::111122223333:user/key-admin';

test('key policy editor: located errors, lockout check, PutKeyPolicy and the initial policy', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-grants-and-tokens').click();
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  const editor = con.getByTestId('policy-editor');
  await expect(editor).toHaveValue(/Allow key administration/);

  // A typo in Effect: the error names line 3 and the JSON path, and the buttons are off.
  await editor.fill('{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Alow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]\n}');
  const err = con.getByTestId('policy-parse-error');
  await expect(err).toContainText('3:');
  await expect(err).toContainText('$.Statement[0].Effect');
  await expect(err).toContainText('`Alow`');
  await expect(con.getByTestId('policy-put')).toBeDisabled();

  // A policy that leaves out the caller fails AWS's lockout safety check.
  await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [
    { Sid: 'AdminOnly', Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:*', Resource: '*' }] }, null, 2));
  await expect(con.getByTestId('policy-parse-error')).toHaveCount(0);
  await con.getByTestId('kms-caller').selectOption(ROOT);
  await con.getByTestId('policy-put').click();
  await expect(con.getByTestId('kms-result').getByTestId('error')).toHaveText('MalformedPolicyDocumentException');

  // A public policy is accepted by the parser but flagged; the account's own policy goes in.
  await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [
    { Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }] }, null, 2));
  await expect(con.getByTestId('policy-finding-public-access')).toBeVisible();
  await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [
    { Sid: 'OnlyTheAccount', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }] }, null, 2));
  await con.getByTestId('policy-put').click();
  await expect(con.getByTestId('kms-result').getByTestId('decision')).toHaveText('Allow');
  await expect(con.getByTestId('kms-result').getByTestId('error')).toHaveText('success');

  // Written into the scenario as the key's policy before the first step.
  await con.getByTestId('policy-initial').click();
  await expect(con.getByTestId('policy-note')).toContainText('starts with this policy');
  await expect(page.getByTestId('editor')).toHaveValue(/OnlyTheAccount/);
  expect(errors).toEqual([]);
});

test('grants panel: create a grant from the form, then revoke it', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-grants-and-tokens').click();
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  await con.getByTestId('kms-caller').selectOption(ADMIN);
  const form = con.getByTestId('grant-form');
  await form.getByTestId('grant-grantee').fill('arn:aws:iam::111122223333:role/app');
  await form.getByTestId('grant-ops').getByLabel('Encrypt', { exact: true }).check();
  await form.getByTestId('grant-constraint').selectOption('EncryptionContextEquals');
  await form.getByTestId('grant-pairs').fill('app=billing');
  await form.getByTestId('grant-create').click();
  await expect(con.getByTestId('kms-result').getByTestId('decision')).toHaveText('Allow');
  await expect(con.getByTestId('kms-output')).toContainText('GrantId');
  const grant = con.getByTestId('grant').filter({ hasText: 'EncryptionContextEquals {app=billing}' });
  await expect(grant).toContainText('for [Decrypt, Encrypt]');

  // The grantee cannot revoke (the key policy does not allow it); key-admin can.
  await con.getByTestId('kms-caller').selectOption('arn:aws:sts::111122223333:assumed-role/app/console');
  await grant.getByTestId('grant-revoke').click();
  await expect(con.getByTestId('kms-result').getByTestId('error')).toHaveText('AccessDeniedException');
  await con.getByTestId('kms-caller').selectOption(ADMIN);
  await grant.getByTestId('grant-revoke').click();
  await expect(con.getByTestId('kms-result').getByTestId('error')).toHaveText('success');
  await expect(grant).toContainText('(retired/revoked)');
  await expect(grant.getByTestId('grant-revoke')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('after another scenario loads, the console calls as one of its principals on one of its keys', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  await con.getByTestId('kms-caller').selectOption('arn:aws:iam::111122223333:user/nps-service');
  // An input the user wrote: only its KeyId follows the scenario, and only when its key is gone.
  await con.getByTestId('kms-input').fill('{"KeyId": "alias/nps",  "Plaintext": "aGk="}');
  await page.getByTestId('example-grants-and-tokens').click();
  await expect(con.getByTestId('kms-caller')).toHaveValue(ADMIN);
  await expect(con.getByTestId('kms-input')).toHaveValue('{"KeyId": "alias/app-data",  "Plaintext": "aGk="}');
  await con.getByTestId('kms-run').click();
  await expect(con.getByTestId('kms-result')).toContainText(`Request: ${ADMIN} kms:Encrypt`);
  // A key that never existed is the user's own business: it stays.
  await con.getByTestId('kms-input').fill('{"KeyId": "alias/nope", "Plaintext": "aGk="}');
  await page.getByTestId('example-cross-account-key').click();
  await expect(con.getByTestId('kms-input')).toHaveValue('{"KeyId": "alias/nope", "Plaintext": "aGk="}');
  // The template the console wrote follows every time.
  await con.getByTestId('kms-op').selectOption('DescribeKey');
  await page.getByTestId('example-grants-and-tokens').click();
  await expect(con.getByTestId('kms-input')).toHaveValue(/"KeyId": "alias\/app-data"/);
  expect(errors).toEqual([]);
});

test('the grant and key-policy key pickers show the key they use when the keys change', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const key = (id: string) => ({ id, aliases: [`alias/${id.slice(0, 4)}`] });
  const doc = (ids: string[]) => JSON.stringify({
    kmslab: 1, title: 'Keys', defaults: { account: '111122223333' }, keys: ids.map(key), steps: [],
  }, null, 2);
  const [a, b, c] = ['aaaa1111-0000-0000-0000-000000000000', 'bbbb2222-0000-0000-0000-000000000000', 'abcd3333-0000-0000-0000-000000000000'];
  const editor = page.getByTestId('editor');
  await editor.fill(doc([a, b]));
  await page.getByTestId('tab-consoles').click();
  const con = page.getByTestId('kms-console');
  await con.getByTestId('grant-key').selectOption(b);
  await con.getByTestId('policy-key').selectOption(b);

  // Another key joins, listed before the chosen one: the options are made anew, and the
  // chosen key stays shown (not the new key now in its place).
  await page.getByTestId('tab-workspace').click();
  await editor.fill(doc([c, a, b]));
  await page.getByTestId('tab-consoles').click();
  await expect(con.getByTestId('grant-key').locator('option')).toHaveCount(3);
  await expect(con.getByTestId('grant-key')).toHaveValue(b);
  await expect(con.getByTestId('policy-key')).toHaveValue(b);

  // The chosen key is removed: both fall back to the first key (the view lists keys by id),
  // shown and used.
  await page.getByTestId('tab-workspace').click();
  await editor.fill(doc([c, a]));
  await page.getByTestId('tab-consoles').click();
  await expect(con.getByTestId('grant-key').locator('option')).toHaveCount(2);
  await expect(con.getByTestId('grant-key')).toHaveValue(a);
  await expect(con.getByTestId('policy-key')).toHaveValue(a);
  await con.getByTestId('kms-caller').selectOption(ROOT);
  await con.getByTestId('grant-grantee').fill(ROOT);
  await con.getByTestId('grant-create').click();
  await expect(con.getByTestId('kms-result').getByTestId('error')).toHaveText('success');
  await expect(con.getByTestId('grant')).toContainText(` on ${a} to `);
  expect(errors).toEqual([]);
});
