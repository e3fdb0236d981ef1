import { describe, expect, it } from 'vitest';
import { S3Store } from '../src/index.js';

describe('S3Store options', () => {
  it('rejects a bad bucket, an unsafe prefix and bad retry settings, naming the field', () => {
    expect(() => new S3Store({ bucket: 'Bad_Bucket' })).toThrow(/bucket/);
    expect(() => new S3Store({ bucket: 'ok-bucket', prefix: '../up' })).toThrow(
      expect.objectContaining({ code: 'INVALID_NAME' }),
    );
    expect(() => new S3Store({ bucket: 'ok-bucket', prefix: 'a//b' })).toThrow(
      expect.objectContaining({ code: 'INVALID_NAME' }),
    );
    expect(() => new S3Store({ bucket: 'ok-bucket', maxAttempts: 0 })).toThrow(/maxAttempts/);
  });

  it('normalises the prefix and never builds a key outside it', async () => {
    const s = new S3Store({
      bucket: 'ok-bucket',
      prefix: 'teams/ml',
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect(s.prefix).toBe('teams/ml/');
    await expect(s.get('../../other/secret')).rejects.toMatchObject({ code: 'INVALID_NAME' });
    await expect(s.put('/abs', new Uint8Array([1]))).rejects.toMatchObject({ code: 'INVALID_NAME' });
    await expect(s.list('../')).rejects.toMatchObject({ code: 'INVALID_NAME' });
    await s.close();
    await expect(s.get('a')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
