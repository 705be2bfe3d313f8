/**
 * Whether a line start of a CSV file is between records, followed over the file's raw lines without
 * parsing them: the distributed plan starts a chunk only there (record-starts.ts).
 *
 * The CSV reader (text/csv-table.ts) joins lines while a quoted field is open (RFC 4180: a quoted
 * field may hold line breaks, "" is a quote) with a RecordAssembler, which also gives up on a quote
 * left open for 20 lines (it rejects that line and reads the lines after it again as records). The
 * tracker feeds the same lines to the same RecordAssembler, so it agrees with the reader on where
 * every record ends, the give-up included.
 *
 * One thing the tracker cannot know: which lines the format skips before they reach the assembler
 * (an acquirer's footer and marker lines, matched by pattern on the decoded text). Where a layout
 * has such lines, a line with a quote that comes between records is followed both ways - skipped,
 * and read - and a line start counts as between records only when every way of reading is. Lines
 * without a quote between records change nothing either way, so the common case costs one
 * `indexOf` per chunk.
 */
import { RecordAssembler } from "../text/delimited.js";

/**
 * Ways of reading followed at once, at most. Real files close a quoted field within a few lines and
 * never come near it; past it the tracker stops trusting any line start (the rest of the file stays
 * in one range) rather than grow without bound.
 */
const MAX_OPEN_READINGS = 64;

export interface CsvLayout {
  /** The field delimiter the reader splits records with. */
  delimiter: string;
  /** True when the reader skips some lines by pattern (they never reach its assembler). */
  skipsLines: boolean;
}

export class RecordBoundaryTracker {
  /** Whether one way of reading is between records. */
  private between = true;
  /** The ways of reading that are inside an open quoted field. */
  private readonly open: RecordAssembler[] = [];
  private lost = false;

  constructor(private readonly layout: CsvLayout) {}

  /** True when every way of reading the lines so far is between records. */
  get betweenRecords(): boolean {
    return !this.lost && this.between && this.open.length === 0;
  }

  /** Whether the next line must be shown to the tracker: one without a quote only matters inside a quoted field. */
  needsLine(hasQuote: boolean): boolean {
    return !this.lost && (hasQuote || this.open.length > 0);
  }

  /**
   * One physical line, without its line break, decoded as latin1: the assembler only looks at quotes
   * and the delimiter, ASCII bytes that UTF-8, GB18030 (below 0x40) and the single-byte encodings
   * never use inside a multi-byte character, so their positions are the decoded text's.
   */
  line(text: string, lineNumber: number): void {
    if (this.lost) return;
    let between = false;
    for (let i = this.open.length - 1; i >= 0; i -= 1) {
      const reading = this.open[i] as RecordAssembler;
      reading.push(text, lineNumber);
      if (reading.idle) {
        this.open.splice(i, 1); // it is the way between records now
        between = true;
      }
    }
    if (this.between) {
      if (!text.includes('"') || this.layout.skipsLines) between = true; // read or skipped, no quote opened
      if (text.includes('"')) {
        const read = new RecordAssembler(this.layout.delimiter);
        read.push(text, lineNumber);
        if (read.idle) between = true;
        else this.open.push(read);
      }
    }
    this.between = between;
    if (this.open.length > MAX_OPEN_READINGS) this.giveUp();
  }

  /** No line start is trusted any more (a line too long to follow, or too many open readings). */
  giveUp(): void {
    this.lost = true;
    this.open.length = 0;
  }
}
