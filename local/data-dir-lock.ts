import { randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Who holds a data folder: the monitor process, and what it serves once it is up. */
export interface DataDirHolder {
  pid: number;
  startedAt: string;
  /** The monitor's HTTP API; absent while it is still starting. */
  url?: string;
  dynamoDbEndpoint?: string;
  /** The DynamoDB Local (java) process writing the folder's database file. */
  dynamoDbPid?: number;
  dynamoDbStart?: string;
  /** Linux: boot id and start time of the holder, so a pid reused after a crash or reboot is not taken for it. */
  processStart?: string;
}

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      `data folder ${dataDir} is held by pid ${holder.pid}${
        holder.url ? ` serving ${holder.url}` : " (still starting)"
      }: stop that monitor first, or talk to it (commands find it through the folder's lock)`,
    );
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Adds what the holder serves (URL, DynamoDB Local) to the lock, atomically. */
  update(fields: Partial<Omit<DataDirHolder, "pid" | "startedAt">>): void;
  /** Removes the lock if it is still ours; also runs on process exit. */
  release(): void;
}

const LOCK_FILE = "monitor.lock";

export function dataDirLockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

/** True while the process exists (a zombie, killed but not reaped yet, counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (process.platform !== "linux") return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The lock's text and what it says; "missing" when there is no lock, "unreadable" when it is not ours to parse. */
function readLock(path: string): { text: string; holder: DataDirHolder | "unreadable" } | "missing" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as DataDirHolder;
    return { text, holder: Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : "unreadable" };
  } catch {
    return { text, holder: "unreadable" };
  }
}

/** Boot id + start time (clock ticks since boot) of a process, on Linux; undefined elsewhere. */
export function processStart(pid: number): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Field 22 of /proc/<pid>/stat, the 20th after the command name.
    return `${bootId}/${fields[19]}`;
  } catch {
    return undefined;
  }
}

/** The process is still the one the lock names (not a reuse of its pid). */
function sameProcessAlive(pid: number, start: string | undefined): boolean {
  if (!processAlive(pid)) return false;
  return start === undefined || start === processStart(pid);
}

function holderAlive(holder: DataDirHolder): boolean {
  return sameProcessAlive(holder.pid, holder.processStart);
}

function readHolder(path: string): DataDirHolder | undefined {
  const lock = readLock(path);
  return lock === "missing" || lock.holder === "unreadable" ? undefined : lock.holder;
}

/** The live holder of a data folder, if any (a lock left by a dead process is ignored). */
export function dataDirHolder(dataDir: string): DataDirHolder | undefined {
  const holder = readHolder(dataDirLockPath(dataDir));
  return holder && holderAlive(holder) ? holder : undefined;
}

/** Writes complete content under a temporary name first, so the lock is never seen half-written. */
function writeTemporary(path: string, holder: DataDirHolder): string {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
  return temporary;
}

/** Moves a dead holder's lock aside; false when someone else replaced it meanwhile (then retry). */
function removeStaleLock(path: string, stale: string): boolean {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  const moved = readFileSync(aside, "utf8");
  if (moved !== stale) {
    // A live holder took over between our read and our rename: put its lock back.
    try {
      linkSync(aside, path);
    } catch {
      // someone else holds it now; they win either way
    }
  }
  unlinkSync(aside);
  return moved === stale;
}

/**
 * One owner per data folder: `<dataDir>/monitor.lock` holds the owner's pid (then its URLs), created
 * atomically (hard link of a complete file, fails if the lock exists). A lock whose process is gone
 * is taken over; a live one makes this throw DataDirLockedError naming the holder.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = dataDirLockPath(dataDir);
  const start = processStart(process.pid);
  const content: DataDirHolder = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(start ? { processStart: start } : {}),
  };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const temporary = writeTemporary(path, content);
    let linked = false;
    try {
      linkSync(temporary, path);
      linked = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      unlinkSync(temporary);
    }
    if (linked) return heldLock(path, content);
    const lock = readLock(path);
    if (lock === "missing") continue;
    const { holder } = lock;
    if (holder !== "unreadable" && holderAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    if (
      holder !== "unreadable" &&
      holder.dynamoDbPid &&
      sameProcessAlive(holder.dynamoDbPid, holder.dynamoDbStart)
    ) {
      throw new Error(
        `data folder ${dataDir}: monitor pid ${holder.pid} is gone but its DynamoDB Local (pid ${holder.dynamoDbPid}) still runs on it; stop that process and start again`,
      );
    }
    removeStaleLock(path, lock.text);
  }
  throw new Error(`data folder ${dataDir}: could not take ${LOCK_FILE} (other processes keep racing for it)`);
}

function heldLock(path: string, initial: DataDirHolder): DataDirLock {
  let content = initial;
  const ours = () => {
    const holder = readHolder(path);
    return holder?.pid === process.pid && holder.startedAt === content.startedAt;
  };
  const release = () => {
    process.off("exit", release);
    if (ours()) unlinkSync(path);
  };
  process.on("exit", release);
  return {
    path,
    update(fields) {
      const next = { ...content, ...fields };
      renameSync(writeTemporary(path, next), path);
      content = next;
    },
    release,
  };
}
