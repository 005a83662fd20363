/**
 * Reads an admission request's body as it streams in, counting every chunk against the
 * review's own cap (7 MiB) and the process-wide budget of bytes in flight, so no request,
 * and no crowd of requests, can make the process hold more than the caps allow. Parsing
 * starts only once the whole body is in.
 */
import type { Readable } from 'node:stream';
import type { AdmissionLimits } from './limits.ts';

/**
 * The apiserver sends up to about 3 MiB per object and two objects on UPDATE; 7 MiB is the
 * cap controller-runtime uses. Anything larger is not a real review.
 */
export const BODY_LIMIT = 7 * 1024 * 1024;

export type BodyResult =
  | { ok: true; body: Buffer; release: () => void }
  | { ok: false; status: 413 | 429 | 400; message: string };

export function readBody(stream: Readable, limits: AdmissionLimits, declaredLength: number | undefined): Promise<BodyResult> {
  if (declaredLength !== undefined && declaredLength > BODY_LIMIT) {
    return Promise.resolve({ ok: false, status: 413, message: `the body is larger than ${String(BODY_LIMIT)} bytes` });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let held = 0;
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (!result.ok) {
        limits.releaseBytes(held);
        chunks.length = 0;
        // The rest of a refused body is read and dropped, holding nothing: the client gets
        // its answer when it is done sending, and the connection stays usable.
        stream.on('data', () => undefined);
        stream.on('error', () => undefined);
        stream.resume();
      }
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      if (held + chunk.length > BODY_LIMIT) {
        finish({ ok: false, status: 413, message: `the body is larger than ${String(BODY_LIMIT)} bytes` });
        return;
      }
      if (!limits.takeBytes(chunk.length)) {
        finish({ ok: false, status: 429, message: `the webhook holds ${String(limits.settings.maxBodyBytes)} bytes of reviews already; retry` });
        return;
      }
      held += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const body = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks);
      let released = false;
      finish({
        ok: true,
        body,
        release: () => {
          if (released) return;
          released = true;
          limits.releaseBytes(held);
        },
      });
    };
    const onError = (): void => {
      finish({ ok: false, status: 400, message: 'the request body could not be read' });
    };
    const onClose = (): void => {
      finish({ ok: false, status: 400, message: 'the request was aborted' });
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
