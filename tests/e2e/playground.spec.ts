import { test, expect } from '@playwright/test';
import { fresh, watch } from './helpers';

const SMALL = '{\n  "kmslab": 1,\n  "title": "Mine",\n  "keys": [{"id": "k1", "description": "first"}],\n  "steps": []\n}';

test('screens are tabs reachable by keyboard, and the editor colours JSON', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await expect(page.locator('.editor .hl .tok-key').first()).toBeVisible();
  await page.getByTestId('tab-workspace').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-forms')).toBeFocused();
  await expect(page.getByTestId('screen-forms')).toBeVisible();
  await expect(page.getByTestId('screen-workspace')).toBeHidden();
  await page.keyboard.press('End');
  await expect(page.getByTestId('screen-library')).toBeVisible();
  await expect(page.getByTestId('editor')).toBeHidden();
  await page.keyboard.press('Alt+1');
  await expect(page.getByTestId('screen-workspace')).toBeVisible();
  expect(errors).toEqual([]);
});

test('format, undo and redo, and autosave across a reload', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  await editor.fill('{"kmslab":1,"title":"Mine","steps":[]}');
  await page.getByTestId('format').click();
  await expect(editor).toHaveValue('{\n  "kmslab": 1,\n  "title": "Mine",\n  "steps": []\n}');
  await page.getByTestId('undo').click();
  await expect(editor).toHaveValue('{"kmslab":1,"title":"Mine","steps":[]}');
  await page.getByTestId('redo').click();
  await expect(editor).toHaveValue(/\n  "title": "Mine"/);
  // Keyboard undo in the editor goes through the same history.
  await editor.focus();
  await page.keyboard.press('Control+z');
  await expect(editor).toHaveValue('{"kmslab":1,"title":"Mine","steps":[]}');
  // Broken JSON is not formatted; the message says where.
  await editor.fill('{"kmslab": 1,, }');
  await page.getByTestId('format').click();
  await expect(page.getByTestId('format-error')).toContainText('1:');
  await editor.fill(SMALL);
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveValue(SMALL);
  expect(errors).toEqual([]);
});

test('forms and JSON stay in sync, and a breaking edit is refused', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  await editor.fill(SMALL);
  await page.getByTestId('tab-forms').click();
  await page.getByTestId('form-section-keys').click();
  const field = page.locator('[data-path="$.keys[0].description"]');
  await expect(field).toHaveValue('first');
  await field.fill('changed in the form');
  await field.press('Enter');
  await field.blur();
  await expect(editor).toHaveValue(/"description": "changed in the form"/);
  // Copy the key: the copy gets a fresh id.
  await page.getByTestId('form-keys').getByTestId('form-duplicate').first().click();
  await expect(editor).toHaveValue(/"id": "k1-copy"/);
  // The JSON editor writes back into the form.
  await editor.fill(SMALL.replace('first', 'typed in JSON'));
  await expect(page.locator('[data-path="$.keys[0].description"]')).toHaveValue('typed in JSON');
  // Removing the required id breaks the scenario: refused, text unchanged.
  const before = await editor.inputValue();
  const id = page.locator('[data-path="$.keys[0].id"]');
  await id.locator('xpath=..').getByRole('button', { name: 'Remove id' }).click();
  await expect(page.getByTestId('form-refused')).toContainText('Not changed');
  await expect(editor).toHaveValue(before);
  expect(errors).toEqual([]);
});

