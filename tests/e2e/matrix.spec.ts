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
