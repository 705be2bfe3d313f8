// Expected-arrival throughput on one core.
//   node bin/run-ts.js bench/expected-arrival.bench.ts [count]
// Builds `count` (default 1,000,000) varied inputs up front (five zones with their region's
// calendar, T+0..T+5 and D+0..D+3 cycles, cutoffs and arrival times, instants spread over 2026),
// then times computeExpectedArrival over all of them and prints computations per second and the
// ratio to the 200,000/s target. Every result is used (a checksum) so none of the work is skipped.
import { performance } from "node:perf_hooks";
import {
  computeExpectedArrival,
  type ExpectedArrivalInput,
} from "../functions/domain/arrival/expected-arrival.js";
import { createCalendarRegistry } from "../functions/domain/calendar/calendar-registry.js";

const TARGET_PER_SECOND = 200_000;
const count = Number(process.argv[2] ?? 1_000_000);

// Deterministic pseudo-random numbers (mulberry32) so every run measures the same inputs.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const registry = createCalendarRegistry();
const merchants = [
  { timeZone: "Asia/Shanghai", region: "CN" },
  { timeZone: "Asia/Shanghai", region: "CN" },
  { timeZone: "America/New_York", region: "US" },
  { timeZone: "America/Los_Angeles", region: "US" },
  { timeZone: "Europe/London", region: "GB" },
  { timeZone: "Asia/Hong_Kong", region: "HK" },
  { timeZone: "Asia/Singapore", region: "SG" },
] as const;
const cycles = ["T+0", "T+1", "T+1", "T+1", "T+2", "T+3", "T+5", "D+0", "D+1", "D+1", "D+3"];
const cutoffs = ["23:59", "23:00", "22:00", "17:00", "00:00"];
const arrivals = ["18:00", "12:00", "09:30", "02:30", "23:59"];

const next = random(20260930);
const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
const yearStart = Date.UTC(2026, 0, 1);
const yearMs = Date.UTC(2027, 0, 1) - yearStart;

const setupStart = performance.now();
const inputs: ExpectedArrivalInput[] = new Array(count);
for (let i = 0; i < count; i++) {
  const merchant = pick(merchants);
  inputs[i] = {
    confirmedAt: new Date(yearStart + Math.floor(next() * yearMs)).toISOString(),
    timeZone: merchant.timeZone,
    terms: { cycle: pick(cycles), cutoff: pick(cutoffs), arrivalBy: pick(arrivals), graceMinutes: 60 },
    calendar: registry.get(merchant.region),
  };
}
const setupMs = performance.now() - setupStart;

// Cold: the very first computations (bundled calendars built, caches empty).
const coldStart = performance.now();
let checksum = 0;
const coldCount = Math.min(1000, count);
for (let i = 0; i < coldCount; i++)
  checksum += computeExpectedArrival(inputs[i] as ExpectedArrivalInput).explanation.length;
const coldMs = performance.now() - coldStart;

// Measured: every input once, after the cold slice above.
const start = performance.now();
for (let i = 0; i < count; i++) {
  const result = computeExpectedArrival(inputs[i] as ExpectedArrivalInput);
  checksum += result.explanation.length + result.expectedBy.length + result.uncoveredYears.length;
}
const elapsedMs = performance.now() - start;
const perSecond = count / (elapsedMs / 1000);

console.log(
  `expected-arrival: ${count.toLocaleString("en")} varied inputs (built in ${setupMs.toFixed(0)} ms)`,
);
console.log(`  first ${coldCount} computations (cold caches): ${coldMs.toFixed(1)} ms`);
console.log(`  ${count.toLocaleString("en")} computations: ${elapsedMs.toFixed(0)} ms`);
console.log(`  ${Math.round(perSecond).toLocaleString("en")} computations/s on one core`);
console.log(
  `  ratio to the ${TARGET_PER_SECOND.toLocaleString("en")}/s target: ${(perSecond / TARGET_PER_SECOND).toFixed(2)}x`,
);
console.log(`  (checksum ${checksum}, node ${process.version})`);
