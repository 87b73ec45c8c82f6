/**
 * Build-time images: sharp, resolved from @receptive/astro wherever the build put its chunks, and
 * small RGB pictures (kernels, maps, digits) encoded as lossless PNG `data:` URLs for the figures'
 * no-JavaScript output.
 */
import { createRequire } from 'node:module';
import type { RgbImage } from '@receptive/widgets/specs';
import type { default as SharpFn } from 'sharp';

/**
 * sharp, and a require that resolves from @receptive/astro's own package.
 * @param root The site's root (`root` from `astro:config/server`).
 */
export function astroRequire(root: URL): { sharp: typeof SharpFn; req: NodeRequire } {
  const astroPkg = createRequire(new URL('package.json', root)).resolve(
    '@receptive/astro/package.json',
  );
  const req = createRequire(astroPkg);
  return { sharp: req('sharp') as typeof SharpFn, req };
}

/**
 * A lossless PNG of `image` as a `data:` URL (a 28 x 28 map is a few hundred bytes).
 * @example <img src={await pngDataUrl(root, greyImage(pixels))} />
 */
export async function pngDataUrl(root: URL, image: RgbImage): Promise<string> {
  const { sharp } = astroRequire(root);
  const png = await sharp(Buffer.from(image.rgb.buffer, image.rgb.byteOffset, image.rgb.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .png({ compressionLevel: 9 })
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
