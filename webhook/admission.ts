/**
 * AdmissionReview v1 at the boundary: the request is `unknown` until narrowed here, and
 * every response echoes the request's uid (the apiserver rejects a response without it).
 */
import { isKubeObject, isRecord, type KubeObject } from '../policies/index.ts';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource: string | undefined;
  name: string;
  namespace: string;
  operation: AdmissionOperation;
  object: KubeObject | undefined;
  oldObject: KubeObject | undefined;
  dryRun: boolean;
  username: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  warnings?: string[];
  patchType?: 'JSONPatch';
  patch?: string;
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

function gvk(value: unknown): { group: string; version: string; kind: string } | undefined {
  if (!isRecord(value) || typeof value.version !== 'string' || typeof value.kind !== 'string') return undefined;
  return { group: typeof value.group === 'string' ? value.group : '', version: value.version, kind: value.kind };
}

/** The request, or why the body is not a usable AdmissionReview (answered with 400). */
export function decodeReview(body: unknown): AdmissionRequest | string {
  if (!isRecord(body)) return 'the body is not a JSON object';
  if (body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview') return 'the body is not an admission.k8s.io/v1 AdmissionReview';
  const request = body.request;
  if (!isRecord(request)) return 'the AdmissionReview has no request';
  if (typeof request.uid !== 'string' || request.uid === '') return 'request.uid is missing';
  const kind = gvk(request.kind);
  if (kind === undefined) return 'request.kind is missing';
  const resource = isRecord(request.resource) && typeof request.resource.resource === 'string' ? request.resource : undefined;
  if (resource === undefined) return 'request.resource is missing';
  if (typeof request.operation !== 'string' || !OPERATIONS.includes(request.operation)) return 'request.operation is not CREATE, UPDATE, DELETE or CONNECT';
  const object = request.object === undefined || request.object === null ? undefined : request.object;
  if (object !== undefined && !isKubeObject(object)) return 'request.object is not a Kubernetes object';
  const oldObject = request.oldObject === undefined || request.oldObject === null ? undefined : request.oldObject;
  if (oldObject !== undefined && !isKubeObject(oldObject)) return 'request.oldObject is not a Kubernetes object';
  if ((request.operation === 'CREATE' || request.operation === 'UPDATE') && object === undefined) return `request.object is missing for ${request.operation}`;
  const userInfo = isRecord(request.userInfo) ? request.userInfo : {};
  return {
    uid: request.uid,
    kind,
    resource: { group: typeof resource.group === 'string' ? resource.group : '', version: typeof resource.version === 'string' ? resource.version : '', resource: resource.resource as string },
    subResource: typeof request.subResource === 'string' && request.subResource !== '' ? request.subResource : undefined,
    name: typeof request.name === 'string' ? request.name : '',
    namespace: typeof request.namespace === 'string' ? request.namespace : '',
    operation: request.operation as AdmissionOperation,
    object,
    oldObject,
    dryRun: request.dryRun === true,
    username: typeof userInfo.username === 'string' ? userInfo.username : '',
  };
}

/** The uid of a body that is too broken to decode, when one can still be found. */
export function uidOf(body: unknown): string {
  return isRecord(body) && isRecord(body.request) && typeof body.request.uid === 'string' ? body.request.uid : '';
}

export function reviewResponse(response: AdmissionResponse): { apiVersion: string; kind: string; response: AdmissionResponse } {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
