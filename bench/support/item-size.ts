/**
 * An item's size as DynamoDB bills it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * each attribute's name (UTF-8) plus its value: strings in UTF-8 bytes, numbers about one byte per
 * two significant digits plus one, booleans and null one byte, lists and maps 3 bytes plus one per
 * element plus their elements. A write costs one WRU per started KB of it.
 */
export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(name, "utf8") + valueBytes(value);
  }
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (typeof value === "number")
    return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, "").length / 2) + 1;
  if (typeof value === "boolean" || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, entry) => sum + 1 + valueBytes(entry), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, entry) => sum + valueBytes(entry), 0);
  if (typeof value === "object")
    return 3 + itemBytes(value as Record<string, unknown>) + Object.keys(value).length;
  return 0;
}