test('a form edit changes only its own part of the text, keeping the layout of the rest', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-grants-and-tokens').click();
  const editor = page.getByTestId('editor');
  const before = await editor.inputValue();
  await page.getByTestId('tab-forms').click();
  await page.getByTestId('form-section-keys').click();
  const alias = page.locator('[data-path="$.keys[0].aliases[0]"]');
  await alias.fill('alias/app-data2');
  await alias.press('Tab');
  await expect(editor).toHaveValue(before.replace('["alias/app-data"]', '["alias/app-data2"]'));
  // A copied step is laid out like its original, and removing it gives the text back.
  await page.getByTestId('form-section-steps').click();
  const step = (i: number) => page.getByTestId('form-steps').locator(':scope > .farray > details > summary').nth(i);
  await step(2).getByTestId('form-duplicate').click();
  await expect(editor).toHaveValue(/\{ "id": "too-soon-copy", "description"/);
  expect((await editor.inputValue()).split('\n').length).toBe(before.split('\n').length + 4);
  await step(3).getByTestId('form-remove').click();
  await expect(editor).toHaveValue(before.replace('["alias/app-data"]', '["alias/app-data2"]'));
  expect(errors).toEqual([]);
});

test('a refused form edit\'s message goes once the text changes or another section is shown', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-grants-and-tokens').click();
  const editor = page.getByTestId('editor');
  await page.getByTestId('tab-forms').click();
  await page.getByTestId('form-section-keys').click();
  const alias = page.locator('[data-path="$.keys[0].aliases[0]"]');
  await alias.fill('app-data');
  await alias.press('Tab');
  await expect(page.getByTestId('form-refused')).toContainText('app-data');
  // Another section: the message was about the keys.
  await page.getByTestId('form-section-steps').click();
  await expect(page.getByTestId('form-refused')).toHaveCount(0);
  await page.getByTestId('form-section-keys').click();
  await alias.fill('app-data');
  await alias.press('Tab');
  await expect(page.getByTestId('form-refused')).toBeVisible();
  // Fixed in the JSON editor instead: the message goes, the field shows the JSON's value.
  await editor.fill((await editor.inputValue()).replace('"alias/app-data"', '"alias/from-json"'));
  await expect(page.getByTestId('form-refused')).toHaveCount(0);
  await expect(alias).toHaveValue('alias/from-json');
  expect(errors).toEqual([]);
});

test('named saves, export, and a malformed import that loses nothing', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  await editor.fill(SMALL);
  await page.getByTestId('tab-library').click();
  await page.getByTestId('save-name').fill('first try');
  await page.getByTestId('save-as').click();
  await expect(page.getByTestId('saves')).toContainText('first try');

  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('mine.json');

  await page.getByTestId('import').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "kmslab": 1,\n  "steps": [\n    {"id": "a", "call": }\n  ]\n}') });
  await expect(page.getByTestId('import-error')).toContainText('broken.json:4:');
  await page.getByTestId('tab-workspace').click();
  await expect(editor).toHaveValue(SMALL);

  // Load the save back over other text: the other text is kept as the replaced text.
  await editor.fill('{"kmslab": 1, "title": "Other", "steps": []}');
  await page.getByTestId('tab-library').click();
  await page.getByTestId('save-load').click();
  await page.getByTestId('tab-workspace').click();
  await expect(editor).toHaveValue(SMALL);
  await expect(page.getByTestId('replaced-notice')).toBeVisible();
  await page.reload();
  await page.getByTestId('tab-library').click();
  await expect(page.getByTestId('saves')).toContainText('first try');
  await page.getByTestId('save-delete').click();
  await page.getByTestId('save-delete-confirm').click();
  await expect(page.getByTestId('save-item')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a broken file is refused the same way from the header and the library: located, the text kept', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  await editor.fill(SMALL);
  const broken = '{\n  "kmslab": 1,\n  "steps": [\n    {"id": "a", "call": }\n  ]\n}';
  const file = { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(broken) };
  const located = /broken\.json:4:\d+: /;

  // The header's "Open file…": refused with the file, line and column; the text stays.
  await page.getByTestId('upload').setInputFiles(file);
  await expect(page.getByTestId('upload-error')).toContainText(located);
  await expect(editor).toHaveValue(SMALL);
  await expect(page.getByTestId('replaced-notice')).toHaveCount(0);
  const fromHeader = await page.getByTestId('upload-error').locator('code').textContent();

  // The library's "Import .json…": the same refusal, word for word.
  await page.getByTestId('tab-library').click();
  await page.getByTestId('import').setInputFiles(file);
  await expect(page.getByTestId('import-error').locator('code')).toHaveText(fromHeader ?? '');
  await page.getByTestId('tab-workspace').click();
  await expect(editor).toHaveValue(SMALL);

  // Opening it on purpose, from either place, keeps the text it replaces.
  await page.getByTestId('upload-anyway').click();
  await expect(editor).toHaveValue(broken);
  await expect(page.getByTestId('upload-error')).toHaveCount(0);
  await expect(page.getByTestId('replaced-notice')).toBeVisible();
  await page.getByTestId('restore').click();
  await expect(editor).toHaveValue(SMALL);
  expect(errors).toEqual([]);
});

