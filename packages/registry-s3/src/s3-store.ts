import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { RegistryError, ValidationError, type Store } from '@modelship/core';
import {
  assertSafeKey,
  assertSafePrefix,
  concatBytes,
  storeConflict,
  type StoreDeleteOptions,
  type StoreEntry,
  type StorePutOptions,
  type StoreStreamEntry,
} from '@modelship/core/store';

/** Options of {@link S3Store}. */
export interface S3StoreOptions {
  /** The bucket. */
  bucket: string;
  /** A key prefix (a safe key, e.g. `'registry'` or `'teams/ml/registry/'`); default none. Nothing is written outside it. */
  prefix?: string;
  /** A ready S3 client (then `endpoint`, `region`, `credentials`, `forcePathStyle`, `maxAttempts` are ignored); default one built from those options. */
  client?: S3Client;
  /** The endpoint URL (MinIO, R2, moto…); default AWS. */
  endpoint?: string;
  /** The region; default `'us-east-1'`. */
  region?: string;
  /** Static credentials; default the SDK's provider chain. */
  credentials?: {
    /** The access key id. */
    accessKeyId: string;
    /** The secret access key. */
    secretAccessKey: string;
    /** The session token of temporary credentials; default none. */
    sessionToken?: string;
  };
  /** Path-style addressing (needed by most S3-compatible servers); default false. */
  forcePathStyle?: boolean;
  /** Attempts per request (the SDK retries throttling, 5xx and network errors with exponential backoff and jitter); default 5. */
  maxAttempts?: number;
  /** Base delay of this store's own retries of `409 ConditionalRequestConflict` (ms, doubled each time); default 50. */
  retryBaseDelayMs?: number;
}

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  message?: string;
}

const status = (err: unknown): number | undefined => (err as AwsError).$metadata?.httpStatusCode;
const isNotFound = (err: unknown): boolean =>
  status(err) === 404 || ['NoSuchKey', 'NotFound'].includes((err as AwsError).name ?? '');

/**
 * A registry `Store` (from `@modelship/core`) on any S3-compatible object store (AWS S3, MinIO, Cloudflare R2,
 * moto). Conditional writes use S3's `If-None-Match: *` (create if absent) and `If-Match: etag`
 * (compare-and-set); a `412` becomes `CONFLICT`. Keys live under `prefix`, which is validated, as
 * is every key, so no name can address anything outside it.
 *
 * Permissions: `s3:GetObject`, `s3:PutObject`, `s3:DeleteObject` on the prefix and
 * `s3:ListBucket` on the bucket (without it, S3 answers 403 instead of 404 for missing keys).
 *
 * @example
 * ```ts
 * const store = new S3Store({ bucket: 'ml', prefix: 'registry', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
 * const registry = createRegistry({ store });
 * ```
 */
export class S3Store implements Store {
  /** The bucket. */
  readonly bucket: string;
  /** The normalised prefix (`''` or ending in `/`). */
  readonly prefix: string;
  /** The S3 client. */
  readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly retryBaseDelayMs: number;
  private readonly maxAttempts: number;
  private closed = false;

  /** Validates the options (`ValidationError` / `INVALID_NAME` naming the field). */
  constructor(options: S3StoreOptions) {
    if (typeof options !== 'object' || options === null) throw invalid('options', 'an object', options);
    if (typeof options.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      throw invalid('bucket', 'a bucket name (3-63 lowercase letters, digits, dots, hyphens)', options.bucket);
    }
    const prefix = options.prefix ?? '';
    assertSafePrefix(prefix, 'S3Store.prefix');
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    for (const f of ['maxAttempts', 'retryBaseDelayMs'] as const) {
      const v = options[f];
      const min = f === 'maxAttempts' ? 1 : 0;
      if (v !== undefined && !(Number.isInteger(v) && v >= min))
        throw invalid(f, min === 1 ? 'a positive integer' : 'a non-negative integer', v);
    }
    this.bucket = options.bucket;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 50;
    this.ownsClient = !options.client;
    this.client =
      options.client ??
      new S3Client({
        region: options.region ?? 'us-east-1',
        maxAttempts: this.maxAttempts,
        retryMode: 'standard',
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
      });
  }

