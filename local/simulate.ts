import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { MerchantChannel } from "../functions/domain/notification/channels.js";
import { UnreadableFileError } from "../functions/domain/settlement-files/settlement-record.js";
import { checkAsOf } from "../functions/domain/validation/input-limits.js";
import { ValidationError } from "../functions/use-cases/errors.js";
import type { ConfirmationOutcome } from "../functions/use-cases/ingest-confirmations.js";
import { storeConfirmations } from "../functions/use-cases/ingest-confirmations.js";
import { registerMerchant } from "../functions/use-cases/merchants.js";
import { localDynamoDbClient, startDynamoDbLocal } from "./dynamodb-local.js";
import type { LocalConfig } from "./local-config.js";
import { localServices } from "./local-services.js";
import {
  AmbiguousSettlementFileError,
  acquirerFacts,
  inferSettlementAcquirer,
} from "./settlement-acquirer.js";
import { ingestInboxFile, storeInInbox } from "./settlement-upload.js";
import { ensureTable } from "./table-setup.js";

export interface SimulationInput {
  merchantsFile: string;
  confirmationsFile: string;
  settlementFiles: string[];
  asOf: string[];
}

export interface SimulationOutput {
  asOf: string | string[];
  payments: Array<{
    acquirer: string;
    paymentId: string;
    merchantId: string;
    status: string;
    expectedBy: string | null;
    explanation: string | null;
  }>;
  notifications: Array<{
    merchantId: string;
    channel: MerchantChannel;
    to: string;
    language: string;
    text: string;
    paymentIds: string[];
    /** SMS: the provider that would send it. */
    provider?: string;
    at?: string;
  }>;
  opsAlerts: Array<{ subject: string; text: string; at: string }>;
  rejectedConfirmations: Array<{ line: number; errors: string[] }>;
  unmatchedLines: number;
  /** Each settlement file applied: whose it was taken for (given, or inferred) and its line counts. */
  settlementFiles: Array<{ file: string; acquirer: string; counts: Record<string, number> }>;
}

/** An input file the simulation cannot use; the message names the file, line or field. */
export class SimulationInputError extends Error {
  override name = "SimulationInputError";
}

/** Where a simulation keeps its table; by default a DynamoDB Local of its own, started and stopped. */
export interface SimulationRuntime {
  /** A DynamoDB Local that is already running (the test suite's): a fresh table on it, nothing started. */
  dynamoDbEndpoint?: string | undefined;
}

/**
 * Runs the whole pipeline on a fresh in-memory DynamoDB Local: registers the merchants, stores the
 * confirmations (trusted: no signatures), runs the check at each `asOf` in order and collects the
 * notices it would send, with addresses masked.
 */
