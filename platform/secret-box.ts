/**
 * Secrets kept at rest but never in the clear: a statement's password until its parse
 * ends, a webhook's signing secret for as long as the webhook exists.
 *
 * AES-256-GCM. Each purpose gets its own key, derived from FILE_SECRET_KEY with HKDF, so a
 * sealed value of one kind cannot be opened as another. Each value is also bound to what
 * it belongs to (`boundTo`: an upload's task id, a webhook's id) as GCM's additional data:
 * a sealed password copied onto another task's row fails to open instead of unlocking
 * that task's file.
 *
 * Sealed layout: version (1 byte) | IV (12) | tag (16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export type SecretPurpose = 'upload-password' | 'webhook-secret';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** A sealed value that cannot be opened: tampered with, bound to something else, or sealed under another key. */
export class SecretUnreadableError extends Error {
  constructor() {
    super('the sealed secret cannot be opened with this key');
    this.name = 'SecretUnreadableError';
  }
}

export interface SecretBox {
  seal(purpose: SecretPurpose, boundTo: string, plaintext: string): Buffer;
  /** Throws SecretUnreadableError when the value does not open. */
  open(purpose: SecretPurpose, boundTo: string, sealed: Buffer): string;
}

export function createSecretBox(fileSecretKey: string): SecretBox {
  const keys = new Map<SecretPurpose, Buffer>();
  const keyFor = (purpose: SecretPurpose): Buffer => {
    let key = keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', fileSecretKey, 'statementflow secret-box', purpose, 32));
      keys.set(purpose, key);
    }
    return key;
  };
  return {
    seal(purpose, boundTo, plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyFor(purpose), iv);
      cipher.setAAD(Buffer.from(boundTo, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    open(purpose, boundTo, sealed) {
      if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) throw new SecretUnreadableError();
      const decipher = createDecipheriv('aes-256-gcm', keyFor(purpose), sealed.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, HEADER_BYTES));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadableError();
      }
    },
  };
}