  /** Creates the bucket if it does not exist (for tests and first setup). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const n = (err as AwsError).name;
      if (n !== 'BucketAlreadyOwnedByYou' && n !== 'BucketAlreadyExists')
        throw failure('S3Store.ensureBucket', this.bucket, err);
    }
  }

  private full(key: string, operation: string): string {
    assertSafeKey(key, operation);
    if (this.closed) throw new RegistryError('CLOSED', `${operation}: the store is closed`, { operation });
    return this.prefix + key;
  }

  /** Reads a key; `undefined` when absent. */
  async get(key: string): Promise<StoreEntry | undefined> {
    const Key = this.full(key, 'S3Store.get');
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      return { body: await r.Body!.transformToByteArray(), etag: r.ETag! };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw failure('S3Store.get', key, err);
    }
  }

  /** The etag of a key (HEAD); `undefined` when absent. */
  async head(key: string): Promise<string | undefined> {
    const Key = this.full(key, 'S3Store.head');
    try {
      return (await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }))).ETag;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw failure('S3Store.head', key, err);
    }
  }

  /** Writes a key with `If-None-Match` / `If-Match`; returns the new etag. */
  async put(key: string, body: Uint8Array, options: StorePutOptions = {}): Promise<string> {
    const Key = this.full(key, 'S3Store.put');
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key,
            Body: body,
            ContentLength: body.length,
            ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
            ...(options.ifMatch !== undefined ? { IfMatch: options.ifMatch } : {}),
          }),
        );
        return r.ETag!;
      } catch (err) {
        if (status(err) === 412)
          throw storeConflict('S3Store.put', key, options.ifNoneMatch ? 'key already exists' : 'etag does not match');
        if (options.ifMatch !== undefined && isNotFound(err)) throw storeConflict('S3Store.put', key, 'key is absent');
        if (status(err) === 409 && attempt < this.maxAttempts) {
          await sleep(this.retryBaseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
          continue;
        }
        throw failure('S3Store.put', key, err);
      }
    }
  }

  /** Every key starting with `prefix` (under the store's prefix), sorted. */
  async list(prefix: string): Promise<string[]> {
    assertSafePrefix(prefix, 'S3Store.list');
    if (this.closed)
      throw new RegistryError('CLOSED', 'S3Store.list: the store is closed', { operation: 'S3Store.list' });
    const out: string[] = [];
    let token: string | undefined;
    do {
      let r: ListObjectsV2CommandOutput;
      try {
        r = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }),
        );
      } catch (err) {
        throw failure('S3Store.list', prefix, err);
      }
      for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key.slice(this.prefix.length));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  /** Deletes a key (with `If-Match` when given); `false` when it was absent. */
  async delete(key: string, options: StoreDeleteOptions = {}): Promise<boolean> {
    const Key = this.full(key, 'S3Store.delete');
    const cur = await this.head(key);
    if (cur === undefined) {
      if (options.ifMatch !== undefined) throw storeConflict('S3Store.delete', key, 'key is absent');
      return false;
    }
    try {
      await this.client.send(
        new DeleteObjectCommand({
          Bucket: this.bucket,
          Key,
          ...(options.ifMatch !== undefined ? { IfMatch: options.ifMatch } : {}),
        }),
      );
      return true;
    } catch (err) {
      if (status(err) === 412 || (options.ifMatch !== undefined && isNotFound(err)))
        throw storeConflict('S3Store.delete', key, 'etag does not match');
      throw failure('S3Store.delete', key, err);
    }
  }

  /** Reads a key as a stream of chunks. */
  async getStream(key: string): Promise<StoreStreamEntry | undefined> {
    const Key = this.full(key, 'S3Store.getStream');
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      const body = r.Body as unknown as AsyncIterable<Uint8Array>;
      return { stream: body, etag: r.ETag!, ...(r.ContentLength !== undefined ? { size: r.ContentLength } : {}) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw failure('S3Store.getStream', key, err);
    }
  }

  /**
   * Writes a key from a stream. The chunks are collected in memory and sent as one conditional
   * PutObject (up to S3's 5 GiB single-request limit), because conditional multipart completion is
   * not supported alike by every S3-compatible server.
   */
  async putStream(key: string, source: AsyncIterable<Uint8Array>, options: StorePutOptions = {}): Promise<string> {
    this.full(key, 'S3Store.putStream');
    const parts: Uint8Array[] = [];
    for await (const c of source) parts.push(c);
    return this.put(key, concatBytes(parts), options);
  }

  /** Closes the client if this store created it; later calls throw `CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) this.client.destroy();
  }
}

function invalid(field: string, expected: string, got: unknown): ValidationError {
  return new ValidationError(
    'INVALID_OPTIONS',
    `S3Store: ${field}: expected ${expected}, received ${JSON.stringify(got)}`,
    {
      operation: 'S3Store',
      details: { field },
    },
  );
}

function failure(operation: string, key: string, cause: unknown): RegistryError {
  const e = cause as AwsError;
  return new RegistryError(
    'STORE_FAILURE',
    `${operation}: "${key}": ${e.name ?? 'Error'} ${e.message ?? ''} (HTTP ${status(cause) ?? '?'})`,
    {
      operation,
      details: { key, httpStatus: status(cause) },
      cause,
    },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
