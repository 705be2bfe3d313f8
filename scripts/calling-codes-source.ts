import { getCountries, getCountryCallingCode } from "libphonenumber-js";

/** Every country calling code libphonenumber-js knows, sorted. E.164 codes are prefix-free. */
export function callingCodesFromLibrary(): string[] {
  return [...new Set(getCountries().map((country) => String(getCountryCallingCode(country))))].sort();
}
