// How many billed SMS parts a text takes (3GPP TS 23.038 alphabets, TS 23.040 concatenation).
//
// - GSM-7 when every character is in the GSM 03.38 default alphabet or its extension table:
//   160 septets in a single part, 153 per part once split (the concatenation header takes 7).
//   Extension characters (€ [ ] { } \ ^ ~ | and form feed) take 2 septets (escape + character).
// - Otherwise UCS-2 (all Chinese text): 70 UTF-16 code units in a single part, 67 per part once
//   split. A character outside the Basic Multilingual Plane (most emoji) is 2 code units.
// - Split text is packed greedily and an escape pair or a surrogate pair is never cut across two
//   parts (handsets would show garbage), so a part may hold one unit less than 153/67; this can
//   cost one part more than a plain division in rare cases, and it is what gets billed.

const GSM7_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENSION = new Set("\f^{}\\[~]|€");

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  /** GSM-7: septets (extension characters count 2). UCS-2: UTF-16 code units (emoji count 2). */
  characters: number;
  /** Billed parts; 0 for an empty text. */
  segments: number;
}

export const SMS_LIMITS = {
  "GSM-7": { single: 160, perPart: 153 },
  "UCS-2": { single: 70, perPart: 67 },
} as const;

/** True when every character of `text` can be sent in GSM-7 (basic alphabet or extension table). */
export function isGsm7(text: string): boolean {
  for (const character of text) {
    if (!GSM7_BASIC.has(character) && !GSM7_EXTENSION.has(character)) return false;
  }
  return true;
}

/** Units each character takes, in order: septets for GSM-7, UTF-16 code units for UCS-2. */
function unitsOf(text: string, encoding: SmsEncoding): number[] {
  const units: number[] = [];
  for (const character of text) {
    units.push(encoding === "GSM-7" ? (GSM7_EXTENSION.has(character) ? 2 : 1) : character.length);
  }
  return units;
}

/**
 * Encoding, length and billed parts of an SMS text.
 *
 * @example countSmsSegments("a".repeat(161)) → { encoding: "GSM-7", characters: 161, segments: 2 }
 * @example countSmsSegments("款".repeat(71)) → { encoding: "UCS-2", characters: 71, segments: 2 }
 */
export function countSmsSegments(text: string): SmsSegmentCount {
  const encoding: SmsEncoding = isGsm7(text) ? "GSM-7" : "UCS-2";
  const units = unitsOf(text, encoding);
  const characters = units.reduce((sum, unit) => sum + unit, 0);
  const limits = SMS_LIMITS[encoding];
  if (characters === 0) return { encoding, characters, segments: 0 };
  if (characters <= limits.single) return { encoding, characters, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const unit of units) {
    if (used + unit > limits.perPart) {
      segments += 1;
      used = 0;
    }
    used += unit;
  }
  return { encoding, characters, segments };
}

/** The result of fitting a list-bearing SMS into its part budget. */
export interface FittedSms {
  /** The text to publish (without the provider's signature). */
  text: string;
  /** Encoding, length and parts as billed: the provider's signature included. */
  encoding: SmsEncoding;
  characters: number;
  segments: number;
  /** How many list items the text shows (the oldest first); the rest are summed up as "and N more". */
  itemsShown: number;
  /** False when even with no items the text needs more parts than allowed (it is returned anyway). */
  fits: boolean;
}

export interface FitSmsOptions {
  /** Part budget. Default 2: a Chinese digest must stay within 2 parts. */
  maxSegments?: number;
  /**
   * Text the SMS provider adds to every message and bills (in China, the registered signature
   * such as "【结算提醒】"). Counted with the text, so it may also change the encoding. Default "".
   */
  providerSignature?: string;
}

/**
 * Renders a digest SMS with as many list items as fit in `maxSegments` parts, dropping items from
 * the end of the list (the newest) one at a time. Items are whole or absent, never cut: `render`
 * receives how many items to show and is expected to say "and N more" for the rest.
 *
 * @param render the text with the first `itemsShown` items (0 ≤ itemsShown ≤ itemCount).
 * @param itemCount the most items to try (usually min(payments, a configured maximum)).
 */
export function fitSmsDigest(
  render: (itemsShown: number) => string,
  itemCount: number,
  options: FitSmsOptions = {},
): FittedSms {
  const maxSegments = options.maxSegments ?? 2;
  const signature = options.providerSignature ?? "";
  if (!Number.isInteger(maxSegments) || maxSegments < 1) throw new RangeError("maxSegments must be ≥ 1");
  if (!Number.isInteger(itemCount) || itemCount < 0) throw new RangeError("itemCount must be ≥ 0");
  let shown = itemCount;
  for (;;) {
    const text = render(shown);
    const count = countSmsSegments(signature + text);
    const fits = count.segments <= maxSegments;
    if (fits || shown === 0) {
      return {
        text,
        encoding: count.encoding,
        characters: count.characters,
        segments: count.segments,
        itemsShown: shown,
        fits,
      };
    }
    shown -= 1;
  }
}
