/**
 * How much admission work the webhook takes on at once. The apiserver's per-object limit
 * makes a review body up to about 7 MiB (two objects on UPDATE), and JSON.parse turns a
 * body into roughly ten times its size in objects: 8 such reviews at once took 816 MB. The
 * caps keep the process inside the chart's memory limit whatever the load; a review over a
 * cap is answered 429 with Retry-After, which the apiserver's client retries within the
 * webhook's timeout, so a burst is served a little later instead of killing the pod.
 */
export interface LimitSettings {
  /** Admission reviews being read or judged at once. */
  maxReviews: number;
  /** Bytes of request bodies held at once, across reviews. */
  maxBodyBytes: number;
}

/**
 * 32 reviews: far above what a single apiserver sends at once for Galera objects (the
 * matchConditions filter keeps everything else away) and small enough that the smallest
 * reviews cannot add up to much. 16 MiB of bodies: two of the largest possible reviews at
 * once, about 170 MB once parsed (measured: docs/benchmarks.md), inside the chart's 384 MiB
 * limit with the process's own ~90 MiB and room for the garbage collector.
 */
export const DEFAULT_LIMITS: LimitSettings = { maxReviews: 32, maxBodyBytes: 16 * 1024 * 1024 };

export class AdmissionLimits {
  readonly settings: LimitSettings;
  private reviews = 0;
  private bytes = 0;

  constructor(settings: LimitSettings = DEFAULT_LIMITS) {
    this.settings = settings;
  }

  get reviewsInFlight(): number {
    return this.reviews;
  }

  get bytesInFlight(): number {
    return this.bytes;
  }

  /** A review starts; false when the cap is reached (answer 429). */
  startReview(): boolean {
    if (this.reviews >= this.settings.maxReviews) return false;
    this.reviews++;
    return true;
  }

  endReview(): void {
    this.reviews--;
  }

  /** `n` more body bytes are held; false when that would pass the cap (nothing is taken). */
  takeBytes(n: number): boolean {
    if (this.bytes + n > this.settings.maxBodyBytes) return false;
    this.bytes += n;
    return true;
  }

  releaseBytes(n: number): void {
    this.bytes -= n;
  }
}
