/**
 * Failure scenarios with counted data: each scenario runs while the row-counting writer
 * writes, then waits for the cluster to be whole again and checks that every member holds
 * every acknowledged row and that the members agree. The results form the scenario table
 * of docs/recovery.md.
 */
import assert from 'node:assert/strict';
import type { GaleraPods } from './galera-pods.ts';
import type { GaleraWriter } from './galera-writer.ts';

export interface ScenarioResult {
  scenario: string;
  /** Rows acknowledged during the scenario. */
  acknowledged: number;
  /** Acknowledged rows (of the whole run) missing on some member after the scenario. */
  lost: number;
  /** Inserts that failed during the scenario (unavailability, not loss). */
  failedWrites: number;
  /** From the fault to every member Synced again. */
  seconds: number;
  note: string;
}

export class ScenarioLog {
  readonly results: ScenarioResult[] = [];
  private readonly cluster: GaleraPods;
  private readonly writer: GaleraWriter;

  constructor(cluster: GaleraPods, writer: GaleraWriter) {
    this.cluster = cluster;
    this.writer = writer;
  }

  /**
   * Runs `fault` (which returns a note of what it measured), waits until `members` members
   * are Synced, then verifies the data and records the row.
   */
  async run(scenario: string, members: number, fault: () => Promise<string> | string, timeoutMs = 10 * 60_000): Promise<ScenarioResult> {
    const acknowledgedBefore = this.writer.acknowledged.size;
    const failedBefore = this.writer.failed;
    const begin = Date.now();
    const note = await fault();
    await this.cluster.waitSynced(members, timeoutMs);
    const seconds = Math.round((Date.now() - begin) / 100) / 10;
    const verification = await this.writer.verify(members);
    const lost = Math.max(...Object.values(verification.lost));
    const result = { scenario, acknowledged: this.writer.acknowledged.size - acknowledgedBefore, lost, failedWrites: this.writer.failed - failedBefore, seconds, note };
    this.results.push(result);
    console.log(`scenario: ${JSON.stringify(result)}`);
    assert.deepEqual(verification.lost, Object.fromEntries(Object.keys(verification.lost).map((m) => [m, 0])), `${scenario}: acknowledged rows lost`);
    assert.ok(verification.agree, `${scenario}: members disagree: ${JSON.stringify(verification.checksums)}`);
    return result;
  }

  /** The table of docs/recovery.md. */
  table(): string {
    const rows = this.results.map((r) => `| ${r.scenario} | ${String(r.acknowledged)} | ${String(r.lost)} | ${String(r.failedWrites)} | ${String(r.seconds)} | ${r.note} |`);
    return ['| scenario | rows acknowledged | rows lost | failed writes | s to all Synced | measured |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
  }
}