export async function simulate(
  input: SimulationInput,
  config: LocalConfig,
  runtime: SimulationRuntime = {},
): Promise<SimulationOutput> {
  if (input.asOf.length === 0) throw new SimulationInputError("--as-of is required (an RFC 3339 instant)");
  const instants = input.asOf.map((value) => {
    // A simulation may look ahead as far as it likes (its table is thrown away), not before 2000.
    const at = checkAsOf(value, { now: new Date(), limits: config.inputLimits, anyFuture: true });
    if (!at.ok) throw new SimulationInputError(`--as-of ${value}: ${at.message}`);
    return at.value;
  });
  const merchants = await readMerchants(input.merchantsFile);
  const confirmations = await readJsonLines(input.confirmationsFile);
  const settlements = await resolveSettlementAcquirers(
    input.settlementFiles.map(parseSettlementSpec),
    confirmations.map((entry) => entry.value),
    config,
  );

  const shared = runtime.dynamoDbEndpoint;
  const dynamo = shared === undefined ? await startDynamoDbLocal() : undefined;
  const client = localDynamoDbClient(dynamo?.endpoint ?? String(shared));
  let inbox: string | undefined;
  try {
    // On a shared DynamoDB Local, a table no other simulation uses.
    const tableName = dynamo
      ? "settlewatch-simulation"
      : `settlewatch-simulation-${randomUUID().slice(0, 8)}`;
    const simConfig: LocalConfig = { ...config, tableName };
    await ensureTable(client, simConfig.tableName, { stream: false });
    const services = localServices(client, simConfig, { outboxFile: null, timeTravel: true });
    for (const [index, merchant] of merchants.entries()) {
      const merchantId = (merchant as { merchantId?: unknown }).merchantId;
      try {
        await registerMerchant(String(merchantId ?? ""), merchant, services.ingest);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw new SimulationInputError(`${input.merchantsFile}: [${index}]: ${error.message}`);
      }
    }
    // Confirmations are judged against the later of now and the last as-of (none may be from the future).
    const latest = Math.max(Date.now(), ...instants.map((instant) => instant.getTime()));
    const ingestClock = { now: () => new Date(latest) };
    const outcomes = await storeConfirmations(
      confirmations.map((entry) => entry.value),
      { ...services.ingest, clock: ingestClock },
    );
    const rejectedConfirmations = outcomes
      .filter(
        (outcome): outcome is Extract<ConfirmationOutcome, { status: "rejected" }> =>
          outcome.status === "rejected",
      )
      .map((outcome) => ({
        line: confirmations[outcome.index]?.line ?? 0,
        errors: outcome.errors.map((error) => `${error.field}: ${error.message}`),
      }));

    const multiple = instants.length > 1;
    const notifications: SimulationOutput["notifications"] = [];
    const opsAlerts: SimulationOutput["opsAlerts"] = [];
    inbox = await mkdtemp(join(tmpdir(), "settlewatch-simulate-"));
    let unmatchedLines = 0;
    const settlementFiles: SimulationOutput["settlementFiles"] = [];
    const pending = [...settlements];
    for (const instant of instants) {
      const before = services.outbox.sent.length;
      const at = { now: () => new Date(instant.getTime()) };
      // Settlement files arrive before the first check at or after their instant.
      for (const settlement of pending.filter((s) => (s.at?.getTime() ?? 0) <= instant.getTime())) {
        pending.splice(pending.indexOf(settlement), 1);
        let stored: { fileId: string; path: string };
        try {
          stored = await storeInInbox(createReadStream(settlement.file), inbox);
        } catch (error) {
          throw new SimulationInputError(`--settlement ${settlement.file}: ${(error as Error).message}`);
        }
        try {
          const result = await ingestInboxFile(
            stored,
            { acquirer: settlement.acquirer, fileName: basename(settlement.file) },
            { ...services.settlement, clock: at },
          );
          unmatchedLines += result.file.counts.unmatched;
          settlementFiles.push({
            file: settlement.file,
            acquirer: settlement.acquirer,
            counts: { ...result.file.counts },
          });
        } catch (error) {
          if (error instanceof UnreadableFileError) {
            throw new SimulationInputError(`--settlement ${settlement.file}: ${error.message}`);
          }
          throw error;
        }
      }
      await services.checkAndNotify(at);
      for (const sent of services.outbox.sent.slice(before)) {
        const notice = await services.check.notices.get(sent.noticeId, sent.channel);
        if (sent.channel === "ops") {
          opsAlerts.push({ subject: sent.subject ?? "", text: sent.text, at: sent.at });
          continue;
        }
        notifications.push({
          merchantId: notice?.recipientId ?? "",
          channel: sent.channel,
          to: sent.to,
          language: notice?.language ?? "",
          text: sent.subject ? `${sent.subject}\n\n${sent.text}` : sent.text,
          paymentIds: (notice?.payments ?? []).map((payment) => payment.paymentId),
          ...(sent.provider ? { provider: sent.provider } : {}),
          ...(multiple ? { at: sent.at } : {}),
        });
      }
    }

    const payments: SimulationOutput["payments"] = [];
    const seen = new Set<string>();
    for (const outcome of outcomes) {
      if (outcome.status === "rejected" || outcome.status === "conflict") continue;
      const key = `${outcome.acquirer}#${outcome.paymentId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const payment = await services.ingest.payments.get(outcome.acquirer, outcome.paymentId);
      if (!payment) continue;
      payments.push({
        acquirer: payment.acquirer,
        paymentId: payment.paymentId,
        merchantId: payment.merchantId,
        status: payment.status,
        expectedBy: payment.arrival?.expectedBy ?? null,
        explanation: payment.arrival?.explanation ?? null,
      });
    }
    return {
      asOf: multiple ? instants.map((instant) => instant.toISOString()) : (instants[0] as Date).toISOString(),
      payments,
      notifications,
      opsAlerts,
      rejectedConfirmations,
      unmatchedLines,
      settlementFiles,
    };
  } finally {
    client.destroy();
    await dynamo?.stop();
    // The settlement files copied in for this run: nothing of a simulation outlives it.
    if (inbox) await rm(inbox, { recursive: true, force: true });
  }
}

async function readMerchants(file: string): Promise<unknown[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new SimulationInputError(`${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed))
    throw new SimulationInputError(`${file}: expected a JSON array of merchant profiles`);
  return parsed;
}

async function readJsonLines(file: string): Promise<Array<{ line: number; value: unknown }>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new SimulationInputError(`${file}: ${(error as Error).message}`);
  }
  const entries: Array<{ line: number; value: unknown }> = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    try {
      entries.push({ line: index + 1, value: JSON.parse(line) });
    } catch (error) {
      throw new SimulationInputError(
        `${file}: line ${index + 1}: not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  return entries;
}

interface SettlementSpec {
  acquirer: string | undefined;
  file: string;
  at?: Date | undefined;
}

/** `[ACQUIRER=]FILE[@INSTANT]`: whose file, and from which check on it has arrived (default: the first). */
function parseSettlementSpec(spec: string): SettlementSpec {
  const match = /^(?:([a-z0-9-]{1,32})=)?(.+?)(?:@(\d{4}-\d{2}-\d{2}T[^@]+))?$/.exec(spec);
  const file = match?.[2];
  if (!match || !file)
    throw new SimulationInputError(`--settlement ${spec}: expected [ACQUIRER=]FILE[@INSTANT]`);
  if (match[3] === undefined) return { acquirer: match[1], file, at: undefined };
  const at = checkAsOf(match[3], { now: new Date(), anyFuture: true });
  if (!at.ok) throw new SimulationInputError(`--settlement ${spec}: ${match[3]} ${at.message}`);
  return { acquirer: match[1], file, at: at.value };
}

/**
 * A file without `ACQUIRER=` belongs to the confirmations' one acquirer, or, when they name
 * several, to the one the file itself points to (settlement-acquirer.ts).
 */
async function resolveSettlementAcquirers(
  specs: readonly SettlementSpec[],
  confirmations: readonly unknown[],
  config: LocalConfig,
): Promise<Array<SettlementSpec & { acquirer: string }>> {
  const facts = acquirerFacts(confirmations);
  const resolved: Array<SettlementSpec & { acquirer: string }> = [];
  for (const spec of specs) {
    if (spec.acquirer !== undefined) {
      resolved.push({ ...spec, acquirer: spec.acquirer });
      continue;
    }
    if (facts.size <= 1) {
      const only = [...facts.keys()][0];
      if (only === undefined)
        throw new SimulationInputError(
          `--settlement ${spec.file}: the confirmations name no acquirer; write ACQUIRER=${spec.file}`,
        );
      resolved.push({ ...spec, acquirer: only });
      continue;
    }
    try {
      resolved.push({
        ...spec,
        acquirer: await inferSettlementAcquirer(spec.file, facts, config.acquirerCsv),
      });
    } catch (error) {
      if (
        error instanceof AmbiguousSettlementFileError ||
        error instanceof UnreadableFileError ||
        isFsError(error)
      )
        throw new SimulationInputError(`--settlement ${spec.file}: ${(error as Error).message}`);
      throw error;
    }
  }
  return resolved;
}

function isFsError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string";
}
