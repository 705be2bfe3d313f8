import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/**
 * The house rules of CONTRIBUTING.md as checks over the TypeScript syntax tree (the compiler API,
 * no type checking): each returns what breaks a rule, so a test can show the list.
 */

export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../../..");

/** Every .ts file under `dir` (repo-relative, "/"-separated), node_modules and cdk.out skipped. */
export function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (absolute: string): void => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "cdk.out") continue;
      const path = join(absolute, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(path);
    }
  };
  walk(join(REPO_ROOT, dir));
  return found.map((path) => relative(REPO_ROOT, path).split(sep).join("/")).sort();
}

const parsed = new Map<string, ts.SourceFile>();

/** The syntax tree of a repo file (parsed once per test file), or of `text` given as that path. */
export function parse(path: string, text?: string): ts.SourceFile {
  if (text !== undefined)
    return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let source = parsed.get(path);
  if (!source) {
    const content = readFileSync(join(REPO_ROOT, path), "utf8");
    source = ts.createSourceFile(path, content, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    parsed.set(path, source);
  }
  return source;
}

/** Lines of a file, a trailing newline not counted as a line. */
export function lineCount(source: ts.SourceFile): number {
  return source.getLineAndCharacterOfPosition(source.getEnd()).line + (source.text.endsWith("\n") ? 0 : 1);
}

export interface LongFunction {
  file: string;
  name: string;
  lines: number;
}

/** Functions, methods, arrow functions and accessors of more than `maxLines` lines (first to last line). */
export function longFunctions(source: ts.SourceFile, maxLines: number): LongFunction[] {
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > maxLines) found.push({ file: source.fileName, name: functionName(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) {
    const owner = node.parent && ts.isClassLike(node.parent) ? node.parent.name?.text : undefined;
    return owner ? `${owner}.${named.name.text}` : named.name.text;
  }
  if (ts.isConstructorDeclaration(node)) return `${node.parent.name?.text ?? "class"}.constructor`;
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) {
    if (ts.isIdentifier(parent.name)) return parent.name.text;
  }
  const line = node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1;
  return `(anonymous function at line ${line})`;
}

/** `Date.now()` and `new Date()` without arguments: a clock read past the clock port. */
export function clockReads(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const at = (node: ts.Node) =>
    `${source.fileName}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Date") {
      if (!node.arguments || node.arguments.length === 0) found.push(`${at(node)} new Date()`);
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ts.isIdentifier(node.expression.expression) &&
      node.expression.expression.text === "Date" &&
      node.expression.name.text === "now"
    ) {
      found.push(`${at(node)} Date.now()`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repo-relative .ts paths a file imports or re-exports (relative specifiers only). */
export function importedPaths(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier
        ? node.moduleSpecifier
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
          ? node.arguments[0]
          : undefined;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith(".")) {
      const target = join(dirname(source.fileName), specifier.text).split(sep).join("/");
      found.push(target.replace(/\.js$/, ".ts"));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** String and template literals that start with one of the table's key prefixes ("PAY#"). */
export function keyShapedLiterals(source: ts.SourceFile, prefixes: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const text =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
        ? node.text
        : ts.isTemplateExpression(node)
          ? node.head.text
          : undefined;
    if (text !== undefined && prefixes.some((prefix) => text.startsWith(prefix))) {
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      found.push(`${source.fileName}:${line} ${JSON.stringify(text)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
