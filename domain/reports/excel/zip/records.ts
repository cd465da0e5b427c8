/**
 * The fixed-layout records of a plain (32-bit) ZIP archive, as in PKWARE's APPNOTE.TXT:
 * a local header before each entry's data, a data descriptor after it (the sizes and CRC
 * are only known once the data has streamed past), then one central directory record per
 * entry and the end-of-central-directory record. All integers are little-endian.
 */

export interface ZipLimits {
  /** Most bytes in one entry (either size) and in the whole archive (any offset). */
  bytes: number;
  entries: number;
}

/** 0xFFFFFFFF and 0xFFFF mean "see the ZIP64 record", so a plain zip must stay below them. */
export const ZIP32_LIMITS: ZipLimits = { bytes: 0xfffffffe, entries: 0xfffe };

/** Version 2.0: the first that knows deflate and data descriptors. */
const VERSION = 20;
/** Bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8. */
const FLAGS = 0x0008 | 0x0800;
export const METHOD_DEFLATE = 8;

export interface EntryRecord {
  name: Buffer;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Byte offset of the entry's local header from the start of the archive. */
  offset: number;
}

/** The local header, written before the sizes are known (they are in the data descriptor). */
export function localHeader(e: Pick<EntryRecord, 'name' | 'method' | 'dosTime' | 'dosDate'>): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(VERSION, 4);
  b.writeUInt16LE(FLAGS, 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(e.dosTime, 10);
  b.writeUInt16LE(e.dosDate, 12);
  // CRC (14), compressed (18) and uncompressed (22) sizes stay 0: bit 3 is set.
  b.writeUInt16LE(e.name.length, 26);
  b.writeUInt16LE(0, 28);
  return Buffer.concat([b, e.name]);
}

/** With its optional signature, which every reader accepts and some expect. */
export function dataDescriptor(e: Pick<EntryRecord, 'crc32' | 'compressedSize' | 'uncompressedSize'>): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(e.crc32, 4);
  b.writeUInt32LE(e.compressedSize, 8);
  b.writeUInt32LE(e.uncompressedSize, 12);
  return b;
}

export function centralDirectoryRecord(e: EntryRecord): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(VERSION, 4); // made by: MS-DOS attributes, version 2.0
  b.writeUInt16LE(VERSION, 6);
  b.writeUInt16LE(FLAGS, 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(e.dosTime, 12);
  b.writeUInt16LE(e.dosDate, 14);
  b.writeUInt32LE(e.crc32, 16);
  b.writeUInt32LE(e.compressedSize, 20);
  b.writeUInt32LE(e.uncompressedSize, 24);
  b.writeUInt16LE(e.name.length, 28);
  // Extra field, comment, disk number, internal and external attributes (30-41) stay 0.
  b.writeUInt32LE(e.offset, 42);
  return Buffer.concat([b, e.name]);
}

export function endOfCentralDirectory(entries: number, directorySize: number, directoryOffset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  // This disk and the directory's disk (4, 6) are 0: a single-disk archive.
  b.writeUInt16LE(entries, 8);
  b.writeUInt16LE(entries, 10);
  b.writeUInt32LE(directorySize, 12);
  b.writeUInt32LE(directoryOffset, 16);
  return b;
}

/** MS-DOS date and time (2-second resolution, no zone: we use UTC, like the docProps dates). */
export function dosDateTime(at: Date): { dosDate: number; dosTime: number } {
  // The format starts in 1980; clamp rather than wrap for a clock that is badly off.
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  return {
    dosDate: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
    dosTime: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1),
  };
}
