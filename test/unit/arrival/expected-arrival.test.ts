import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  computeExpectedArrival,
  type ExpectedArrivalInput,
  ExpectedArrivalInputError,
  parseConfirmedAt,
} from "../../../functions/domain/arrival/expected-arrival.js";
import { chineseDaysYears } from "../../../functions/domain/calendar/bundled-calendars.js";
import { parseCalendarOverrides } from "../../../functions/domain/calendar/calendar-data.js";
import { createCalendarRegistry } from "../../../functions/domain/calendar/calendar-registry.js";

const registry = createCalendarRegistry();
const cn = registry.get("CN");
const us = registry.get("US");
const gb = registry.get("GB");

const terms = { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 };

function shanghai(confirmedAt: string, overrides: Partial<typeof terms> = {}) {
  return computeExpectedArrival({
    confirmedAt,
    timeZone: "Asia/Shanghai",
    terms: { ...terms, ...overrides },
    calendar: cn,
  });
}

describe("CN Golden Week 2026 (1-7 Oct off, 10 Oct a make-up workday)", () => {
  it("T+1 from Wednesday 30 Sep lands on Thursday 8 Oct, the first working day after the holiday", () => {
    expect(shanghai("2026-09-30T07:00:00Z")).toEqual({
      tradeDate: "2026-09-30",
      dueDate: "2026-10-08",
      expectedBy: "2026-10-08T10:00:00.000Z",
      overdueAt: "2026-10-08T11:00:00.000Z",
      calendarCoverage: "covered",
      uncoveredYears: [],
      explanation:
        "T+1 business day from trade date 30 Sep 2026 (confirmed 2026-09-30 15:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); " +
        "1–7 Oct National Day skipped; due 8 Oct 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    });
  });

  it("T+2 from Friday 9 Oct counts Saturday 10 Oct (make-up workday) and skips Sunday 11 Oct", () => {
    const arrival = shanghai("2026-10-09T02:00:00Z", { cycle: "T+2" });
    expect(arrival.dueDate).toBe("2026-10-12");
    expect(arrival.explanation).toBe(
      "T+2 business days from trade date 9 Oct 2026 (confirmed 2026-10-09 10:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); 10 Oct is a make-up workday; due 12 Oct 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    );
  });

  it("T+5 from 24 Sep crosses Mid-Autumn and National Day", () => {
    const arrival = shanghai("2026-09-24T02:00:00Z", { cycle: "T+5" });
    // Trade date 24 Sep, T+1 28 Sep, T+2 29 Sep, T+3 30 Sep, T+4 8 Oct, T+5 9 Oct
    expect(arrival.dueDate).toBe("2026-10-09");
    expect(arrival.explanation).toContain("25–27 Sep Mid-autumn Festival, 1–7 Oct National Day skipped;");
  });

  it("T+0 on a holiday is the next business day", () => {
    const arrival = shanghai("2026-10-02T04:00:00Z", { cycle: "T+0" });
    expect(arrival.tradeDate).toBe("2026-10-02");
    expect(arrival.dueDate).toBe("2026-10-08");
    expect(arrival.explanation).toBe(
      "T+0 business days from trade date 2 Oct 2026 (confirmed 2026-10-02 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "2–7 Oct National Day skipped; due 8 Oct 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    );
  });

  it("T+0 on a business day is the trade date itself", () => {
    expect(shanghai("2026-09-29T04:00:00Z", { cycle: "T+0" }).dueDate).toBe("2026-09-29");
  });
});

describe("CN Spring Festival 2026 (15-23 Feb off, 14 and 28 Feb worked)", () => {
  it("T+1 from Friday 13 Feb is the make-up Saturday 14 Feb", () => {
    const arrival = shanghai("2026-02-13T04:00:00Z");
    expect(arrival.dueDate).toBe("2026-02-14");
    expect(arrival.expectedBy).toBe("2026-02-14T10:00:00.000Z");
    expect(arrival.explanation).toContain(
      "; 14 Feb is a make-up workday; due 14 Feb 2026 18:00 Asia/Shanghai",
    );
  });

  it("T+2 from Friday 13 Feb skips the whole festival", () => {
    const arrival = shanghai("2026-02-13T04:00:00Z", { cycle: "T+2" });
    expect(arrival.dueDate).toBe("2026-02-24");
    expect(arrival.explanation).toBe(
      "T+2 business days from trade date 13 Feb 2026 (confirmed 2026-02-13 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); 15–23 Feb Spring Festival skipped, 14 Feb is a make-up workday; due 24 Feb 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    );
  });
});

describe("cutoff", () => {
  // 23:00 Asia/Shanghai on 30 Sep 2026 is 15:00Z.
  it("just before the cutoff: same trade date", () => {
    const arrival = shanghai("2026-09-30T14:59:59.999Z");
    expect(arrival.tradeDate).toBe("2026-09-30");
    expect(arrival.dueDate).toBe("2026-10-08");
    expect(arrival.explanation).toContain(
      "(confirmed 2026-09-30 22:59 Asia/Shanghai, before the 23:00 cutoff)",
    );
  });

  it("exactly at the cutoff: next day (a holiday here, not rolled: T+1 is still 8 Oct)", () => {
    const arrival = shanghai("2026-09-30T15:00:00Z");
    expect(arrival.tradeDate).toBe("2026-10-01");
    expect(arrival.dueDate).toBe("2026-10-08");
    expect(arrival.explanation).toBe(
      "T+1 business day from trade date 1 Oct 2026 (confirmed 2026-09-30 23:00 Asia/Shanghai, at or after the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); " +
        "2–7 Oct National Day skipped; due 8 Oct 2026 18:00 Asia/Shanghai, overdue after 60 min grace",
    );
  });

  it("after the cutoff: next day", () => {
    expect(shanghai("2026-09-30T15:30:00Z").tradeDate).toBe("2026-10-01");
  });

  it("a 00:00 cutoff moves every confirmation to the next day", () => {
    expect(shanghai("2026-09-28T16:00:00Z", { cutoff: "00:00" }).tradeDate).toBe("2026-09-30"); // 00:00 local on 29 Sep
  });
});

describe("T and D cycles", () => {
  it("D+N counts calendar days and says when it lands on a holiday", () => {
    const arrival = shanghai("2026-09-30T07:00:00Z", { cycle: "D+1", graceMinutes: 0 });
    expect(arrival).toEqual({
      tradeDate: "2026-09-30",
      dueDate: "2026-10-01",
      expectedBy: "2026-10-01T10:00:00.000Z",
      overdueAt: "2026-10-01T10:00:00.000Z",
      calendarCoverage: "covered",
      uncoveredYears: [],
      explanation:
        "D+1 calendar day from trade date 30 Sep 2026 (confirmed 2026-09-30 15:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "the due date is National Day, which a D cycle does not skip; due 1 Oct 2026 18:00 Asia/Shanghai, overdue right after (no grace)",
    });
  });

  it("D+0 is the trade date, D+3 three calendar days later over a weekend", () => {
    expect(shanghai("2026-03-06T02:00:00Z", { cycle: "D+0" }).dueDate).toBe("2026-03-06");
    expect(shanghai("2026-03-06T02:00:00Z", { cycle: "D+3" }).dueDate).toBe("2026-03-09");
    expect(shanghai("2026-03-06T02:00:00Z", { cycle: "T+3" }).dueDate).toBe("2026-03-11");
  });

  it("T+1 from a Saturday trade date is Monday; Tuesday only with roll-trade-date-first", () => {
    const saturday = (businessDayRule?: "roll-trade-date-first") =>
      computeExpectedArrival({
        confirmedAt: "2026-03-07T15:00:00Z",
        timeZone: "America/New_York",
        terms: businessDayRule ? { ...terms, businessDayRule } : terms,
        calendar: us,
      });
    expect(saturday().tradeDate).toBe("2026-03-07");
    expect(saturday().dueDate).toBe("2026-03-09");
    expect(saturday("roll-trade-date-first").dueDate).toBe("2026-03-10");
  });
});

describe("time zones", () => {
  it("2026-03-01T23:30:00Z is 2 Mar in Shanghai and 1 Mar in New York", () => {
    expect(shanghai("2026-03-01T23:30:00Z").tradeDate).toBe("2026-03-02");
    expect(
      computeExpectedArrival({
        confirmedAt: "2026-03-01T23:30:00Z",
        timeZone: "America/New_York",
        terms,
        calendar: us,
      }).tradeDate,
    ).toBe("2026-03-01");
  });

  it("reads RFC 3339 variants to the same instant as Date.parse", () => {
    for (const [confirmedAt, iso] of [
      ["2026-09-30t07:00:00z", "2026-09-30T07:00:00.000Z"],
      ["2026-09-30 07:00:00.5Z", "2026-09-30T07:00:00.500Z"],
      ["2026-09-30T07:00:00.123456789Z", "2026-09-30T07:00:00.123Z"],
      ["2026-09-30T15:00:00.07+08:00", "2026-09-30T07:00:00.070Z"],
      ["2026-09-30T01:30:00-05:30", "2026-09-30T07:00:00.000Z"],
      ["2024-02-29T23:59:59.999-00:00", "2024-02-29T23:59:59.999Z"],
      ["2026-09-30T07:00:00.000Z", "2026-09-30T07:00:00.000Z"],
    ] as const) {
      expect(parseConfirmedAt(confirmedAt), confirmedAt).toBe(Date.parse(iso));
    }
    const next = (() => {
      let state = 3;
      return () => {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        return state / 2_147_483_648;
      };
    })();
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(1971, 0, 1) + Math.floor(next() * (Date.UTC(2099, 0, 1) - Date.UTC(1971, 0, 1)));
      expect(parseConfirmedAt(new Date(ms).toISOString())).toBe(ms);
    }
  });

  it("accepts offsets and fractions in confirmedAt", () => {
    expect(shanghai("2026-09-30T23:30:00+08:00").tradeDate).toBe("2026-10-01");
    expect(shanghai("2026-09-30T22:59:59.999999+08:00").tradeDate).toBe("2026-09-30");
    expect(shanghai("2026-09-30 10:00:00-05:00").tradeDate).toBe("2026-10-01"); // 23:00 in Shanghai
  });
});

describe("DST", () => {
  const newYork = (confirmedAt: string, overrides: Partial<typeof terms> = {}) =>
    computeExpectedArrival({
      confirmedAt,
      timeZone: "America/New_York",
      terms: { ...terms, ...overrides },
      calendar: us,
    });
  const london = (confirmedAt: string, overrides: Partial<typeof terms> = {}) =>
    computeExpectedArrival({
      confirmedAt,
      timeZone: "Europe/London",
      terms: { ...terms, ...overrides },
      calendar: gb,
    });

  it("New York: a Friday in EST, due Monday in EDT", () => {
    const arrival = newYork("2026-03-06T15:00:00Z");
    expect(arrival.dueDate).toBe("2026-03-09");
    expect(arrival.expectedBy).toBe("2026-03-09T22:00:00.000Z"); // 18:00 EDT
    expect(arrival.overdueAt).toBe("2026-03-09T23:00:00.000Z");
  });

  it("New York: a Friday in EDT, due Monday in EST", () => {
    const arrival = newYork("2026-10-30T15:00:00Z");
    expect(arrival.dueDate).toBe("2026-11-02");
    expect(arrival.expectedBy).toBe("2026-11-02T23:00:00.000Z"); // 18:00 EST
  });

  it("New York: an arrivalBy in the spring-forward gap moves forward by the gap, as luxon does", () => {
    const arrival = newYork("2026-03-06T15:00:00Z", { cycle: "D+2", arrivalBy: "02:30" });
    expect(arrival.dueDate).toBe("2026-03-08");
    expect(arrival.expectedBy).toBe("2026-03-08T07:30:00.000Z"); // 03:30 EDT
    expect(arrival.expectedBy).toBe(
      DateTime.fromObject({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, { zone: "America/New_York" })
        .toUTC()
        .toISO(),
    );
    expect(arrival.explanation).toContain(
      "; due 8 Mar 2026 03:30 America/New_York (02:30 is skipped when clocks go forward on 8 Mar 2026), overdue after 60 min grace",
    );
  });

  it("New York: an arrivalBy in the repeated hour takes the earlier instant", () => {
    const arrival = newYork("2026-10-30T15:00:00Z", { cycle: "D+2", arrivalBy: "01:30" });
    expect(arrival.dueDate).toBe("2026-11-01");
    expect(arrival.expectedBy).toBe("2026-11-01T05:30:00.000Z"); // 01:30 EDT, not 01:30 EST
  });

  it("London: due Monday after the clocks go forward is 18:00 BST", () => {
    const arrival = london("2026-03-27T12:00:00Z");
    expect(arrival.dueDate).toBe("2026-03-30");
    expect(arrival.expectedBy).toBe("2026-03-30T17:00:00.000Z");
  });

  it("London: gap and repeated hour", () => {
    expect(london("2026-03-27T12:00:00Z", { cycle: "D+2", arrivalBy: "01:30" }).expectedBy).toBe(
      "2026-03-29T01:30:00.000Z", // 02:30 BST
    );
    expect(london("2026-10-23T12:00:00Z", { cycle: "D+2", arrivalBy: "01:30" }).expectedBy).toBe(
      "2026-10-25T00:30:00.000Z", // 01:30 BST, the first one
    );
  });

  it("London: the cutoff compares local time on the day clocks go forward", () => {
    // 00:59:59 GMT, then 02:00 BST one second later.
    expect(london("2026-03-29T00:59:59Z", { cutoff: "01:30" }).tradeDate).toBe("2026-03-29");
    expect(london("2026-03-29T01:00:00Z", { cutoff: "01:30" }).tradeDate).toBe("2026-03-30");
  });
});

describe("calendar coverage", () => {
  const lastCovered = chineseDaysYears().at(-1) ?? 2026;

  it(`the year after chinese-days' data (${lastCovered + 1}) is weekends only, and says so`, () => {
    const arrival = shanghai(`${lastCovered}-12-31T04:00:00Z`, { cycle: "T+3" });
    expect(arrival.calendarCoverage).toBe("weekends-only");
    expect(arrival.uncoveredYears).toEqual([lastCovered + 1]);
    expect(arrival.explanation).toContain(`; CN calendar has no data for ${lastCovered + 1}: weekends only;`);
  });

  it("2099: exact weekends-only result", () => {
    const arrival = shanghai("2099-09-30T04:00:00Z", { cycle: "T+3" }); // a Wednesday
    expect(arrival).toEqual({
      tradeDate: "2099-09-30",
      dueDate: "2099-10-05", // Thu 1, Fri 2, (weekend), Mon 5 - no National Day data for 2099
      expectedBy: "2099-10-05T10:00:00.000Z",
      overdueAt: "2099-10-05T11:00:00.000Z",
      calendarCoverage: "weekends-only",
      uncoveredYears: [2099],
      explanation:
        "T+3 business days from trade date 30 Sep 2099 (confirmed 2099-09-30 12:00 Asia/Shanghai, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); CN calendar has no data for 2099: weekends only; due 5 Oct 2099 18:00 Asia/Shanghai, overdue after 60 min grace",
    });
  });

  it("an override covering that year makes it covered again", () => {
    const next = lastCovered + 1;
    const calendar = createCalendarRegistry(
      parseCalendarOverrides({
        region: "CN",
        years: [next],
        holidays: { [`${next}-01-01`]: "New Year's Day" },
      }),
    ).get("CN");
    const arrival = computeExpectedArrival({
      confirmedAt: `${lastCovered}-12-31T04:00:00Z`,
      timeZone: "Asia/Shanghai",
      terms: { ...terms, cycle: "T+3" },
      calendar,
    });
    expect(arrival.calendarCoverage).toBe("covered");
    expect(arrival.uncoveredYears).toEqual([]);
    expect(arrival.explanation).toContain(`1 Jan New Year's Day skipped`);
  });

  it("a D cycle never consults the calendar, so it is covered", () => {
    const arrival = shanghai("2099-09-30T04:00:00Z", { cycle: "D+3" });
    expect(arrival.calendarCoverage).toBe("covered");
    expect(arrival.dueDate).toBe("2099-10-03");
  });
});

describe("other regions", () => {
  it("US: Independence Day 2026 (Saturday, observed Friday 3 Jul)", () => {
    const arrival = computeExpectedArrival({
      confirmedAt: "2026-07-02T15:00:00Z",
      timeZone: "America/New_York",
      terms,
      calendar: us,
    });
    expect(arrival.dueDate).toBe("2026-07-06");
    expect(arrival.explanation).toBe(
      "T+1 business day from trade date 2 Jul 2026 (confirmed 2026-07-02 11:00 America/New_York, before the 23:00 cutoff); " +
        "counted strictly after the trade date (rule after-trade-date); 3 Jul Independence Day (substitute day), 4 Jul Independence Day skipped; due 6 Jul 2026 18:00 America/New_York, overdue after 60 min grace",
    );
  });

  it("GB: Christmas and Boxing Day 2026", () => {
    const arrival = computeExpectedArrival({
      confirmedAt: "2026-12-24T10:00:00Z",
      timeZone: "Europe/London",
      terms,
      calendar: gb,
    });
    expect(arrival.dueDate).toBe("2026-12-29");
    expect(arrival.expectedBy).toBe("2026-12-29T18:00:00.000Z");
    expect(arrival.explanation).toContain(
      "25 Dec Christmas Day, 26 Dec Boxing Day, 28 Dec Boxing Day (substitute day) skipped",
    );
  });

  it("HK and SG: National Day", () => {
    const hk = computeExpectedArrival({
      confirmedAt: "2026-09-30T04:00:00Z",
      timeZone: "Asia/Hong_Kong",
      terms,
      calendar: registry.get("HK"),
    });
    expect(hk.dueDate).toBe("2026-10-02");
    expect(hk.explanation).toContain("1 Oct National Day skipped");
    const sg = computeExpectedArrival({
      confirmedAt: "2026-08-07T04:00:00Z",
      timeZone: "Asia/Singapore",
      terms,
      calendar: registry.get("SG"),
    });
    expect(sg.dueDate).toBe("2026-08-11");
    expect(sg.explanation).toContain("9 Aug National Day, 10 Aug National Day (substitute day) skipped");
  });
});

describe("bad input", () => {
  const base: ExpectedArrivalInput = {
    confirmedAt: "2026-09-30T07:00:00Z",
    timeZone: "Asia/Shanghai",
    terms,
    calendar: cn,
  };
  const fieldOf = (input: ExpectedArrivalInput): string => {
    try {
      computeExpectedArrival(input);
    } catch (error) {
      if (error instanceof ExpectedArrivalInputError) return `${error.field} | ${error.message}`;
      throw error;
    }
    return "no error";
  };

  it("names the field", () => {
    expect(fieldOf({ ...base, confirmedAt: "2026-09-30" })).toBe(
      'confirmedAt | confirmedAt: "2026-09-30" is not an RFC 3339 date-time with an offset, e.g. 2026-09-30T07:00:00Z',
    );
    expect(fieldOf({ ...base, confirmedAt: "2026-02-30T07:00:00Z" })).toMatch(/^confirmedAt \| /);
    for (const confirmedAt of [
      "2026-09-30T07:00:00",
      "2026-09-30T07:00:00.Z",
      "2026-09-30T07:00:00+0800",
      "2026-09-30T07:00:00+08:00 ",
      "2026-09-30T24:00:00Z",
      "2026-09-30T07:00Z",
      "2026-9-30T07:00:00Z",
      "2026-09-30_07:00:00Z",
      "2026-09-30T07:00:00+24:00",
    ]) {
      expect(fieldOf({ ...base, confirmedAt }), confirmedAt).toMatch(/^confirmedAt \| /);
    }
    expect(fieldOf({ ...base, timeZone: "Asia/Beijing" })).toBe(
      'timeZone | timeZone: not an IANA time zone: "Asia/Beijing" (e.g. Asia/Shanghai)',
    );
    expect(fieldOf({ ...base, terms: { ...terms, cycle: "T+" } })).toBe(
      'terms.cycle | terms.cycle: "T+" is not "T+N" (business days) or "D+N" (calendar days)',
    );
    expect(
      fieldOf({ ...base, terms: { ...terms, businessDayRule: "roll-first" as "roll-trade-date-first" } }),
    ).toBe(
      'terms.businessDayRule | terms.businessDayRule: "roll-first" is not "after-trade-date" (the default) or "roll-trade-date-first"',
    );
    expect(fieldOf({ ...base, terms: { ...terms, cutoff: "24:00" } })).toBe(
      'terms.cutoff | terms.cutoff: "24:00" is not "HH:MM" (24-hour)',
    );
    expect(fieldOf({ ...base, terms: { ...terms, graceMinutes: -1 } })).toMatch(/^terms\.graceMinutes \| /);
  });
});
