import { inflateSync } from 'node:zlib';

/** A decoded image: width, height and RGBA bytes, row by row. */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly rgba: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/**
 * Decodes a PNG of 8-bit RGB or RGBA, not interlaced (what a browser's screenshot is), so that a
 * test can look at its pixels; any other kind is refused rather than misread.
 */
export function decodePng(file: Buffer): Image {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let offset = 8; offset < file.length; ) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const chunk = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = chunk.readUInt32BE(0);
      height = chunk.readUInt32BE(4);
      const [bitDepth, colourType, , , interlace] = [chunk[8], chunk[9], chunk[10], chunk[11], chunk[12]];
      if (bitDepth !== 8 || interlace !== 0 || (colourType !== 2 && colourType !== 6)) throw new Error(`PNG of bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace} is not decoded here`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') data.push(chunk);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let row = 0; row < height; row += 1) {
    const filter = raw[row * (stride + 1)];
    for (let index = 0; index < stride; index += 1) {
      const value = raw[row * (stride + 1) + 1 + index]!;
      const left = index >= channels ? pixels[row * stride + index - channels]! : 0;
      const up = row > 0 ? pixels[(row - 1) * stride + index]! : 0;
      const upLeft = row > 0 && index >= channels ? pixels[(row - 1) * stride + index - channels]! : 0;
      const predicted = filter === 0 ? 0 : filter === 1 ? left : filter === 2 ? up : filter === 3 ? Math.floor((left + up) / 2) : paeth(left, up, upLeft);
      if (filter === undefined || filter > 4) throw new Error(`PNG row ${row} has an unknown filter ${filter}`);
      pixels[row * stride + index] = (value + predicted) & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    rgba[pixel * 4] = pixels[pixel * channels]!;
    rgba[pixel * 4 + 1] = pixels[pixel * channels + 1]!;
    rgba[pixel * 4 + 2] = pixels[pixel * channels + 2]!;
    rgba[pixel * 4 + 3] = channels === 4 ? pixels[pixel * channels + 3]! : 255;
  }
  return { width, height, rgba };
}

/** How many pixels have exactly the colour `hex` (#rrggbb). */
export function pixelsOfColour(image: Image, hex: string): number {
  const [red, green, blue] = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16));
  let count = 0;
  for (let pixel = 0; pixel < image.width * image.height; pixel += 1) {
    if (image.rgba[pixel * 4] === red && image.rgba[pixel * 4 + 1] === green && image.rgba[pixel * 4 + 2] === blue) count += 1;
  }
  return count;
}