test('saving under a name that is taken asks before replacing the old save', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  const first = '{"kmslab": 1, "title": "first", "steps": []}';
  const second = '{"kmslab": 1, "title": "second", "steps": []}';
  await editor.fill(first);
  await page.getByTestId('tab-library').click();
  await page.getByTestId('save-name').fill('mine');
  await page.getByTestId('save-as').click();
  await expect(page.getByTestId('library-message')).toContainText('saved as “mine”');
  await page.getByTestId('tab-workspace').click();
  await editor.fill(second);
  await page.getByTestId('tab-library').click();
  await page.getByTestId('save-as').click();
  await expect(page.getByTestId('save-replace')).toContainText('already saved as “mine”');
  const stored = () => page.evaluate(() => localStorage.getItem('kmslab.save:mine'));
  expect(await stored()).toBe(first);
  await page.getByTestId('save-replace-cancel').click();
  await expect(page.getByTestId('save-replace')).toHaveCount(0);
  expect(await stored()).toBe(first);
  await page.getByTestId('save-as').click();
  await page.getByTestId('save-replace-confirm').click();
  await expect(page.getByTestId('library-message')).toContainText('saved as “mine”');
  expect(await stored()).toBe(second);
  await expect(page.getByTestId('save-item')).toHaveCount(1);
  // The same text again under its own name needs no question.
  await page.getByTestId('save-as').click();
  await expect(page.getByTestId('save-replace')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a share link round-trips the scenario, and a damaged one is refused', async ({ page, context }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('editor').fill(SMALL);
  await page.getByTestId('tab-library').click();
  await page.getByTestId('make-share-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/#s=[A-Za-z0-9_-]+$/);

  const other = await context.newPage();
  await other.goto('./');
  await other.evaluate(() => localStorage.clear());
  // Through a blank page: going to the same URL with only a new fragment would not reload.
  await other.goto('about:blank');
  await other.goto(link);
  await expect(other.getByTestId('share-opened')).toBeVisible();
  await expect(other.getByTestId('editor')).toHaveValue(SMALL);
  expect(other.url()).not.toContain('#s=');

  const damaged = link.slice(0, -6);
  await other.goto('about:blank');
  await other.goto(damaged);
  await expect(other.getByTestId('share-error')).toContainText('could not be opened');
  await expect(other.getByTestId('editor')).toHaveValue(SMALL);
  expect(errors).toEqual([]);
});

test('a share link opened in a tab that already shows the app opens it, keeping the text it replaces', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  await editor.fill(SMALL);
  await page.getByTestId('tab-library').click();
  await page.getByTestId('make-share-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  const mine = '{"kmslab": 1, "title": "typed since", "steps": []}';
  await page.getByTestId('tab-workspace').click();
  await editor.fill(mine);
  // Only the fragment changes: no reload, a hashchange.
  await page.evaluate((l) => { (window as any).__same = true; location.href = l; }, link);
  await expect(page.getByTestId('share-opened')).toBeVisible();
  await expect(editor).toHaveValue(SMALL);
  expect(await page.evaluate(() => (window as any).__same)).toBe(true);
  await expect.poll(() => page.url()).not.toContain('#s=');
  await expect(page.getByTestId('replaced-notice')).toBeVisible();
  await page.getByTestId('undo').click();
  await expect(editor).toHaveValue(mine);
  await page.getByTestId('redo').click();
  await expect(editor).toHaveValue(SMALL);
  await page.getByTestId('restore').click();
  await expect(editor).toHaveValue(mine);
  // A damaged link says so and changes nothing.
  await page.evaluate((l) => { location.href = l; }, link.slice(0, -6));
  await expect(page.getByTestId('share-error')).toContainText('could not be opened');
  await expect(editor).toHaveValue(mine);
  await expect.poll(() => page.url()).not.toContain('#s=');
  expect(errors).toEqual([]);
});

test('a share link made before the text changed is marked outdated, not offered for copying', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  await editor.fill(SMALL);
  await page.getByTestId('tab-library').click();
  await page.getByTestId('make-share-link').click();
  await expect(page.getByTestId('share-link')).toHaveValue(/#s=/);
  await page.getByTestId('tab-workspace').click();
  await editor.fill(SMALL.replace('Mine', 'Mine, edited'));
  await page.getByTestId('tab-library').click();
  await expect(page.getByTestId('share-outdated')).toBeVisible();
  await expect(page.getByTestId('share-link')).toHaveCount(0);
  await page.getByTestId('make-share-link').click();
  await expect(page.getByTestId('share-outdated')).toHaveCount(0);
  const link = await page.getByTestId('share-link').inputValue();
  // The new link carries the new text.
  const other = await page.context().newPage();
  await other.goto(link);
  await expect(other.getByTestId('editor')).toHaveValue(/Mine, edited/);
  expect(errors).toEqual([]);
});

test('the theme follows the choice and survives a reload', async ({ page }) => {
  await fresh(page);
  await page.getByTestId('theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(22, 24, 28)');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('theme').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
});

test('run up to one step: the steps before it run, the ones after do not', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('run-to-step').selectOption('outside');
  await page.getByTestId('run-to').click();
  await expect(page.getByTestId('step-row-outside')).toBeVisible();
  await expect(page.getByTestId('step-row-enc')).toBeVisible();
  await expect(page.getByTestId('step-row-inside')).toHaveCount(0);
  await expect(page.getByTestId('step-detail')).toContainText('outside');
  expect(errors).toEqual([]);
});

