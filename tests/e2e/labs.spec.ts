import { test, expect, Page } from '@playwright/test';
import { readdirSync, readFileSync, existsSync } from 'fs';
import { join } from 'path';
import { fresh, watch } from './helpers';

// Every bundled lab, with its solution and its typical wrong attempts (scenarios/labs).
const DIR = join(__dirname, '..', '..', 'scenarios', 'labs');
const labs = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

function read(path: string) {
  const text = readFileSync(path, 'utf8');
  return { text, doc: JSON.parse(text) };
}

/** A user's version of the lab: the given scenario, still carrying the lab's `lab` object (the
 *  user starts from the lab file, so their text keeps it). */
function asUserText(doc: any, lab: any) {
  const { ['x-wrong']: _meta, ...rest } = doc;
  return JSON.stringify({ ...rest, lab }, null, 2);
}

async function openLab(page: Page, id: string) {
  await page.getByTestId('tab-labs').click();
  await page.getByTestId(`lab-${id}`).getByTestId('lab-open').click();
  await expect(page.getByTestId('lab')).toHaveAttribute('data-lab', id);
}

test('the lab index lists every bundled lab in two tracks', async ({ page }) => {
  await fresh(page);
  await page.getByTestId('tab-labs').click();
  for (const file of labs) {
    const { doc } = read(join(DIR, file));
    await expect(page.getByTestId(`lab-${doc.lab.id}`)).toBeVisible();
  }
  await expect(page.getByTestId('lab-index')).toContainText('Walkthroughs');
  await expect(page.getByTestId('lab-index')).toContainText('Course');
});

test('a multi-line insertion checks the lab once, not once per line', async ({ page }) => {
  // Chromium reports text inserted in one go (an IME commit, Playwright's fill) as one input
  // event per line, all with the final value; each used to re-run the scenario and the lab's
  // checks and save the text, which made a 400-line insertion take many seconds.
  await page.addInitScript(() => {
    const w = window as any;
    w.__saves = 0;
    const orig = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k: string, v: string) {
      if (k === 'kmslab.scenario') w.__saves++;
      return orig.call(this, k, v);
    };
  });
  const file = labs[0];
  const start = read(join(DIR, file));
  const solution = read(join(DIR, 'solutions', file));
  await fresh(page);
  await openLab(page, start.doc.lab.id);
  await page.evaluate(() => ((window as any).__saves = 0));
  const text = asUserText(solution.doc, start.doc.lab);
  expect(text.split('\n').length).toBeGreaterThan(100);
  await page.getByTestId('editor').fill(text);
  await expect(page.getByTestId('lab-complete')).toBeVisible();
  await expect(page.getByTestId('editor')).toHaveValue(text);
  expect(await page.evaluate(() => (window as any).__saves)).toBe(1);
});

test('a lab stays open while its scenario is mid-edit, its marks shown as stale', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const file = labs.find((f) => f.startsWith('10-'))!;
  const start = read(join(DIR, file));
  await openLab(page, start.doc.lab.id);
  const before = await page.getByTestId('lab-progress').textContent();
  // Delete the comma at the end of line 3.
  const lines = start.text.split('\n');
  expect(lines[2].endsWith(',')).toBe(true);
  lines[2] = lines[2].slice(0, -1);
  await page.getByTestId('editor').fill(lines.join('\n'));
  await expect(page.getByTestId('lab-stale')).toContainText('4:3');
  await expect(page.getByTestId('lab-stale')).toContainText('cannot be checked');
  await expect(page.getByTestId('lab')).toHaveAttribute('data-lab', start.doc.lab.id);
  await expect(page.getByTestId('lab-tasks')).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId(`task-${start.doc.lab.tasks[0].id}`)).toBeVisible();
  await expect(page.getByTestId('lab-progress')).toContainText(before!);
  await expect(page.getByTestId('lab-index')).toHaveCount(0);
  // Fixed: checked again, nothing stale.
  await page.getByTestId('editor').fill(start.text);
  await expect(page.getByTestId('lab-stale')).toHaveCount(0);
  await expect(page.getByTestId('lab-tasks')).toHaveAttribute('data-stale', 'false');
  // A broken text that is no longer the lab's shows the index with the error.
  await page.getByTestId('editor').fill('{"kmslab": 1, "lab": ');
  await expect(page.getByTestId('lab-broken')).toBeVisible();
  await expect(page.getByTestId('lab')).toHaveCount(0);
  expect(errors).toEqual([]);
});

