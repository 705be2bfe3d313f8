import type { BusinessCalendar } from "../../domain/calendar/business-calendar.js";
import { parseCalendarOverrides } from "../../domain/calendar/calendar-data.js";
import { type CalendarRegistry, createCalendarRegistry } from "../../domain/calendar/calendar-registry.js";
import type { CalendarProvider } from "../../use-cases/ports.js";
import { systemClock } from "../clock/system-clock.js";

/** Reads the deployment's calendar overrides (raw JSON), or undefined when there are none. */
export type CalendarOverridesSource = () => Promise<unknown>;

/**
 * Bundled calendars plus the deployment's overrides. Overrides are re-read at most every `refreshMs`,
 * so ops can load next year's holidays without a deploy.
 */
export class OverridableCalendarProvider implements CalendarProvider {
  private registry: CalendarRegistry | undefined;
  private loadedAt = 0;
  private lastRaw: string | undefined;

  constructor(
    private readonly loadOverrides: CalendarOverridesSource,
    private readonly refreshMs = 5 * 60 * 1000,
    private readonly now: () => number = () => systemClock.now().getTime(),
  ) {}

  async calendarFor(region: string): Promise<BusinessCalendar> {
    return (await this.current()).get(region);
  }

  async has(region: string): Promise<boolean> {
    return (await this.current()).has(region);
  }

  private async current(): Promise<CalendarRegistry> {
    if (this.registry && this.now() - this.loadedAt < this.refreshMs) return this.registry;
    const raw = await this.loadOverrides();
    const serialised = raw === undefined ? undefined : JSON.stringify(raw);
    if (!this.registry || serialised !== this.lastRaw) {
      this.registry = createCalendarRegistry(raw === undefined ? [] : parseCalendarOverrides(raw));
      this.lastRaw = serialised;
    }
    this.loadedAt = this.now();
    return this.registry;
  }
}
