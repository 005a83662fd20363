/**
 * V8 settings for the serving process that Node refuses in NODE_OPTIONS, set at start.
 *
 * `--no-allocation-site-pretenuring`: under steady load V8 saw a few of the webhook's
 * per-review allocation sites survive a young-generation collection (reviews in flight when
 * it ran) and started allocating them straight in the old generation. Every review then
 * fed the old generation: a full mark-compact every ~0.35 s and scavenges 3x slower
 * (1.5 ms against 0.5), ~8% of the CPU. Without pretenuring the same objects die young,
 * as they should: 9-15% less CPU per review in paired runs (docs/benchmarks-webhook.md).
 */
import { setFlagsFromString } from 'node:v8';

export function tuneV8ForServing(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
