import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { settlewatchInProcess } from "../support/cli-in-process.js";

const run = promisify(execFile);

describe("settlewatch sms-templates", () => {
  it("prints every template per language with its variables, registered code and longest rendering's parts", async () => {
    const { stdout } = await run("node", [
      "bin/settlewatch.js",
      "sms-templates",
      "--provider",
      "aliyun",
      "--json",
    ]);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ provider: "aliyun", deployment: "cn-example", signature: "【结算提醒】" });
    // The alert templates of zh-CN (4) and en (6, plural forms), and the merchant page's sign-in code in each.
    expect(report.templates).toHaveLength(12);
    expect(report.templates.map((t: { key: string }) => t.key)).toContain("sign-in-code");
    expect(report.templates[0]).toMatchObject({
      language: "zh-CN",
      key: "overdue",
      code: "SMS_000000001",
      variables: ["count", "total", "confirmed", "due", "items", "nextStep"],
    });
    for (const template of report.templates) {
      expect(template.longest.text.startsWith("【结算提醒】")).toBe(true);
      expect(template.longest.segments).toBeLessThanOrEqual(2);
    }
  }, 60_000);

  // In this process (cli/program.ts, what the process above runs): the refusal is the command's.
  it("refuses an unknown provider", async () => {
    expect(await settlewatchInProcess("sms-templates", "--provider", "twilio")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("expected one of sns, aliyun, tencent"),
    });
  });
});
