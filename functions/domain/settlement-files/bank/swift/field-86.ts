import { snippet } from "../amounts.js";

/** What the `:86:` information to the account owner tells us about a statement line. */
export interface Field86 {
  /** SEPA end-to-end id (`EREF+…` / `/EREF/…`), unless NOTPROVIDED. */
  readonly endToEnd: string | null;
  /** Remittance text (`SVWZ+…`, `/REMI/…`, or the free text), cut to 140 characters. */
  readonly remittance: string | null;
  /** The whole text, lines joined. */
  readonly text: string;
}

const SEPA_KEYWORDS = [
  "EREF",
  "KREF",
  "MREF",
  "CRED",
  "DEBT",
  "SVWZ",
  "ABWA",
  "ABWE",
  "IBAN",
  "BIC",
  "COAM",
  "OAMT",
];
const SEPA_KEYWORD = new RegExp(`(${SEPA_KEYWORDS.join("|")})\\+`, "g");

function usable(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" || trimmed.toUpperCase() === "NOTPROVIDED" ? null : trimmed;
}

/**
 * Joins the physical lines of a field. SWIFT wraps text at 65 characters, often inside a word,
 * so a full 65-character line continues without a space; a shorter line ends a phrase.
 */
export function joinFieldLines(lines: readonly string[]): string {
  let text = "";
  for (const [i, line] of lines.entries()) {
    if (i === 0) text = line;
    else text += ((lines[i - 1] ?? "").length >= 65 ? "" : " ") + line;
  }
  return text;
}

/** German ZKA style: `166?00GUTSCHRIFT?100399?20EREF+…?21…` (Triodos uses `>` for `?`). */
function readSubfields(raw: string): Field86 | null {
  const match = /^\s*(\d{3})?\s*([?>])\d\d/.exec(raw);
  if (!match) return null;
  const separator = match[2] === ">" ? ">" : "\\?";
  const parts = raw.split(new RegExp(`${separator}(\\d\\d)`));
  const subfields = new Map<string, string>();
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const code = parts[i] ?? "";
    subfields.set(code, (subfields.get(code) ?? "") + (parts[i + 1] ?? ""));
  }
  // Remittance: ?20-?29 then ?60-?63, concatenated without separators (they split mid-word).
  const codes = [...subfields.keys()]
    .filter((c) => (c >= "20" && c <= "29") || (c >= "60" && c <= "63"))
    .sort();
  const remittance = codes.map((c) => subfields.get(c) ?? "").join("");
  const keywords = [...remittance.matchAll(SEPA_KEYWORD)];
  const keywordValue = (keyword: string): string | null => {
    const index = keywords.findIndex((k) => k[1] === keyword);
    const found = keywords[index];
    if (index === -1 || found === undefined || found.index === undefined) return null;
    const start = found.index + keyword.length + 1;
    const end = keywords[index + 1]?.index ?? remittance.length;
    return usable(remittance.slice(start, end));
  };
  return {
    endToEnd: keywordValue("EREF"),
    remittance:
      snippet(keywords.length > 0 ? keywordValue("SVWZ") : remittance) ?? snippet(subfields.get("00")),
    text: raw,
  };
}

/**
 * Dutch SEPA style: `/EREF/…/REMI/USTD//…/ORDP//NAME/…`. ING ends each value with its own `/`
 * (`/EREF/E2E-1//CNTP/…`), so a value ends before the next `/CODE/` and loses one trailing slash;
 * `/CUR/` and `/ISSR/` are parts of a structured `/REMI/STRD/CUR/…`, not codes of their own.
 */
function readSlashCodes(raw: string): Field86 | null {
  if (!/\/(EREF|REMI|ORDP|BENM|TRTP)\//.test(raw)) return null;
  const keywordValue = (code: string): string | null => {
    const match = new RegExp(`/${code}/(.*?)(?=/(?!(?:CUR|ISSR)/)[A-Z]{2,4}/|$)`).exec(raw);
    return usable(match?.[1]?.replace(/\/$/, ""));
  };
  const remittance = keywordValue("REMI")
    ?.replace(/^(USTD|STRD)\/(CUR\/)?\/?/, "")
    .replace(/\/$/, "");
  return { endToEnd: keywordValue("EREF"), remittance: snippet(remittance), text: raw };
}

/** Reads the `:86:` text of one statement line (empty when the line has none). */
export function readField86(lines: readonly string[]): Field86 {
  if (lines.length === 0) return { endToEnd: null, remittance: null, text: "" };
  const subfieldStyle = /^\s*(\d{3})?\s*[?>]\d\d/.test(lines[0] ?? "");
  // Subfield text is wrapped mid-word at any length: join without separators.
  const raw = subfieldStyle ? lines.join("") : joinFieldLines(lines);
  return readSubfields(raw) ?? readSlashCodes(raw) ?? { endToEnd: null, remittance: snippet(raw), text: raw };
}
