/**
 * How much input `check` takes on: bytes per input, bytes per run and nesting depth. Without
 * them a 50 MB file of `[` took 3.5 GB of memory and a 1 MB one overflowed the stack; with
 * them such input ends at once with exit 2 and a message that says which limit and how to
 * raise it.
 */
import { InputError } from './input-error.ts';

export interface Limits {
  /** Bytes of one input (a file, or standard input). */
  maxInputBytes: number;
  /** Bytes of all inputs of one run together. */
  maxTotalBytes: number;
  /** Mappings and sequences nested in one another, counting the document's top one. */
  maxDepth: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * 64 MiB per input: `check` keeps every object of a run until the cross-object rules have
 * seen them all, and memory grows with the input (measured: a 60 MiB input of 420,000 small
 * objects peaks at 740 MiB, about 12 times its size), so a cap is what keeps a runaway
 * pipeline from taking a CI runner's memory. Real inputs are far below it: one of the
 * largest CRDs in use (Argo Workflows' full `cronworkflows`) is 2.9 MB, and the
 * `kustomize build` output of a large platform is a few MB.
 *
 * 256 MiB per run: a folder holds many inputs, each under the per-input cap, and all of them
 * are kept at once, so the per-input cap alone does not bound memory. A repository of
 * rendered manifests for a fleet of clusters reaches tens of MB; four full-size inputs fit,
 * in about 3 GB at the rate above, which a CI runner has.
 *
 * 100 levels: the deepest real objects measured are CRDs that embed whole pod templates in
 * their schemas: 27 levels for prometheus-operator's, 37 for Argo Workflows' full CRDs. The
 * `yaml` library composes and converts documents recursively and overflows Node's default
 * stack at about 770 levels of `[`; 100 leaves room for its frames, ours and the rules'.
 */
export const DEFAULT_LIMITS: Limits = { maxInputBytes: 64 * MiB, maxTotalBytes: 256 * MiB, maxDepth: 100 };

const UNITS: Readonly<Record<string, number>> = { '': 1, kib: KiB, mib: MiB, gib: GiB };

/**
 * Parses `--max-input-size` and `--max-total-size`: whole bytes, or a whole number of KiB,
 * MiB or GiB (`512KiB`, `128MiB`, `1GiB`; the unit in any case, a space allowed before it).
 * @returns undefined when the text is not such a size, or is zero.
 */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+)\s*([kmg]ib)?$/i.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? Number.NaN);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** A limit as a reader would write it: `64 MiB`, `1 KiB`, or bytes when it is no whole unit. */
export function formatLimit(bytes: number): string {
  for (const [unit, size] of [['GiB', GiB], ['MiB', MiB], ['KiB', KiB]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

/** An input's size: exact bytes, with MiB beside it once bytes get hard to read. */
function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${bytes} bytes (${(bytes / MiB).toFixed(1)} MiB)` : `${bytes} bytes`;
}

/** A flag value at least `bytes`, in the largest unit that keeps it short. */
function suggestion(bytes: number): string {
  if (bytes > GiB) return `${Math.ceil(bytes / GiB)}GiB`;
  if (bytes > MiB) return `${Math.ceil(bytes / MiB)}MiB`;
  return `${Math.ceil(bytes / KiB)}KiB`;
}

/**
 * Counts the bytes of a run's inputs against both caps. A file is admitted before it is
 * read, with its size from `fstat`; standard input, whose size is unknown, is read up to
 * `nextInputCap` and admitted after, or refused when the reader stopped one byte past it.
 */
export class InputBudget {
  readonly limits: Limits;
  private used = 0;

  constructor(limits: Limits) {
    this.limits = limits;
  }

  /** The most bytes the next input may have: a reader stops one byte after it. */
  get nextInputCap(): number {
    return Math.min(this.limits.maxInputBytes, this.limits.maxTotalBytes - this.used);
  }

  /**
   * @param bytes the input's size, or for an input read only in part, the bytes read so far.
   * @param complete whether `bytes` is the whole input (false: it has at least that many).
   */
  admit(name: string, bytes: number, complete: boolean): void {
    const { maxInputBytes, maxTotalBytes } = this.limits;
    const what = name === '<stdin>' ? 'standard input' : 'the file';
    if (bytes > maxInputBytes) {
      const size = complete ? `${what} is ${formatBytes(bytes)}, over` : `${what} is over`;
      const stopped = complete ? '' : ` (reading stopped after ${formatBytes(bytes)})`;
      throw new InputError(
        `${name}: ${size} the limit of ${formatLimit(maxInputBytes)} per input${stopped}; ` +
          `raise it with --max-input-size, e.g. --max-input-size ${suggestion(complete ? bytes : 2 * maxInputBytes)}`,
      );
    }
    if (this.used + bytes > maxTotalBytes) {
      const size = complete
        ? `${what} is ${formatBytes(bytes)}, which brings this run's inputs to ${formatBytes(this.used + bytes)}, over`
        : `${what} brings this run's inputs over`;
      const stopped = complete ? '' : ` (reading stopped after ${formatBytes(bytes)} of it)`;
      throw new InputError(
        `${name}: ${size} the limit of ${formatLimit(maxTotalBytes)} in all${stopped}; ` +
          `raise it with --max-total-size, e.g. --max-total-size ${suggestion(complete ? this.used + bytes : 2 * maxTotalBytes)}`,
      );
    }
    this.used += bytes;
  }
}
