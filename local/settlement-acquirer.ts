/**
 * Whose settlement file is this? `simulate --settlement FILE` (no `ACQUIRER=`) when the
 * confirmations name several acquirers: the file is read (nothing stored) and the acquirers are
 * narrowed down by evidence, strongest first; `ACQUIRER=FILE` is needed only when it stays ambiguous.
 */
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import type { AcquirerCsvMapping } from "../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { readSettlementFile } from "../functions/domain/settlement-files/decoding/read-settlement-file.js";
import type { ParseSummary, SettlementLine } from "../functions/domain/settlement-files/settlement-record.js";

/** What the confirmations say about one acquirer's payments. */
export interface AcquirerFacts {
  readonly paymentIds: Set<string>;
  readonly orderIds: Set<string>;
  readonly merchantIds: Set<string>;
}

/** Collects, per acquirer, the payment ids, order ids and merchant ids of the confirmations. */
export function acquirerFacts(confirmations: readonly unknown[]): Map<string, AcquirerFacts> {
  const facts = new Map<string, AcquirerFacts>();
  for (const value of confirmations) {
    const c = (value ?? {}) as Record<string, unknown>;
    if (typeof c.acquirer !== "string") continue;
    let entry = facts.get(c.acquirer);
    if (!entry) {
      entry = { paymentIds: new Set(), orderIds: new Set(), merchantIds: new Set() };
      facts.set(c.acquirer, entry);
    }
    if (typeof c.paymentId === "string") entry.paymentIds.add(c.paymentId);
    if (typeof c.orderId === "string") entry.orderIds.add(c.orderId);
    if (typeof c.merchantId === "string") entry.merchantIds.add(c.merchantId);
  }
  return facts;
}

interface FileEvidence {
  summary: ParseSummary;
  lines: SettlementLine[];
}

type Tier = {
  what: string;
  score: (acquirer: string, facts: AcquirerFacts, file: FileEvidence) => number;
};

const count = (lines: readonly SettlementLine[], hit: (line: SettlementLine) => boolean): number =>
  lines.reduce((n, line) => n + (hit(line) ? 1 : 0), 0);

/** Strongest first; each tier keeps only the acquirers with its best non-zero score. */
const TIERS: readonly Tier[] = [
  {
    what: "the file's layout is this acquirer's CSV mapping",
    score: (acquirer, _facts, file) =>
      file.summary.format === "acquirer-csv" && file.summary.variant === acquirer ? 1 : 0,
  },
  {
    what: "lines carry its payment ids or order numbers",
    score: (_acquirer, facts, file) =>
      count(
        file.lines,
        (line) =>
          (line.reference !== null && facts.paymentIds.has(line.reference)) ||
          (line.merchantReference !== null &&
            (facts.orderIds.has(line.merchantReference) || facts.paymentIds.has(line.merchantReference))),
      ),
  },
  {
    what: "lines carry its merchant ids",
    score: (_acquirer, facts, file) =>
      count(file.lines, (line) => line.merchantId !== null && facts.merchantIds.has(line.merchantId)),
  },
  {
    what: "the acquirer's name names the file's format",
    score: (acquirer, _facts, file) => {
      const family = file.summary.format.split("-")[0] ?? "";
      return family.length >= 4 && acquirer.toLowerCase().includes(family) ? 1 : 0;
    },
  },
];

export class AmbiguousSettlementFileError extends Error {
  override name = "AmbiguousSettlementFileError";
  constructor(
    readonly file: string,
    readonly candidates: readonly string[],
    evidence: string | null,
  ) {
    const why =
      evidence === null
        ? "nothing in it (layout, payment ids, order numbers, merchant ids, format) points to one of"
        : `${evidence} for each of`;
    super(
      `cannot tell whose settlement file this is: ${why} the acquirers ${candidates.join(", ")}; ` +
        `write ACQUIRER=${file}`,
    );
  }
}

/**
 * The acquirer of a settlement file among the confirmations' acquirers. Throws
 * AmbiguousSettlementFileError naming the acquirers still in the running when the evidence does not
 * single one out, and the reader's UnreadableFileError when the file cannot be read.
 */
export async function inferSettlementAcquirer(
  file: string,
  facts: ReadonlyMap<string, AcquirerFacts>,
  acquirerCsv: readonly AcquirerCsvMapping[] | undefined,
): Promise<string> {
  const evidence = await readEvidence(file, acquirerCsv);
  let candidates = [...facts.keys()].sort();
  let evidenceFound: string | null = null;
  for (const tier of TIERS) {
    const scores = candidates.map((acquirer) => {
      const known = facts.get(acquirer) as AcquirerFacts;
      return { acquirer, score: tier.score(acquirer, known, evidence) };
    });
    const best = Math.max(0, ...scores.map((s) => s.score));
    if (best === 0) continue;
    candidates = scores.filter((s) => s.score === best).map((s) => s.acquirer);
    if (candidates.length === 1) return candidates[0] as string;
    evidenceFound = tier.what;
  }
  throw new AmbiguousSettlementFileError(file, candidates, evidenceFound);
}

async function readEvidence(
  file: string,
  acquirerCsv: readonly AcquirerCsvMapping[] | undefined,
): Promise<FileEvidence> {
  const lines: SettlementLine[] = [];
  let summary: ParseSummary | undefined;
  const records = readSettlementFile(createReadStream(file), {
    fileName: basename(file),
    ...(acquirerCsv ? { acquirerCsv } : {}),
  });
  for await (const record of records) {
    if (record.type === "line") lines.push(record);
    else if (record.type === "summary") summary = record;
  }
  if (!summary) throw new Error(`${file}: the reader gave no summary`);
  return { summary, lines };
}
