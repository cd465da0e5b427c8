/**
 * Reads a zip with yauzl (an independent, strict reader) and checks on the way what yauzl
 * itself does not: each entry's CRC-32, and that the data descriptor after each entry's
 * data (what a streaming reader relies on) agrees with the central directory.
 */
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

export interface ZipPart {
  name: string;
  method: number;
  data: Buffer;
}

export async function readZip(zip: Buffer): Promise<ZipPart[]> {
  const file = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, zf) =>
      err ? reject(err) : resolve(zf),
    ),
  );
  const parts: ZipPart[] = [];
  await new Promise<void>((resolve, reject) => {
    file.on('error', reject);
    file.on('end', () => resolve());
    file.on('entry', (entry: yauzl.Entry) => {
      file.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          try {
            const data = Buffer.concat(chunks);
            assert.equal(crc32(data), entry.crc32, `${entry.fileName}: CRC-32`);
            checkDataDescriptor(zip, entry);
            parts.push({ name: entry.fileName, method: entry.compressionMethod, data });
            file.readEntry();
          } catch (e) {
            reject(e);
          }
        });
      });
    });
    file.readEntry();
  });
  return parts;
}

/** The signed data descriptor right after the entry's compressed data. */
function checkDataDescriptor(zip: Buffer, entry: yauzl.Entry): void {
  const local = entry.relativeOffsetOfLocalHeader;
  assert.equal(zip.readUInt32LE(local), 0x04034b50, `${entry.fileName}: local header signature`);
  const flags = zip.readUInt16LE(local + 6);
  assert.ok(flags & 0x0008, `${entry.fileName}: sizes in a data descriptor`);
  assert.ok(flags & 0x0800, `${entry.fileName}: UTF-8 name`);
  const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const descriptor = dataStart + entry.compressedSize;
  assert.equal(zip.readUInt32LE(descriptor), 0x08074b50, `${entry.fileName}: data descriptor signature`);
  assert.equal(zip.readUInt32LE(descriptor + 4), entry.crc32, `${entry.fileName}: descriptor CRC`);
  assert.equal(zip.readUInt32LE(descriptor + 8), entry.compressedSize, `${entry.fileName}: descriptor compressed size`);
  assert.equal(zip.readUInt32LE(descriptor + 12), entry.uncompressedSize, `${entry.fileName}: descriptor size`);
}
