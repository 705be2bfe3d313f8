import type { Clock } from "../../use-cases/ports.js";

/** The machine's clock: the only place the business "now" is read from the wall. */
export const systemClock: Clock = { now: () => new Date() };
