import { test, expect } from '@playwright/test';
import { fresh, watch } from './helpers';

// The wrapping public key a GetParametersForImport of scenarios/kms/16-byok-import.json returns
// (RSA_2048, SubjectPublicKeyInfo DER in base64).
const PUBLIC_KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6/HsOMjXqLWB/SjqZHnGpqDtpCjl0vVIjAtrKq1zSgopkWD9A5qIN5s2zDC2090DT45W25/9QuyV+YZ4V4kirW+N0oc1BJqVARS5GBcTq9wOMXMF9rApW8vSmf+x0AOY/tnB+nJClCvrhp0E9ddSmtidVglN/l6tX/DdPhdywAbepgsUQL0+5aXbO3Dj6a4Y3rFbduO9V38tW+QrmgeMK0mKlI1shV0fYGf2X1oaUxHth+GLhKSUSOmW2RoMM+McewiW7KNFRLG+t6o5F2kUXyvgFZ9G9FK7tsuGNrSE759NdqLiYohVWfmknzoPoahckhXQ8qfnJFaKc02hhVjrCQIDAQAB';

test('BYOK helper: key material is wrapped in the browser for ImportKeyMaterial', async ({ page }) => {
  const errors = watch(page);
  await fresh(page);
  await page.getByTestId('tab-consoles').click();
  // Laid out as a form: each control under its label, as wide as the panel.
  const panel = await page.getByTestId('byok-wrap').boundingBox();
  for (const id of ['byok-public-key', 'byok-material', 'byok-algorithm']) {
    const control = page.getByTestId(id);
    const box = (await control.boundingBox())!;
    const label = (await control.locator('xpath=..').boundingBox())!;
    expect(box.x, `${id} starts under its label`).toBeCloseTo(label.x, 0);
    expect(box.y, `${id} is below its label's text`).toBeGreaterThan(label.y + 5);
    expect(box.width, `${id} is as wide as the panel`).toBeGreaterThan(panel!.width * 0.9);
  }
  await page.getByTestId('byok-public-key').fill(PUBLIC_KEY);
  await page.getByTestId('byok-generate').click();
  await expect(page.getByTestId('byok-material')).toHaveValue(/^[A-Za-z0-9+/]{43}=$/);
  await page.getByTestId('byok-algorithm').selectOption('RSAES_OAEP_SHA_256');
  await page.getByTestId('byok-wrap-button').click();
  // RSA-2048 OAEP: 256 bytes of ciphertext, 344 characters of base64.
  await expect(page.getByTestId('byok-wrapped')).toHaveValue(/^[A-Za-z0-9+/]{342}==$/);

  // A key that is not a public key is refused with a reason, and nothing is produced.
  await page.getByTestId('byok-public-key').fill('bm90IGEga2V5');
  await page.getByTestId('byok-wrap-button').click();
  await expect(page.getByTestId('byok-error')).toBeVisible();
  expect(errors).toEqual([]);
});
