// Downscale a camera picture on the phone: long edge at most 2048 px, JPEG, no library
// (createImageBitmap + canvas). The result is an ArrayBuffer plus its type, ready for IndexedDB.
export const MAX_EDGE = 2048;

export function fitWithin(width: number, height: number, maxEdge = MAX_EDGE): { width: number; height: number } {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function decode(file: Blob): Promise<ImageBitmap | HTMLImageElement> {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' } as ImageBitmapOptions);
  } catch {
    // older Safari: decode through an <img>
    const url = URL.createObjectURL(file);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img;
    } finally {
      setTimeout(() => URL.revokeObjectURL(url), 0);
    }
  }
}

export async function downscale(file: Blob, maxEdge = MAX_EDGE, quality = 0.85): Promise<{ data: ArrayBuffer; type: string; width: number; height: number }> {
  const src = await decode(file);
  const w0 = 'naturalWidth' in src ? src.naturalWidth : src.width;
  const h0 = 'naturalHeight' in src ? src.naturalHeight : src.height;
  const { width, height } = fitWithin(w0, h0, maxEdge);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('No canvas');
  ctx.drawImage(src, 0, 0, width, height);
  if ('close' in src) src.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
  if (!blob) throw new Error('Could not encode the picture');
  canvas.width = canvas.height = 0; // free the memory at once on phones
  return { data: await blob.arrayBuffer(), type: 'image/jpeg', width, height };
}
