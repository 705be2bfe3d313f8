import { describe, expect, it } from "vitest";
import { lambdaRunBudget } from "../../functions/adapters/clock/lambda-run-budget.js";

describe("lambdaRunBudget", () => {
  it("is past its deadline once the Lambda's remaining time falls below the reserve, read on each call", () => {
    let remaining = 60_000;
    const budget = lambdaRunBudget({ getRemainingTimeInMillis: () => remaining }, 30_000);
    expect(budget.pastDeadline()).toBe(false);
    remaining = 30_000;
    expect(budget.pastDeadline()).toBe(false);
    remaining = 29_999;
    expect(budget.pastDeadline()).toBe(true);
  });
});
