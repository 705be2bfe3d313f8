import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  acquireDataDirLock,
  DataDirLockedError,
  dataDirHolder,
  dataDirLockPath,
} from "../../../local/data-dir-lock.js";

/** The pid of a process that has come and gone. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

describe("data folder lock", () => {
  const folder = () => mkdtempSync(join(tmpdir(), "settlewatch-lock-"));

  it("has one holder: a second acquire names it; release frees the folder", () => {
    const dataDir = folder();
    const lock = acquireDataDirLock(dataDir);
    lock.update({ url: "http://127.0.0.1:9999" });
    expect(dataDirHolder(dataDir)).toMatchObject({ pid: process.pid, url: "http://127.0.0.1:9999" });
    expect(() => acquireDataDirLock(dataDir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dataDir)).toThrow(
      `data folder ${dataDir} is held by pid ${process.pid} serving http://127.0.0.1:9999`,
    );
    lock.release();
    expect(existsSync(dataDirLockPath(dataDir))).toBe(false);
    acquireDataDirLock(dataDir).release();
  });

  it("takes over a lock whose process is gone, or that is unreadable", () => {
    const dataDir = folder();
    const path = dataDirLockPath(dataDir);
    writeFileSync(path, JSON.stringify({ pid: deadPid(), startedAt: "2026-01-01T00:00:00Z" }));
    expect(dataDirHolder(dataDir)).toBeUndefined();
    const lock = acquireDataDirLock(dataDir);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    lock.release();
    writeFileSync(path, "not json");
    acquireDataDirLock(dataDir).release();
    expect(existsSync(path)).toBe(false);
  });

  it("takes over a lock whose pid now belongs to another process (reused after a crash or reboot)", () => {
    const dataDir = folder();
    const path = dataDirLockPath(dataDir);
    const reused = { pid: process.pid, startedAt: "x", processStart: "another-boot/123" };
    writeFileSync(path, JSON.stringify(reused));
    if (process.platform === "linux") {
      expect(dataDirHolder(dataDir)).toBeUndefined();
      acquireDataDirLock(dataDir).release();
      expect(existsSync(path)).toBe(false);
    } else {
      expect(() => acquireDataDirLock(dataDir)).toThrow(DataDirLockedError);
    }
  });

  it("refuses a folder whose dead monitor left its DynamoDB Local running", () => {
    const dataDir = folder();
    const path = dataDirLockPath(dataDir);
    const stale = JSON.stringify({ pid: deadPid(), startedAt: "x", dynamoDbPid: process.pid });
    writeFileSync(path, stale);
    expect(() => acquireDataDirLock(dataDir)).toThrow(
      `its DynamoDB Local (pid ${process.pid}) still runs on it`,
    );
    expect(readFileSync(path, "utf8")).toBe(stale);
  });

  it("does not remove a lock that another process holds when releasing", () => {
    const dataDir = folder();
    const lock = acquireDataDirLock(dataDir);
    const other = JSON.stringify({ pid: 1, startedAt: "y" });
    writeFileSync(dataDirLockPath(dataDir), other);
    lock.release();
    expect(readFileSync(dataDirLockPath(dataDir), "utf8")).toBe(other);
  });
});
