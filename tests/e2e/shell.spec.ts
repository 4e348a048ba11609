import { test, expect } from '@playwright/test';
import { watch, fresh } from './helpers';

// The app shell: loading scenarios without losing text, located errors, composing from a step,
// and the layout on a narrow screen and in the dark theme.

test('the error line is marked and the message moves the caret to it', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('editor').fill('{\n  "kmslab": 1,\n  "steps": [,]\n}');
  await expect(page.getByTestId('parse-error')).toHaveText(/^3:13 at \$[^:]*: .+/);
  await expect(page.getByTestId('error-line')).toHaveAttribute('data-line', '3');
  await expect(page.getByTestId('editor')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('goto-error').click();
  const caret = await page.getByTestId('editor').evaluate((t: HTMLTextAreaElement) => t.selectionStart);
  // Lines 1 and 2 are 1 + 14 characters, plus their newlines; column 13 is 12 further.
  expect(caret).toBe(1 + 14 + 2 + 12);
  await page.getByTestId('editor').fill('{"kmslab": 1, "steps": []}');
  await expect(page.getByTestId('parse-error')).toHaveCount(0);
  await expect(page.getByTestId('error-line')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('the error band lies behind the line\'s text and spans the whole line, in both themes', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const long = 'x'.repeat(300);
  await page.getByTestId('editor').fill(`{\n  "kmslab": 1,\n  "title": "A title that is here"\n  "steps": [], "note": "${long}"\n}`);
  await expect(page.getByTestId('error-line')).toHaveAttribute('data-line', '4');
  for (const theme of ['light', 'dark']) {
    await page.getByTestId('theme').selectOption(theme);
    // What is painted on top at the middle of the line's first word: the coloured text, not
    // the band (the textarea above both is transparent and let through for the probe).
    const top = await page.evaluate(() => {
      const band = document.querySelector('[data-testid="error-line"]') as HTMLElement;
      const area = document.querySelector('[data-testid="editor"]') as HTMLElement;
      const word = [...document.querySelectorAll('.editor .hl .tok-key')].find((e) => e.textContent === '"steps"') as HTMLElement;
      area.style.pointerEvents = 'none';
      band.style.pointerEvents = 'auto';
      (word.parentElement as HTMLElement).style.pointerEvents = 'auto';
      const r = word.getBoundingClientRect();
      const b = band.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      area.style.pointerEvents = '';
      band.style.pointerEvents = '';
      (word.parentElement as HTMLElement).style.pointerEvents = '';
      const inBand = r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
      return { onTop: hit === word, inBand };
    });
    expect(top).toEqual({ onTop: true, inBand: true });
  }
  // The band reaches the end of the long line, not just the visible width.
  const reach = await page.evaluate(() => {
    const band = (document.querySelector('[data-testid="error-line"]') as HTMLElement).getBoundingClientRect();
    const last = [...document.querySelectorAll('.editor .hl .tok-str')].pop() as HTMLElement;
    return band.right - last.getBoundingClientRect().right;
  });
  expect(reach).toBeGreaterThanOrEqual(0);
  expect(errors).toEqual([]);
});

test('clicking in the editor never scrolls it sideways; the line numbers stay in view', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const editor = page.getByTestId('editor');
  const long = 'x'.repeat(400);
  const lines = ['{', '  "kmslab": 1,', `  "title": "${long}",`, '  "steps": []'];
  for (let i = 0; i < 30; i++) lines.push('');
  lines.push('}');
  await editor.fill(lines.join('\n'));
  // How far the box is scrolled sideways, and where the line numbers are from its left edge.
  const where = () => page.evaluate(() => {
    const box = document.querySelector('.editor') as HTMLElement;
    const gutter = box.querySelector('.gutter') as HTMLElement;
    return {
      scrollLeft: box.scrollLeft,
      gutter: Math.round(gutter.getBoundingClientRect().left - box.getBoundingClientRect().left),
    };
  });
  await editor.evaluate((t: HTMLTextAreaElement) => t.blur());
  // Clicks inside the visible width, on short lines and on the long one: nothing moves.
  for (const position of [{ x: 60, y: 12 }, { x: 300, y: 55 }, { x: 500, y: 55 }, { x: 200, y: 120 }]) {
    await editor.click({ position });
    expect(await where()).toEqual({ scrollLeft: 0, gutter: 1 });
  }
  // The caret moved past the visible width: the box follows it, the numbers stay in view.
  await editor.click({ position: { x: 300, y: 55 } });
  await page.keyboard.press('End');
  await expect.poll(async () => (await where()).scrollLeft).toBeGreaterThan(0);
  expect((await where()).gutter).toBe(1);
  // Back to the line's start: all the way back, the caret beside the numbers, not under them.
  await page.keyboard.press('Home');
  await expect.poll(where).toEqual({ scrollLeft: 0, gutter: 1 });
  await page.keyboard.press('End');
  await page.keyboard.press('Control+Home');
  await expect.poll(where).toEqual({ scrollLeft: 0, gutter: 1 });
  expect(errors).toEqual([]);
});

test('loading an example keeps the text it replaced, across a reload', async ({ page }) => {
  await fresh(page);
  const mine = '{"kmslab": 1, "title": "mine", "steps": []}';
  await page.getByTestId('editor').fill(mine);
  await page.getByTestId('example-scp-guardrail').click();
  await expect(page.getByTestId('editor')).not.toHaveValue(mine);
  await expect(page.getByTestId('replaced-notice')).toBeVisible();
  await page.reload();
  await page.getByTestId('restore').click();
  await expect(page.getByTestId('editor')).toHaveValue(mine);
  await page.getByTestId('forget-replaced').click();
  await expect(page.getByTestId('replaced-notice')).toHaveCount(0);
});

test('a .json file opens in the editor', async ({ page }) => {
  await fresh(page);
  const doc = '{\n  "kmslab": 1,\n  "title": "from a file",\n  "steps": []\n}\n';
  await page.getByTestId('upload').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(doc) });
  await expect(page.getByTestId('editor')).toHaveValue(doc);
  await expect(page.getByTestId('parse-error')).toHaveCount(0);
});

