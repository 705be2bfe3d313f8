import { createRequire } from "node:module";
import type { MetadataJson } from "libphonenumber-js/core";

const maxMetadata = createRequire(import.meta.url)("libphonenumber-js/metadata.max.json") as MetadataJson;

/** Index of a numbering plan's formatting rules in libphonenumber-js's v4 metadata arrays. */
const FORMATS_INDEX = 4;

/**
 * libphonenumber-js's full (`max`) metadata without the formatting rules: parsing, `isValid()` and
 * `getType()` never read them (only formatting and as-you-type do), and they are a third of it.
 */
export function phoneMetadataFromLibrary(): MetadataJson {
  const copy = structuredClone(maxMetadata) as { countries: Record<string, unknown[]> } & Record<
    string,
    unknown
  >;
  const strip = (plan: unknown[]) => plan.map((entry, index) => (index === FORMATS_INDEX ? [] : entry));
  const countries = Object.fromEntries(
    Object.entries(copy.countries).map(([code, plan]) => [code, strip(plan)]),
  );
  const nonGeographic = Object.fromEntries(
    Object.entries((copy.nonGeographic ?? {}) as Record<string, unknown[]>).map(([code, plan]) => [
      code,
      strip(plan),
    ]),
  );
  return { ...copy, countries, nonGeographic } as unknown as MetadataJson;
}
