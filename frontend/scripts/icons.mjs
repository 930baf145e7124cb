// Draws the app icons (PNG) with no dependency: `node scripts/icons.mjs` writes them to public/.
// They are committed; run again only to change the design.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BG = [0x0b, 0x4f, 0x6c];
const FG = [0xff, 0xff, 0xff];
const DOT = [0xf2, 0xa9, 0x00];

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel(x / size, y / size);
      const o = y * (size * 3 + 1) + 1 + x * 3;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
// scale s shrinks the glyph toward the centre (maskable icons keep it in the safe zone)
const glyph = (s) => (u, v) => {
  const x = 0.5 + (u - 0.5) * s, y = 0.5 + (v - 0.5) * s;
  if ((x - 0.7) ** 2 + (y - 0.7) ** 2 < 0.09 ** 2) return DOT;
  if (x > 0.22 && x < 0.78 && y > 0.22 && y < 0.36) return FG;
  if (x > 0.43 && x < 0.57 && y >= 0.36 && y < 0.8) return FG;
  return BG;
};
writeFileSync('public/icon-192.png', png(192, glyph(1)));
writeFileSync('public/icon-512.png', png(512, glyph(1)));
writeFileSync('public/icon-maskable-512.png', png(512, glyph(1.35)));
writeFileSync('public/apple-touch-icon.png', png(180, glyph(1.1)));
writeFileSync(
  'public/icon.svg',
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="18" fill="#0b4f6c"/><path fill="#fff" d="M22 22h56v14H57v44H43V36H22z"/><circle cx="70" cy="70" r="9" fill="#f2a900"/></svg>\n`,
);
console.log('icons written');
