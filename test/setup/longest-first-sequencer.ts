import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The longest files of `npm test`, longest first, from a run on a 2-core machine (2026-12-05:
 * 62, 38, 31, 15, 14, 13, 13, 10, 8, 8 and 8 s). Update it when a file becomes one of the slowest.
 */
export const LONGEST_FILES = [
  "test/e2e/local-runtime.test.ts",
  "test/integration/distributed-ingest.test.ts",
  "test/e2e/simulate.test.ts",
  "test/e2e/merchant-page.browser.test.ts",
  "test/integration/due-markers.test.ts",
  "test/integration/overdue-check.test.ts",
  "test/e2e/local-monitor.test.ts",
  "test/e2e/merchant-api.test.ts",
  "test/integration/open-payment-lanes.test.ts",
  "test/integration/notify-handler-sms-pacing.test.ts",
  "test/integration/sms-delivery-reports.test.ts",
];

/**
 * Longest files first, so that none starts late and ends the run alone. vitest orders files by the
 * durations of the last run on this machine, and without them (a clean clone: CI) by file size,
 * which put local-runtime (a minute, 138 lines) near the end. Without recorded durations, the files
 * of LONGEST_FILES go first, in its order; the rest keep vitest's order.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const recorded = files.every((spec) => this.ctx.cache.getTestSpecificationResult(spec) !== undefined);
    if (recorded) return sorted;
    const rank = (spec: TestSpecification) => {
      const at = LONGEST_FILES.findIndex((file) => spec.moduleId.endsWith(file));
      return at < 0 ? LONGEST_FILES.length : at;
    };
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
