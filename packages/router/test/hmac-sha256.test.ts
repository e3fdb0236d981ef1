import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../src/hmac-sha256.js';

describe('HmacSha256', () => {
  it('equals node:crypto createHmac("sha256") for keys and messages of every length around the block sizes', () => {
    for (const keyLength of [16, 32, 63, 64, 65, 100]) {
      const key = randomBytes(keyLength);
      const mac = new HmacSha256(key);
      for (let prefixLength = 0; prefixLength < 20; prefixLength += 7) {
        const prefix = randomBytes(prefixLength);
        for (let n = 0; n <= 200; n++) {
          const msg = randomBytes(n);
          const out = new Uint8Array(32);
          mac.mac(prefix, msg, n, out, 0);
          const expected = createHmac('sha256', key).update(prefix).update(msg).digest();
          expect(Buffer.from(out).equals(expected), `key ${keyLength}, prefix ${prefixLength}, message ${n}`).toBe(
            true,
          );
        }
      }
    }
  });

  it('matches the RFC 4231 test case 2', () => {
    const mac = new HmacSha256(Buffer.from('Jefe'));
    const out = new Uint8Array(32);
    const msg = Buffer.from('what do ya want for nothing?');
    mac.mac(new Uint8Array(0), msg, msg.length, out, 0);
    expect(Buffer.from(out).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});