test('results say when the text changed since the run; a step fills the compose form', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('results')).toBeVisible();
  await expect(page.getByTestId('stale')).toHaveCount(0);

  await page.getByTestId('step-row-outside').click();
  await page.getByTestId('compose-from-step').click();
  await expect(page.getByTestId('compose-caller')).toHaveValue('arn:aws:iam::111122223333:user/nps-service');
  await expect(page.getByTestId('compose-action')).toHaveValue('kms:Decrypt');
  await expect(page.getByTestId('compose-resource')).toHaveValue(/^arn:aws:kms:us-east-1:111122223333:key\//);
  // The step's own context comes along (not the keys the simulator derives).
  await expect(page.getByTestId('compose-context')).toHaveValue('aws:SourceIp=198.51.100.7');
  await page.getByTestId('compose-context').fill('aws:SourceIp=10.0.0.1');
  await page.getByTestId('evaluate').click();
  const result = page.getByTestId('adhoc-result');
  await expect(result.getByTestId('trace-summary')).toBeVisible();
  await expect(result.getByTestId('decision')).toHaveText(/Allow|ExplicitDeny|ImplicitDeny/);

  await page.getByTestId('editor').press('End');
  await page.getByTestId('editor').pressSequentially(' ');
  await expect(page.getByTestId('stale')).toBeVisible();
  expect(errors).toEqual([]);
});

test('the compose caller follows a newly loaded scenario, unless the user typed their own', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  const caller = page.getByTestId('compose-caller');
  await expect(caller).toHaveValue('arn:aws:iam::111122223333:user/nps-service');
  await page.getByTestId('example-grants-and-tokens').click();
  await expect(caller).toHaveValue('arn:aws:iam::111122223333:user/key-admin');
  const elsewhere = 'arn:aws:iam::999999999999:user/elsewhere';
  await caller.fill(elsewhere);
  await page.getByTestId('example-scp-guardrail').click();
  await expect(caller).toHaveValue(elsewhere);
  expect(errors).toEqual([]);
});

test('usable on a narrow screen, and in the dark theme', async ({ page }) => {
  const errors = watch(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await fresh(page);
  await page.getByTestId('example-nps-least-privilege').click();
  await page.getByTestId('run-all').click();
  await page.getByTestId('step-row-outside').click();
  await expect(page.getByTestId('trace')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(22, 24, 28)');
  await page.screenshot({ path: 'tests/artifacts/narrow-dark.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('lint findings are listed and a finding moves the caret to its line', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const doc = JSON.stringify({
    kmslab: 1,
    iam: { policies: [{ name: 'P', document: { Version: '2012-10-17', Statement: [{ Sid: 'Broad', Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] } }] },
    steps: [],
  }, null, 2);
  await page.getByTestId('editor').fill(doc);
  const finding = page.getByTestId('finding-allow-with-notaction');
  await expect(finding).toBeVisible();
  await expect(finding).toContainText('P');
  await finding.getByRole('button').click();
  const line = await page.getByTestId('editor').evaluate((t: HTMLTextAreaElement) => t.value.slice(0, t.selectionStart).split('\n').length);
  const expected = Number((await finding.getByRole('button').textContent())!.replace('line ', ''));
  expect(line).toBe(expected);
  expect(errors).toEqual([]);
});