for (const file of labs) {
  test(`lab ${file}: a wrong attempt is rejected, the solution completes it, reset starts over`, async ({ page }) => {
    // Each fill re-checks every task, some labs have several wrong attempts, and lab 00's
    // generate an RSA wrapping key each (a few hundred ms in wasm).
    test.setTimeout(90_000);
    const errors = watch(page);
    const start = read(join(DIR, file));
    const id: string = start.doc.lab.id;
    const tasks: { id: string }[] = start.doc.lab.tasks;
    await fresh(page);
    await openLab(page, id);
    await expect(page.getByTestId('editor')).toHaveValue(start.text);
    await expect(page.getByTestId('lab-progress')).toContainText(`of ${tasks.length} tasks done`);
    await expect(page.getByTestId('lab-complete')).toHaveCount(0);

    // Hints come one at a time.
    const first = page.getByTestId(`task-${tasks[0].id}`);
    if (await first.getByTestId('show-hint').count()) {
      await first.getByTestId('show-hint').click();
      await expect(first.getByTestId('hint')).toHaveCount(1);
    }

    // Each typical wrong attempt leaves its task open, with the reason.
    const stem = file.replace(/\.json$/, '');
    const wrongDir = join(DIR, 'wrong');
    const wrongs = existsSync(wrongDir) ? readdirSync(wrongDir).filter((f) => f.startsWith(stem + '-')) : [];
    expect(wrongs.length).toBeGreaterThan(0);
    for (const w of wrongs) {
      const wrong = read(join(wrongDir, w));
      await page.getByTestId('editor').fill(asUserText(wrong.doc, start.doc.lab));
      const task = page.getByTestId(`task-${wrong.doc['x-wrong'].task}`);
      await expect(task).toHaveAttribute('data-status', 'open');
      await expect(task.getByTestId('task-failures')).toContainText(wrong.doc['x-wrong'].mentions);
    }

    // The solution passes every task.
    const solution = read(join(DIR, 'solutions', file));
    await page.getByTestId('editor').fill(asUserText(solution.doc, start.doc.lab));
    await expect(page.getByTestId('lab-complete')).toBeVisible();
    for (const t of tasks) {
      await expect(page.getByTestId(`task-${t.id}`)).toHaveAttribute('data-status', 'passed');
    }

    // The work is kept: after a reload the lab is still open; opening another lab and coming
    // back to this one resumes it.
    await page.reload();
    await page.getByTestId('tab-labs').click();
    await expect(page.getByTestId('lab-complete')).toBeVisible();
    await page.getByTestId('lab-back').click();
    const other = labs.find((f) => f !== file)!;
    await openLab(page, read(join(DIR, other)).doc.lab.id);
    await page.getByTestId('lab-back').click();
    await openLab(page, id);
    await expect(page.getByTestId('lab-complete')).toBeVisible();

    // Reset goes back to the starting scenario; the finished text is kept as the replaced text.
    await page.getByTestId('lab-reset').click();
    await page.getByTestId('lab-reset-confirm').click();
    await expect(page.getByTestId('editor')).toHaveValue(start.text);
    await expect(page.getByTestId('replaced-notice')).toBeVisible();
    await expect(page.getByTestId('lab-complete')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
}

test('a hint the user opened stays open while they type', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  const file = labs.find((f) => f.startsWith('10-'))!;
  const start = read(join(DIR, file));
  await openLab(page, start.doc.lab.id);
  const task = page.getByTestId(`task-${start.doc.lab.tasks[0].id}`);
  await task.getByTestId('show-hint').click();
  await expect(task.getByTestId('hint')).toHaveCount(1);
  await page.getByTestId('editor').fill(start.text.replace('"seed": 10', '"seed": 11'));
  await expect(page.getByTestId('editor')).toHaveValue(/"seed": 11/);
  await expect(task.getByTestId('hint')).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('a code block of the instructions is a framed box that scrolls sideways, by keyboard too', async ({ page }) => {
  await fresh(page);
  const file = labs.find((f) => f.startsWith('10-'))!;
  await openLab(page, read(join(DIR, file)).doc.lab.id);
  const pre = page.getByTestId('lab').locator('.instructions pre').first();
  const look = await pre.evaluate((p: HTMLElement) => {
    const cs = getComputedStyle(p);
    const around = getComputedStyle(p.closest('.instructions')!);
    return {
      scrolls: p.scrollWidth > p.clientWidth && cs.overflowX === 'auto',
      framed: cs.borderTopStyle !== 'none' && cs.backgroundColor !== around.backgroundColor,
      tabindex: p.tabIndex,
    };
  });
  expect(look).toEqual({ scrolls: true, framed: true, tabindex: 0 });
  await pre.focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => pre.evaluate((p) => p.scrollLeft)).toBeGreaterThan(0);
});
