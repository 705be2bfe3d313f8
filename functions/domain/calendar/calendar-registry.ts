import { bundledCalendarRegions, bundledCalendarSource, hasBundledCalendar } from "./bundled-calendars.js";
import {
  type BusinessCalendar,
  type CalendarYearSource,
  calendarSourceFromData,
  createBusinessCalendar,
  overlayCalendarSource,
} from "./business-calendar.js";
import { type CalendarData, CalendarDataError } from "./calendar-data.js";

/** No calendar is bundled or loaded for a region. */
export class UnknownCalendarRegionError extends Error {
  override name = "UnknownCalendarRegionError";
  constructor(readonly region: string) {
    super(
      `no business calendar for region ${JSON.stringify(region)}: calendars are bundled for ` +
        `${bundledCalendarRegions().join(", ")}; any other region needs a calendar override for that region`,
    );
  }
}

/** The calendars of one deployment: bundled defaults with the deployment's overrides laid over them. */
export interface CalendarRegistry {
  /** True if {@link CalendarRegistry.get} will return a calendar (use it to validate a merchant's region). */
  has(region: string): boolean;
  /**
   * The region's calendar, the same object on every call (its per-date caches stay warm).
   * @throws UnknownCalendarRegionError
   */
  get(region: string): BusinessCalendar;
  /** Regions that have an override loaded. */
  readonly overriddenRegions: readonly string[];
}

/**
 * Builds the registry from validated overrides (see `parseCalendarOverrides`). For a region with
 * a bundled default, each year an override lists replaces that whole year of the default; the
 * other years stay as bundled. A region with no bundled default is exactly its override.
 *
 * @throws CalendarDataError if two overrides name the same region.
 */
export function createCalendarRegistry(overrides: readonly CalendarData[] = []): CalendarRegistry {
  const overrideByRegion = new Map<string, CalendarData>();
  for (const override of overrides) {
    if (overrideByRegion.has(override.region)) {
      throw new CalendarDataError(
        `two calendar overrides for region ${override.region}: give one per region`,
      );
    }
    overrideByRegion.set(override.region, override);
  }
  const calendars = new Map<string, BusinessCalendar>();

  const has = (region: string): boolean => overrideByRegion.has(region) || hasBundledCalendar(region);

  return {
    has,
    get(region) {
      let calendar = calendars.get(region);
      if (calendar) return calendar;
      const override = overrideByRegion.get(region);
      let source: CalendarYearSource;
      if (hasBundledCalendar(region)) {
        source = override
          ? overlayCalendarSource(bundledCalendarSource(region), override)
          : bundledCalendarSource(region);
      } else if (override) {
        source = calendarSourceFromData(override);
      } else {
        throw new UnknownCalendarRegionError(region);
      }
      calendar = createBusinessCalendar(source);
      calendars.set(region, calendar);
      return calendar;
    },
    overriddenRegions: [...overrideByRegion.keys()].sort(),
  };
}
