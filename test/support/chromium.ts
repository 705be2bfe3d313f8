import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's `chromium` package (playwright-core downloads no browser); SETTLEWATCH_CHROMIUM overrides. */
export const CHROMIUM_PATH = process.env.SETTLEWATCH_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Starts the system Chromium headless. Missing, it fails with the install line: the browser tests
 * never skip (.ci/run installs chromium and fonts-noto-cjk; without CJK fonts Chinese renders as boxes).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's packages (apt-get install chromium fonts-noto-cjk) or set SETTLEWATCH_CHROMIUM to a Chromium binary`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--headless"],
  });
}

/** A phone at the till: 360×740 CSS pixels, touch, mobile viewport. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 1,
};
