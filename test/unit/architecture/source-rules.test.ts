import { describe, expect, it } from "vitest";
import {
  clockReads,
  importedPaths,
  keyShapedLiterals,
  lineCount,
  longFunctions,
  parse,
} from "./source-rules.js";

/** Each house-rule check catches what it is for (house-rules.test.ts runs them on the repo). */
describe("source rules", () => {
  const longBody = Array.from({ length: 61 }, (_, i) => `  total += ${i};`).join("\n");

  it("finds a function over the limit by name and length, arrow functions and methods too", () => {
    const source = parse(
      "functions/use-cases/example.ts",
      [
        `export function long(): number {\n  let total = 0;\n${longBody}\n  return total;\n}`,
        `const arrow = () => {\n  let total = 0;\n${longBody}\n};`,
        `class Store {\n  method() {\n    let total = 0;\n${longBody}\n  }\n}`,
        "export function short(): number {\n  return 1;\n}",
      ].join("\n"),
    );
    expect(longFunctions(source, 60).map(({ name, lines }) => `${name} ${lines}`)).toEqual([
      "long 65",
      "arrow 64",
      "Store.method 64",
    ]);
  });

  it("finds clock reads, not dates built from a value", () => {
    const source = parse(
      "functions/domain/example.ts",
      "const a = Date.now();\nconst b = new Date();\nconst c = new Date(0);\nconst d = Date.parse('x');\n",
    );
    expect(clockReads(source)).toEqual([
      "functions/domain/example.ts:1 Date.now()",
      "functions/domain/example.ts:2 new Date()",
    ]);
  });

  it("resolves relative imports and re-exports to repo paths", () => {
    const source = parse(
      "local/example.ts",
      'import { keys } from "../functions/adapters/dynamodb/table-keys.js";\nexport * from "./other.js";\nimport x from "luxon";\n',
    );
    expect(importedPaths(source)).toEqual(["functions/adapters/dynamodb/table-keys.ts", "local/other.ts"]);
  });

  it("finds key-shaped strings and template heads", () => {
    const source = parse(
      "cli/example.ts",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text is TypeScript source under test
      'const a = "PAY#x";\nconst b = `DUE#${1}`;\nconst c = "PAYMENT";\n',
    );
    expect(keyShapedLiterals(source, ["PAY#", "DUE#"])).toEqual([
      'cli/example.ts:1 "PAY#x"',
      'cli/example.ts:2 "DUE#"',
    ]);
  });

  it("counts a file's lines as an editor shows them", () => {
    expect(lineCount(parse("a.ts", "one\ntwo\n"))).toBe(2);
    expect(lineCount(parse("a.ts", "one\ntwo"))).toBe(2);
  });
});