test('"Run up to" shows the step it runs when the steps change', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  const step = (id: string) => ({ id, caller: 'arn:aws:iam::111122223333:root', call: 'kms:ListKeys', input: {} });
  const doc = (ids: string[]) => JSON.stringify({ kmslab: 1, title: 'Steps', steps: ids.map(step) }, null, 2);
  await editor.fill(doc(['one', 'two']));
  const pick = page.getByTestId('run-to-step');
  await pick.selectOption('two');
  // A step is added: the options are made anew, "two" stays shown and is what runs.
  await editor.fill(doc(['one', 'two', 'three']));
  await expect(pick.locator('option')).toHaveCount(3);
  await expect(pick).toHaveValue('two');
  await page.getByTestId('run-to').click();
  await expect(page.getByTestId('step-row-two')).toBeVisible();
  await expect(page.getByTestId('step-row-three')).toHaveCount(0);
  // "two" is gone: the first step is shown, and runs.
  await editor.fill(doc(['one', 'three']));
  await expect(pick).toHaveValue('one');
  await page.getByTestId('run-to').click();
  await expect(page.getByTestId('step-row-one')).toBeVisible();
  await expect(page.getByTestId('step-row-three')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('every screen fits a narrow screen without sideways scrolling', async ({ page }) => {
  const errors = watch(page);
  // 375 px: the narrowest phone in common use; the grants example has the longest key ids.
  await page.setViewportSize({ width: 375, height: 812 });
  await fresh(page);
  await page.getByTestId('example-grants-and-tokens').click();
  for (const tab of ['workspace', 'forms', 'consoles', 'matrix', 'labs', 'library']) {
    await page.getByTestId(`tab-${tab}`).click();
    await expect(page.getByTestId(`screen-${tab}`)).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `screen ${tab} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
  }
  expect(errors).toEqual([]);
});
