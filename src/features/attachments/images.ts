import sharp, { type Sharp, type SharpOptions } from 'sharp';

/**
 * Re-encodes an uploaded image so staff see pixels only: sharp writes no EXIF (camera, GPS, the
 * embedded thumbnail of the uncropped photo), XMP, IPTC, comments or ICC profile unless asked to, and
 * converts colours to sRGB on output.
 */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export type ImageResult = { ok: true; data: Buffer } | { ok: false; reason: 'unreadable' | 'too_large' };

// Phone cameras reach ~50 MP (8160 × 6120); beyond that a decode costs hundreds of MB of memory.
// For animations this counts all frames together, which also stops frame-count bombs.
export const maxInputPixels = 50_000_000;
const timeoutSeconds = 30;

// sharp caches decoded images in memory by default; uploaded photos must not linger after use.
sharp.cache(false);

const decodeOptions: SharpOptions = {
  failOn: 'error',
  limitInputPixels: maxInputPixels,
  animated: true, // keep every frame of GIF/WebP animations instead of silently dropping them
};
// Reading the header decodes no pixels, so it may look at any size and tell us it is too large.
const headerOptions: SharpOptions = { ...decodeOptions, limitInputPixels: false };

export async function reencodeImage(data: Buffer, format: ImageFormat): Promise<ImageResult> {
  try {
    const metadata = await sharp(data, headerOptions).metadata();
    // libvips sniffs the format itself; if it disagrees with file-type, the file is a polyglot.
    if (metadata.format !== format) return { ok: false, reason: 'unreadable' };
    if (metadata.width * metadata.height > maxInputPixels) return { ok: false, reason: 'too_large' };

    const image = sharp(data, decodeOptions).timeout({ seconds: timeoutSeconds });
    // libvips cannot rotate multi-page images; the orientation tag is then dropped with the rest.
    if ((metadata.pages ?? 1) === 1) image.autoOrient();
    return { ok: true, data: await encode(image, format).toBuffer() };
  } catch {
    // Deliberately not logged: the error could quote file content.
    return { ok: false, reason: 'unreadable' };
  }
}

function encode(image: Sharp, format: ImageFormat): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: 85 });
    case 'png':
      return image.png();
    case 'webp':
      return image.webp({ quality: 85 });
    case 'gif':
      return image.gif();
  }
}
