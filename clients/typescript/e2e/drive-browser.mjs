// Opens the end-to-end page in a real headless Chromium (playwright-core, the system's browser: nothing is
// downloaded) and prints the page's result as one JSON line. Usage: node drive-browser.mjs <page url> <chromium path>
import { chromium } from "playwright-core";

const [url, executablePath] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage();
  page.on("console", (m) => console.error(`[page ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
  await page.goto(url);
  const handle = await page.waitForFunction(() => window.__result ?? (window.__error ? { error: window.__error } : undefined), null, { timeout: 90_000 });
  const result = await handle.jsonValue();
  result.userAgent = await page.evaluate(() => navigator.userAgent);
  console.log(JSON.stringify(result));
  process.exitCode = result.error ? 1 : 0;
} finally {
  await browser.close();
}
