// What a downloaded file really is, and the form it is kept in. The type is read from the bytes
// (file-type), never from the platform's word or the file's name: an executable called photo.jpg
// is refused. Each kind has its own size limit. Images are decoded and re-encoded (sharp) before
// anyone sees them: that drops EXIF (with its GPS position and camera serial), XMP, ICC comments
// and anything hidden after the picture, turns the picture upright, and proves it decodes (a
// truncated JPEG is refused rather than shown half grey).
import { createHash } from 'node:crypto';
// The image and type libraries are loaded at the first media, not at start: sharp (libvips and its
// threads) and file-type hold about 20 MB of resident memory that a process without media never needs.
const libraries = {
  sharp: () => import('sharp').then((module) => module.default),
  fileType: () => import('file-type').then((module) => module.fileTypeFromBuffer),
  exifr: () => import('exifr').then((module) => module.default),
};

export type StoredKind = 'image' | 'audio' | 'video' | 'document';
export type Refusal = 'tooLarge' | 'wrongType' | 'unreadable';

export interface MediaLimits {
  /** Largest file accepted per kind, in bytes. */
  maxBytes: Record<StoredKind, number>;
  /** Longest side of a kept image, in pixels: larger photos are scaled down. */
  maxImageSide: number;
}

/** The types accepted, by what file-type reads from the bytes. */
const ACCEPTED: Record<string, StoredKind> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/webp': 'image',
  'audio/ogg': 'audio',
  'audio/opus': 'audio',
  'audio/mpeg': 'audio',
  'audio/mp4': 'audio',
  'audio/x-m4a': 'audio',
  'audio/aac': 'audio',
  'audio/amr': 'audio',
  'audio/wav': 'audio',
  'video/mp4': 'video',
  'video/3gpp': 'video',
  'video/quicktime': 'video',
  'application/pdf': 'document',
};

export interface Coordinates {
  latitude: number;
  longitude: number;
}

export type Inspected =
  /** `gps`: where an image's original says it was taken (EXIF), before the metadata is dropped. */
  | { ok: true; bytes: Buffer; mimeType: string; kind: StoredKind; hash: string; gps?: Coordinates }
  | { ok: false; reason: Refusal; detail: string };

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The largest any kind may be: what a download reads at most before it knows the type. */
export function largestAllowed(limits: MediaLimits): number {
  return Math.max(...Object.values(limits.maxBytes));
}

/** Reads the type from the bytes, checks the kind's limit, and re-encodes images. */
export async function inspectMedia(bytes: Buffer, limits: MediaLimits): Promise<Inspected> {
  const fileTypeFromBuffer = await libraries.fileType();
  const type = await fileTypeFromBuffer(bytes).catch(() => undefined);
  const mimeType = type?.mime.split(';')[0]!.trim();
  const kind = mimeType ? ACCEPTED[mimeType] : undefined;
  if (!mimeType || !kind) return { ok: false, reason: 'wrongType', detail: `type ${mimeType ?? 'unknown'} not accepted` };
  if (bytes.length > limits.maxBytes[kind]) return { ok: false, reason: 'tooLarge', detail: `${kind} of ${bytes.length} bytes` };
  if (kind !== 'image') {
    // Opus in Ogg is served as Ogg: what browsers' <audio> expects.
    const served = mimeType === 'audio/opus' ? 'audio/ogg' : mimeType;
    return { ok: true, bytes, mimeType: served, kind, hash: sha256(bytes) };
  }
  try {
    const clean = await reencodeImage(bytes, mimeType, limits.maxImageSide);
    return { ok: true, bytes: clean.bytes, mimeType: clean.mimeType, kind, hash: sha256(clean.bytes), gps: await gpsOf(bytes) };
  } catch (error) {
    return { ok: false, reason: 'unreadable', detail: `image does not decode: ${(error as Error).message.slice(0, 120)}` };
  }
}

/**
 * Decoded in full and encoded again without metadata (sharp keeps none unless asked): upright
 * after EXIF orientation, at most `maxSide` pixels on its longest side. A decoding warning (a
 * truncated file, a corrupt segment) fails: the picture would not be what the citizen saw.
 */
async function reencodeImage(bytes: Buffer, mimeType: string, maxSide: number): Promise<{ bytes: Buffer; mimeType: string }> {
  const sharp = await libraries.sharp();
  const image = sharp(bytes, { failOn: 'warning', limitInputPixels: 100_000_000 })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  if (mimeType === 'image/png') return { bytes: await image.png().toBuffer(), mimeType };
  if (mimeType === 'image/webp') return { bytes: await image.webp({ quality: 85 }).toBuffer(), mimeType };
  return { bytes: await image.jpeg({ quality: 85 }).toBuffer(), mimeType: 'image/jpeg' };
}

/**
 * The GPS position in an image's EXIF, if it has a usable one. Phones write 0,0 (or nothing) without
 * a fix; a broken EXIF block is no reason to refuse the photo, so any parsing error means none.
 */
async function gpsOf(bytes: Buffer): Promise<Coordinates | undefined> {
  const exifr = await libraries.exifr();
  const gps = (await exifr.gps(bytes).catch(() => undefined)) as Partial<Coordinates> | undefined;
  const { latitude, longitude } = gps ?? {};
  if (typeof latitude !== 'number' || typeof longitude !== 'number' || !Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180 || (latitude === 0 && longitude === 0)) return undefined;
  return { latitude, longitude };
}

/** A small JPEG of a stored image, for lists (the console's thumbnails). */
export async function thumbnailOf(bytes: Buffer, side = 240): Promise<Buffer> {
  const sharp = await libraries.sharp();
  return sharp(bytes).resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
}
