/** Secrets sealed at rest: AES-256-GCM, a key per purpose, each value bound to its owner. */
import assert from 'node:assert/strict';
import { createSecretBox, SecretUnreadableError } from '../../platform/secret-box';

describe('secret box', () => {
  const box = createSecretBox('unit-test-file-key-0123456789abcdef');

  it('opens what it sealed, and never holds the plaintext in the sealed bytes', () => {
    const sealed = box.seal('upload-password', 'task-1', '8001015009087');
    assert.equal(box.open('upload-password', 'task-1', sealed), '8001015009087');
    assert.ok(!sealed.includes(Buffer.from('8001015009087')));
    assert.ok(!sealed.toString('hex').includes(Buffer.from('8001015009087').toString('hex')));
    // A fresh IV each time: sealing the same value twice gives different bytes.
    assert.notDeepEqual(box.seal('upload-password', 'task-1', '8001015009087'), sealed);
  });

  it('refuses a value bound to another owner, sealed for another purpose, under another key, or altered', () => {
    const sealed = box.seal('upload-password', 'task-1', 'pw');
    const refused = (f: () => unknown) => assert.throws(f, SecretUnreadableError);
    refused(() => box.open('upload-password', 'task-2', sealed));
    refused(() => box.open('webhook-secret', 'task-1', sealed));
    refused(() => createSecretBox('another-file-key-0123456789abcdef').open('upload-password', 'task-1', sealed));
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] ^= 1;
    refused(() => box.open('upload-password', 'task-1', flipped));
    refused(() => box.open('upload-password', 'task-1', sealed.subarray(0, 10)));
  });

  it('seals empty and non-ASCII secrets', () => {
    for (const s of ['', 'wagwoord-ñ-€-密码']) assert.equal(box.open('webhook-secret', 'w', box.seal('webhook-secret', 'w', s)), s);
  });
});
