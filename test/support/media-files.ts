// Small real files of the kinds citizens send, made in code: a JPEG carrying EXIF (with a GPS
// position and a camera name, to prove they are stripped), a PNG, an Ogg/Opus voice note (pages
// with their CRCs, an OpusHead, OpusTags and silent 20 ms frames, as WhatsApp records them), a PDF,
// and the bad ones: an executable named .jpg, a truncated JPEG, a 30 MB "photo".
import sharp from 'sharp';

export async function jpegWithExif(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 60, b: 40 } } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'CozumTestCamera', Model: 'Serial-12345' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '38/1 25/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '27/1 8/1 0/1' } })
    .toBuffer();
}

export async function png(width = 40, height = 30): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 20, g: 120, b: 220, alpha: 1 } } }).png().toBuffer();
}

/** The first half of a real JPEG: the picture stops in the middle of its data. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 10, g: 200, b: 90 } } })
    .composite([{ input: Buffer.from('<svg width="400" height="300"><circle cx="200" cy="150" r="120" fill="#234"/></svg>') }])
    .jpeg()
    .toBuffer();
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/** A Windows executable's first bytes ("MZ", a PE header), whatever the name says. */
export function executable(): Buffer {
  const bytes = Buffer.alloc(1024);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(0x80, 0x3c);
  bytes.write('PE\0\0', 0x80, 'latin1');
  bytes.writeUInt16LE(0x14c, 0x84);
  return bytes;
}

/** A JPEG's start followed by 30 MB: over every limit before anyone decodes it. */
export function hugeJpeg(megabytes = 30): Buffer {
  const bytes = Buffer.alloc(megabytes * 1024 * 1024);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]).copy(bytes);
  return bytes;
}

export function pdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let r = n << 24;
  for (let i = 0; i < 8; i++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) & 0xff) ^ byte]!) >>> 0;
  return crc;
}

function oggPage(packets: Buffer[], headerType: number, granule: bigint, sequence: number): Buffer {
  const lacing: number[] = [];
  for (const packet of packets) {
    let left = packet.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
  }
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = headerType;
  header.writeBigUInt64LE(granule, 6);
  header.writeUInt32LE(0x434f5a55, 14); // stream serial
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  Buffer.from(lacing).copy(header, 27);
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** One second of silence as Ogg/Opus, mono 48 kHz: 50 frames of 20 ms. */
export function oggOpus(): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48_000, 12);
  const vendor = 'cozum-test';
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendor.length, 8);
  tags.write(vendor, 12, 'latin1');
  // A CELT-only 20 ms frame (TOC 0xF8: config 31, mono, one frame) holding silence.
  const frames = Array.from({ length: 50 }, () => Buffer.from([0xf8, 0xff, 0xfe]));
  return Buffer.concat([oggPage([head], 0x02, 0n, 0), oggPage([tags], 0x00, 0n, 1), oggPage(frames, 0x04, BigInt(50 * 960), 2)]);
}

/** A media row as the channels' media tests compare it: its status, and its type when stored or else why not. */
export function outcomeOf(row: { status: string; mimeType: string | null; reason: string | null }): [string, string | null] {
  return [row.status, row.mimeType ?? row.reason];
}

/** The outcomes of the four files each channel's media test sends first: a JPEG photo, a PNG, a voice note and a PDF, all kept. */
export const FOUR_FILES_KEPT: [string, string][] = [
  ['stored', 'image/jpeg'],
  ['stored', 'image/png'],
  ['stored', 'audio/ogg'],
  ['stored', 'application/pdf'],
];

/** Resolves with the media rows of `where` once none is pending, checked now and on each `media` event. */
export async function settledMedia(
  cozum: { db: import('../../src/storage/database.ts').Database; events: import('../../src/messaging/events.ts').CozumEvents },
  where: Record<string, unknown>,
  count: number,
  timeoutMs = 20_000,
) {
  const find = async () => {
    const rows = await cozum.db.media.findMany({ where, orderBy: [{ createdAt: 'asc' }, { position: 'asc' }] });
    return rows.length >= count && rows.every((row) => row.status !== 'pending') ? rows : undefined;
  };
  return new Promise<Awaited<ReturnType<typeof find>> & object>((resolve, reject) => {
    let done = false;
    const check = () =>
      void find().then((rows) => {
        if (!rows || done) return;
        done = true;
        cleanup();
        resolve(rows);
      }, reject);
    const timer = setTimeout(() => {
      cleanup();
      void cozum.db.media.findMany({ where }).then((rows) => reject(new Error(`Timed out waiting for ${count} settled media: ${JSON.stringify(rows.map((r) => [r.status, r.lastError]))}`)));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      cozum.events.off('media', check);
    };
    cozum.events.on('media', check);
    check();
  });
}
