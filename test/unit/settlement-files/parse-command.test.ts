import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerParseCommand, runParse } from "../../../cli/commands/parse.js";
import { FIXTURES, fixture } from "./support.js";

let out: string[];
let err: string[];

beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    err.push(args.join(" "));
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const jsonLines = () =>
  out
    .join("")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("settlewatch parse", () => {
  it("prints JSON Lines: one object per record, the summary last, exit 0", async () => {
    const code = await runParse(join(FIXTURES, "wechat/trade-ALL_2025-03-01.csv"), {
      format: "auto",
      json: true,
    });
    expect(code).toBe(0);
    const objects = jsonLines();
    expect(objects.map((o) => o.type)).toEqual(["line", "line", "line", "line", "summary"]);
    expect(Object.keys(objects[0] ?? {})).toEqual([
      "type",
      "source",
      "reference",
      "merchantReference",
      "batchReference",
      "merchantId",
      "direction",
      "currency",
      "netMinor",
      "grossMinor",
      "feeMinor",
      "valueDate",
      "kind",
    ]);
    expect(objects.at(-1)).toMatchObject({
      type: "summary",
      format: "wechat-trade",
      lines: 4,
      rejected: 0,
      control: "ok",
    });
    expect(err).toEqual([]);
  });

  it("prints a human summary, and warns about a control mismatch on stderr (still exit 0)", async () => {
    const code = await runParse(join(FIXTURES, "wechat/trade-broken-rows.csv"), { format: "auto" });
    expect(code).toBe(0);
    const text = out.join("");
    expect(text).toContain("wechat-trade (ALL)");
    expect(text).toContain("1 lines, 4 rejected");
    expect(text).toContain("line 3: 应结订单金额");
    expect(err.join("\n")).toMatch(/warning: .*control mismatch/);
  });

  it("exits 2 with one line naming the line when the file is not readable as the format", async () => {
    expect(await runParse(join(FIXTURES, "broken/not-a-settlement-file.txt"), { format: "auto" })).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/not-a-settlement-file\.txt: line 1: not a recognised settlement file/);
    err.length = 0;
    expect(
      await runParse(join(FIXTURES, "adyen/settlement_detail_report_batch_7.csv"), {
        format: "wechat-trade",
      }),
    ).toBe(2);
    expect(err[0]).toMatch(/line 1: not a WeChat Pay trade bill/);
    err.length = 0;
    expect(await runParse(join(FIXTURES, "nope.csv"), { format: "auto" })).toBe(2);
    expect(err[0]).toMatch(/cannot read \(ENOENT\)/);
    err.length = 0;
    expect(await runParse(join(FIXTURES, "wechat/trade-ALL_2025-03-01.csv"), { format: "qif" })).toBe(2);
    expect(err[0]).toMatch(/unknown --format qif/);
  });

  it("reads acquirer mappings from --acquirer-config and refuses a bad config", async () => {
    const code = await runParse(join(FIXTURES, "acquirer/examplepay-2025-03-04.csv"), {
      format: "auto",
      json: true,
      acquirerConfig: join(FIXTURES, "acquirer/examplepay-mapping.json"),
    });
    expect(code).toBe(0);
    expect(jsonLines().at(-1)).toMatchObject({ variant: "examplepay", lines: 4, rejected: 2 });

    const dir = mkdtempSync(join(tmpdir(), "settlewatch-parse-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ acquirer: "x", columns: { reference: "id" } }));
    err.length = 0;
    expect(
      await runParse(join(FIXTURES, "acquirer/examplepay-2025-03-04.csv"), {
        format: "auto",
        acquirerConfig: bad,
      }),
    ).toBe(2);
    expect(err[0]).toMatch(/--acquirer-config .*bad\.json: columns\.valueDate/);
  });

  it("streams a gzipped file given by path (name used without .gz)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "settlewatch-parse-"));
    const file = join(dir, "fundflow.csv.gz");
    writeFileSync(file, gzipSync(fixture("wechat/fundflow-BASIC_2025-03-01.csv")));
    expect(await runParse(file, { format: "auto", json: true })).toBe(0);
    expect(jsonLines().at(-1)).toMatchObject({ format: "wechat-fundflow", lines: 5 });
  });

  it("registers `parse FILE [--format] [--json] [--acquirer-config]` on a commander program", async () => {
    const program = new Command("settlewatch").exitOverride();
    registerParseCommand(program);
    const parse = program.commands.find((c) => c.name() === "parse");
    expect(parse?.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(["--format", "--json", "--acquirer-config"]),
    );
    const previous = process.exitCode;
    await program.parseAsync([
      "node",
      "settlewatch",
      "parse",
      "--json",
      join(FIXTURES, "stripe/balance_history.csv"),
    ]);
    expect(process.exitCode).toBe(0);
    process.exitCode = previous;
    expect(jsonLines().at(-1)).toMatchObject({ format: "stripe-payout" });
  });
});
