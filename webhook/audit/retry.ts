/**
 * One call to the apiserver, tried again while it answers 429 (priority and fairness, or
 * the storage of a CRD just established: "storage is (re)initializing") or 503, up to
 * about 20 s in all: an audit is a batch job and can wait where a review cannot.
 */
const TRIES = 20;

function status(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? error.code : undefined;
}

export async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = status(error);
      if (attempt >= TRIES || (code !== 429 && code !== 503)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** The first line of an error from @kubernetes/client-node (the rest is headers and body). */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.message;
  return String(error);
}
